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

// Switch moves the part from the span's last failed URL to the next
// mirror (scheduler.switchMirror) and reports whether to retry at once.
// Only a refusal or a failed connection moves it: a reply that went
// wrong after the server answered is that mirror's bytes, retried in
// place.
func (u *partURLs) Switch(_ string, cause error) bool {
	if errors.As(cause, new(*replyError)) || !request.MirrorWorthy(cause) {
		return false
	}
	u.j.mu.Lock()
	defer u.j.mu.Unlock()
	return u.j.sched.switchMirror(u.p, u.tried, cause)
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
