package fetch

import "github.com/vdlproject/vdl/request"

// switchMirror moves p from failed to its next mirror and reports whether
// the caller should retry at once (request.Mirrors: each mirror once per
// streak of failures). Validators are forgotten: mirrors serve the same
// file but may label it differently.
func (j *Job) switchMirror(p *partState, failed string, cause error) bool {
	if !request.MirrorWorthy(cause) {
		return false
	}
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
