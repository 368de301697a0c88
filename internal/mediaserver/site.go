package mediaserver

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"path"
	"sync"
	"sync/atomic"
	"time"
)

// SiteOptions shape a Site.
type SiteOptions struct {
	Throttle int64 // bytes/s per response, 0 = unlimited
	NotifyAt int64 // close Reached once this many body bytes were sent in all
	// Check, if set, runs on every request; a non-zero status answers it.
	Check func(r *http.Request) int
}

// Site serves a set of in-memory files by path (ranges included, through
// http.ServeContent), counting requests and body bytes per path: what a
// test needs to prove that finished segments were not fetched again.
type Site struct {
	*httptest.Server
	opts SiteOptions

	mu    sync.Mutex
	files map[string][]byte
	sent  map[string]int64
	reqs  map[string]int

	total   atomic.Int64
	Reached chan struct{}
	once    sync.Once
}

// StartSite serves files (path -> content) until Close.
func StartSite(files map[string][]byte, opts SiteOptions) *Site {
	s := NewSite(files, opts)
	s.Server = httptest.NewServer(s)
	return s
}

// NewSite returns the handler alone, for a server that mounts it itself
// (Server stays nil).
func NewSite(files map[string][]byte, opts SiteOptions) *Site {
	return &Site{opts: opts, files: files, sent: map[string]int64{}, reqs: map[string]int{}, Reached: make(chan struct{})}
}

// URL is the address of a served path.
func (s *Site) URL(p string) string { return s.Server.URL + p }

// Set replaces (or adds) a file.
func (s *Site) Set(p string, data []byte) {
	s.mu.Lock()
	s.files[p] = data
	s.mu.Unlock()
}

// Size returns the length of a served file, -1 if there is none.
func (s *Site) Size(p string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.files[p]; ok {
		return len(b)
	}
	return -1
}

// SentFor returns the body bytes sent for a path so far.
func (s *Site) SentFor(p string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sent[p]
}

// RequestsFor returns how many requests a path received.
func (s *Site) RequestsFor(p string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reqs[p]
}

// TotalSent returns all body bytes sent.
func (s *Site) TotalSent() int64 { return s.total.Load() }

func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.reqs[r.URL.Path]++
	data, ok := s.files[r.URL.Path]
	s.mu.Unlock()
	if s.opts.Check != nil {
		if status := s.opts.Check(r); status != 0 {
			http.Error(w, http.StatusText(status), status)
			return
		}
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	switch path.Ext(r.URL.Path) {
	case ".m3u8":
		w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
	case ".ts":
		w.Header().Set("Content-Type", "video/mp2t")
	default:
		w.Header().Set("Content-Type", "application/octet-stream")
	}
	cw := &countingWriter{ResponseWriter: w, site: s, path: r.URL.Path, start: time.Now()}
	http.ServeContent(cw, r, "", time.Time{}, bytes.NewReader(data))
}

// countingWriter counts body bytes and paces them to the throttle.
type countingWriter struct {
	http.ResponseWriter
	site    *Site
	path    string
	start   time.Time
	written int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	total := 0
	for len(p) > 0 {
		n := len(p)
		if c.site.opts.Throttle > 0 {
			n = min(n, int(max(c.site.opts.Throttle/50, 1)))
			// Pace: the bytes so far may not run ahead of the throttle.
			due := c.start.Add(time.Duration(float64(c.written) / float64(c.site.opts.Throttle) * float64(time.Second)))
			if d := time.Until(due); d > 0 {
				time.Sleep(d)
			}
		}
		m, err := c.ResponseWriter.Write(p[:n])
		total += m
		c.written += int64(m)
		c.site.mu.Lock()
		c.site.sent[c.path] += int64(m)
		c.site.mu.Unlock()
		if t := c.site.total.Add(int64(m)); c.site.opts.NotifyAt > 0 && t >= c.site.opts.NotifyAt {
			c.site.once.Do(func() { close(c.site.Reached) })
		}
		if err != nil {
			return total, err
		}
		if c.site.opts.Throttle > 0 {
			if f, ok := c.ResponseWriter.(http.Flusher); ok {
				f.Flush()
			}
		}
		p = p[m:]
	}
	return total, nil
}
