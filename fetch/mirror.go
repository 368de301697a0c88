package fetch

import (
	"errors"

	"github.com/vdlproject/vdl/request"
)

// partURLs are a part's URL and mirrors as one span's retry loop sees
// them (request.URLs). The mirrors are the part's, shared by its spans
// under Job.mu: a move by one span is seen by the next request of all.
type partURLs struct {
	j     *Job
	p     *partState
	tried string // the URL of the span's last request
}

func (u *partURLs) URL() string {
	u.j.mu.Lock()
	defer u.j.mu.Unlock()
	return u.p.mirrors.URL()
}

// Switch moves the part from its last failed URL to the next mirror and
// reports whether to retry at once (request.Mirrors: each mirror once
// per streak of failures). Only a refusal or a failed connection moves
// it: a reply that went wrong after the server answered is that mirror's
// bytes, retried in place. Validators are forgotten: mirrors serve the
// same file but may label it differently.
func (u *partURLs) Switch(_ string, cause error) bool {
	if errors.As(cause, new(*replyError)) || !request.MirrorWorthy(cause) {
		return false
	}
	j, p, failed := u.j, u.p, u.tried
	j.mu.Lock()
	defer j.mu.Unlock()
	inUse := p.mirrors.URL() == failed
	if !p.mirrors.Switch(failed) {
		return false
	}
	if inUse {
		p.etag, p.lastMod = "", ""
		p.host = hostOf(p.mirrors.URL())
		j.log.Warn("mirror failed; trying the next one", "part", p.idx, "failed", request.Redact(failed),
			"next", request.Redact(p.mirrors.URL()), "err", cause)
	}
	return true
}

func (u *partURLs) Retry() {
	u.j.mu.Lock()
	defer u.j.mu.Unlock()
	u.p.mirrors.Reset()
}

// replyError is a failure after the server answered (a body that broke
// off, stalled or lied): not a reason to leave the mirror.
type replyError struct{ err error }

func (e *replyError) Error() string { return e.err.Error() }
func (e *replyError) Unwrap() error { return e.err }
