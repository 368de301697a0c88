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

// hostCap is the number of spans the job may hold on host, 0 for
// no limit.
func (sc *scheduler) hostCap(host string) int {
	c, learnt := sc.hostCaps[host]
	if m := sc.maxPerHost; m > 0 && (!learnt || m < c) {
		return m
	}
	return c
}

// hostFull says whether another span on host would pass its cap.
func (sc *scheduler) hostFull(host string) bool {
	limit := sc.hostCap(host)
	if limit <= 0 {
		return false
	}
	n := 0
	for _, s := range sc.spans {
		if s.part.host == host {
			n++
		}
	}
	return n >= limit
}

// transferringFrom counts the spans reading a body from host, other
// than sp.
func (sc *scheduler) transferringFrom(host string, sp *span) int {
	n := 0
	for _, s := range sc.spans {
		if s != sp && s.transferring && s.part.host == host {
			n++
		}
	}
	return n
}

// noteRefusal handles a 429/503 to sp: when others are
// transferring from the same host, it lowers the host's cap to them and
// reports true (the range goes back to them, with no backoff).
func (sc *scheduler) noteRefusal(sp *span) bool {
	host := sp.part.host
	running := sc.transferringFrom(host, sp)
	if running == 0 {
		return false // an outage or overload: the retry policy's business
	}
	if c := sc.hostCap(host); c == 0 || running < c {
		sc.log.Info("the host refuses more connections; using fewer", "host", host, "connections", running)
		sc.hostCaps[host] = running
	}
	sc.refused.Add(1)
	return true
}

// noteAccepted raises a learnt cap to the number of transfers the
// host has just accepted at once.
func (sc *scheduler) noteAccepted(sp *span) {
	host := sp.part.host
	c, learnt := sc.hostCaps[host]
	if !learnt {
		return
	}
	if running := sc.transferringFrom(host, sp) + 1; running > c {
		sc.hostCaps[host] = running
	}
}
