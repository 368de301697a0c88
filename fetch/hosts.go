package fetch

import (
	"net/url"
	"strings"
)

// Hosts that limit connections. Some servers cap how many connections a
// client may hold (nginx's limit_conn answers 503 beyond it; others 429).
// When a host refuses a request while other requests of the job are
// transferring from it, the refusal is the cap speaking, not an outage:
// the job lowers its connections to that host to what it has running
// and hands the refused range to them, instead of retrying at full
// width. Every accepted response at a higher count proves the host allows
// that many, so a cap set in the middle of the ramp-up rises back to the
// real limit. An explicit cap (Options.MaxConnsPerHost) is never passed.

// hostOf is the host[:port] a URL's requests go to.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return strings.ToLower(u.Host)
}

// hostCapLocked is the number of spans the job may hold on host, 0 for
// no limit.
func (j *Job) hostCapLocked(host string) int {
	c, learnt := j.hostCaps[host]
	if m := j.opts.MaxConnsPerHost; m > 0 && (!learnt || m < c) {
		return m
	}
	return c
}

// hostFullLocked says whether another span on host would pass its cap.
func (j *Job) hostFullLocked(host string) bool {
	limit := j.hostCapLocked(host)
	if limit <= 0 {
		return false
	}
	n := 0
	for _, s := range j.spans {
		if s.part.host == host {
			n++
		}
	}
	return n >= limit
}

// transferringLocked counts the spans reading a body from host, other
// than sp.
func (j *Job) transferringLocked(host string, sp *span) int {
	n := 0
	for _, s := range j.spans {
		if s != sp && s.transferring && s.part.host == host {
			n++
		}
	}
	return n
}

// noteRefusalLocked handles a 429/503 to sp: when others are
// transferring from the same host, it lowers the host's cap to them and
// reports true (the range goes back to them, with no backoff).
func (j *Job) noteRefusalLocked(sp *span) bool {
	host := sp.part.host
	running := j.transferringLocked(host, sp)
	if running == 0 {
		return false // an outage or overload: the retry policy's business
	}
	if c := j.hostCapLocked(host); c == 0 || running < c {
		j.log.Info("the host refuses more connections; using fewer", "host", host, "connections", running)
		j.hostCaps[host] = running
	}
	j.refused.Add(1)
	return true
}

// noteAcceptedLocked raises a learnt cap to the number of transfers the
// host has just accepted at once.
func (j *Job) noteAcceptedLocked(sp *span) {
	host := sp.part.host
	c, learnt := j.hostCaps[host]
	if !learnt {
		return
	}
	if running := j.transferringLocked(host, sp) + 1; running > c {
		j.hostCaps[host] = running
	}
}
