package fetch

import "net/http"

// mirrorWorthy says whether a status from one mirror is worth trying the
// next for: the CDN node refuses the file (403, 404, 410) or is failing
// (5xx). Other mirrors of a signed URL often still serve it.
func mirrorWorthy(status int) bool {
	switch status {
	case http.StatusForbidden, http.StatusNotFound, http.StatusGone:
		return true
	}
	return status >= 500
}

// switchMirror moves p from failed to its next mirror and reports whether
// the caller should retry at once. Each mirror is tried at most once per
// streak of failures (a streak ends when bytes arrive), so a refusal from
// every mirror still reaches the caller as the error it is. Validators are
// forgotten: mirrors serve the same file but may label it differently.
func (j *Job) switchMirror(p *partState, failed string, cause error) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(p.urls) < 2 {
		return false
	}
	if p.url != failed {
		return true // another connection already moved this part on
	}
	if p.mirrorFails >= len(p.urls)-1 {
		return false
	}
	next := 0
	for i, u := range p.urls {
		if u == failed {
			next = (i + 1) % len(p.urls)
			break
		}
	}
	p.mirrorFails++
	p.url = p.urls[next]
	p.etag, p.lastMod = "", ""
	j.log.Warn("mirror failed; trying the next one", "part", p.idx, "failed", redact(failed),
		"next", redact(p.url), "err", cause)
	return true
}
