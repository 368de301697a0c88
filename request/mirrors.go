package request

// Mirrors rotates through URLs that serve the same bytes (CDN prefixes).
// A failure worth it (MirrorWorthy) moves on to the next URL at once;
// each URL is tried once per streak of failures, so that a refusal from
// every mirror still reaches the caller as the error it is. A streak ends
// when bytes arrive or after a backoff wait (Reset). Not safe for
// concurrent use.
type Mirrors struct {
	urls  []string
	cur   int
	fails int // switches in the current streak
}

// NewMirrors starts at url, with others as the alternatives.
func NewMirrors(url string, others []string) *Mirrors {
	return &Mirrors{urls: append([]string{url}, others...)}
}

// URL is the URL in use.
func (m *Mirrors) URL() string { return m.urls[m.cur] }

// Switch moves on from failed and reports whether the caller should try
// again at once. It is true without moving when failed is no longer the
// URL in use (another connection moved on already).
func (m *Mirrors) Switch(failed string) bool {
	if len(m.urls) < 2 {
		return false
	}
	if m.urls[m.cur] != failed {
		return true
	}
	if m.fails >= len(m.urls)-1 {
		return false
	}
	m.fails++
	m.cur = (m.cur + 1) % len(m.urls)
	return true
}

// Reset ends a streak of failures, when the URL in use delivered bytes
// or after a backoff wait: every mirror may be tried once more.
func (m *Mirrors) Reset() { m.fails = 0 }
