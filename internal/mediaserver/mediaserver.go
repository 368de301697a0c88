// Package mediaserver is a misbehaving media server for tests and
// benchmarks: it serves one in-memory file with options that reproduce
// what real CDNs do wrong (ignored ranges, resets, stalls, 503 bursts,
// changed files, per-connection throttling). It counts what it sends.
package mediaserver

import (
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options describes how the fake media server misbehaves. Counts apply
// to the first N requests, so a download must survive them and finish.
type Options struct {
	IgnoreRange       bool   // answer 200 with the full body
	WrongContentRange bool   // 206 with a Content-Range shifted by one
	NoContentLength   bool   // 200, chunked, no length (implies IgnoreRange)
	CutAfter          int64  // abort the connection after this many body bytes...
	CutTimes          int64  // ...in this many responses
	ShortBy           int64  // send this many bytes fewer than promised...
	ShortTimes        int64  // ...in this many responses (clean EOF)
	StallAfter        int64  // stop sending after this many bytes...
	StallTimes        int64  // ...in this many responses, until the client leaves
	FailFirst         int64  // answer this many requests with FailStatus
	FailStatus        int    // default 503
	RetryAfter        string // Retry-After header of the failures
	Status            int    // answer every request with this status (e.g. 404)
	Throttle          int64  // bytes/s per response, 0 = unlimited
	SlowConn          int64  // the n-th response (1-based) gets Throttle/10
	NotifyAt          int64  // close Reached once this many body bytes were sent
	// Faults before any header, for the first N requests.
	ResetFirst int64 // close the connection at once
	HangFirst  int64 // accept and never answer, until the client leaves
	// Connections after the first SlowAfterConns (in accept order; needs
	// Start, or ConnContext on the server) send at most SlowRate bytes/s.
	SlowAfterConns int64
	SlowRate       int64
	// MaxConns answers 503 to a request while this many others are being
	// answered (nginx's limit_conn).
	MaxConns int64
}

// testServer serves one in-memory file whose content and ETag can be
// swapped between runs. It counts requests and body bytes sent.
type Server struct {
	*httptest.Server
	Opts Options // read per request; set before traffic starts

	mu   sync.Mutex
	data []byte
	etag string

	Requests  atomic.Int64 // requests received
	Sent      atomic.Int64 // body bytes written
	Conns     atomic.Int64 // connections that made requests (with Start or ConnContext)
	Refused   atomic.Int64 // requests refused for MaxConns
	active    atomic.Int64 // requests being answered
	perResp   sync.Map     // response number -> *atomic.Int64 bytes
	Reached   chan struct{}
	reachOnce sync.Once
}

// RandomBytes returns n random bytes (incompressible test content).
func RandomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// Start serves data on a random loopback port until Close.
func Start(data []byte, opts Options) *Server {
	s := &Server{Opts: opts, data: data, etag: `"v1"`, Reached: make(chan struct{})}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.ServeHTTP))
	s.Server.Config.ConnContext = s.ConnContext
	s.Server.Start()
	return s
}

type connKey struct{}

// ConnContext prepares each accepted connection to be numbered
// (http.Server.ConnContext), for the options that treat connections
// differently. A connection gets its number with its first request to
// this handler, so other handlers of the same server (a stats page) do
// not take numbers.
func (s *Server) ConnContext(ctx context.Context, _ net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, new(atomic.Int64))
}

// connNumber is the 1-based number of r's connection, 0 if unknown.
func (s *Server) connNumber(r *http.Request) int64 {
	c, _ := r.Context().Value(connKey{}).(*atomic.Int64)
	if c == nil {
		return 0
	}
	if n := c.Load(); n > 0 {
		return n
	}
	c.CompareAndSwap(0, s.Conns.Add(1))
	return c.Load()
}

// Handler returns a server without a listener, for use with any http.Server.
func Handler(data []byte, opts Options) *Server {
	return &Server{Opts: opts, data: data, etag: `"v1"`, Reached: make(chan struct{})}
}

// SetContent replaces the file and its ETag (a remote file that changed).
func (s *Server) SetContent(data []byte, etag string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data, s.etag = data, etag
}

func (s *Server) FileURL() string { return s.Server.URL + "/media/file.bin" }

// ServeHTTP serves the file under any path.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := s.Requests.Add(1)
	s.connNumber(r)
	s.mu.Lock()
	data, etag := s.data, s.etag
	s.mu.Unlock()
	o := s.Opts
	switch {
	case n <= o.ResetFirst:
		panic(http.ErrAbortHandler) // the connection closes before any header
	case n <= o.ResetFirst+o.HangFirst:
		<-r.Context().Done()
		return
	}
	if o.MaxConns > 0 {
		if s.active.Add(1) > o.MaxConns {
			s.active.Add(-1)
			s.Refused.Add(1)
			http.Error(w, "too many connections", http.StatusServiceUnavailable)
			return
		}
		defer s.active.Add(-1)
	}
	if o.Status != 0 {
		http.Error(w, http.StatusText(o.Status), o.Status)
		return
	}
	if n <= o.FailFirst {
		if o.RetryAfter != "" {
			w.Header().Set("Retry-After", o.RetryAfter)
		}
		st := o.FailStatus
		if st == 0 {
			st = http.StatusServiceUnavailable
		}
		http.Error(w, http.StatusText(st), st)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Accept-Ranges", "bytes")
	start, end := int64(0), int64(len(data)) // [start,end)
	status := http.StatusOK
	if rh := r.Header.Get("Range"); rh != "" && !o.IgnoreRange && !o.NoContentLength {
		first, last, ok := parseRangeHeader(rh, int64(len(data)))
		if !ok {
			w.Header().Set("Content-Range", fmt.Sprintf("bytes */%d", len(data)))
			w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
			return
		}
		start, end, status = first, last+1, http.StatusPartialContent
		shown := start
		if o.WrongContentRange && start > 0 {
			shown = start - 1
		}
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", shown, last, len(data)))
	}
	body := data[start:end]
	switch {
	case o.NoContentLength:
		// No Content-Length: net/http falls back to chunked encoding.
	case o.ShortBy > 0 && s.countdown("short", o.ShortTimes) && int64(len(body)) > o.ShortBy:
		body = body[:int64(len(body))-o.ShortBy]
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	default:
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(status)
	s.writeBody(w, r, n, body)
}

// countdown returns true for the first `times` calls with this name.
func (s *Server) countdown(name string, times int64) bool {
	v, _ := s.perResp.LoadOrStore("count:"+name, new(atomic.Int64))
	return v.(*atomic.Int64).Add(1) <= times
}

func (s *Server) writeBody(w http.ResponseWriter, r *http.Request, n int64, body []byte) {
	o := s.Opts
	rate := o.Throttle
	if o.SlowConn == n {
		rate /= 10
	}
	if c := s.connNumber(r); o.SlowAfterConns > 0 && c > o.SlowAfterConns {
		rate = o.SlowRate
	}
	cut := o.CutAfter > 0 && s.countdown("cut", o.CutTimes)
	stall := o.StallAfter > 0 && s.countdown("stall", o.StallTimes)
	counter := new(atomic.Int64)
	s.perResp.Store(n, counter)
	connCounter := new(atomic.Int64)
	if c := s.connNumber(r); c > 0 {
		v, _ := s.perResp.LoadOrStore(fmt.Sprintf("conn:%d", c), connCounter)
		connCounter = v.(*atomic.Int64)
	}
	const chunk = 16 << 10
	began := time.Now()
	var written int64
	for written < int64(len(body)) {
		m := min(int64(chunk), int64(len(body))-written)
		if cut && written+m > o.CutAfter {
			m = o.CutAfter - written
		}
		if stall && written+m > o.StallAfter {
			m = o.StallAfter - written
		}
		if m > 0 {
			k, err := w.Write(body[written : written+m])
			written += int64(k)
			counter.Add(int64(k))
			connCounter.Add(int64(k))
			if total := s.Sent.Add(int64(k)); o.NotifyAt > 0 && total >= o.NotifyAt {
				s.reachOnce.Do(func() { close(s.Reached) })
			}
			if err != nil {
				return
			}
		}
		if cut && written >= o.CutAfter {
			w.(http.Flusher).Flush()    // the bytes before the cut do arrive
			panic(http.ErrAbortHandler) // reset the connection mid-body
		}
		if stall && written >= o.StallAfter {
			w.(http.Flusher).Flush()
			<-r.Context().Done()
			return
		}
		if rate > 0 {
			// Pace by elapsed time so the average rate holds.
			due := began.Add(time.Duration(float64(written) / float64(rate) * float64(time.Second)))
			if d := time.Until(due); d > 0 {
				w.(http.Flusher).Flush()
				select {
				case <-time.After(d):
				case <-r.Context().Done():
					return
				}
			}
		}
	}
}

// BytesOfResponse returns the body bytes sent in the n-th response.
func (s *Server) BytesOfResponse(n int64) int64 {
	v, ok := s.perResp.Load(n)
	if !ok {
		return 0
	}
	return v.(*atomic.Int64).Load()
}

// BytesOfConn returns the body bytes sent on the n-th connection.
func (s *Server) BytesOfConn(n int64) int64 {
	v, ok := s.perResp.Load(fmt.Sprintf("conn:%d", n))
	if !ok {
		return 0
	}
	return v.(*atomic.Int64).Load()
}

// parseRangeHeader understands the single "bytes=a-b" / "bytes=a-" forms vdl sends.
func parseRangeHeader(h string, size int64) (first, last int64, ok bool) {
	spec, found := strings.CutPrefix(h, "bytes=")
	a, b, found2 := strings.Cut(spec, "-")
	if !found || !found2 {
		return 0, 0, false
	}
	first, err := strconv.ParseInt(a, 10, 64)
	if err != nil || first >= size {
		return 0, 0, false
	}
	last = size - 1
	if b != "" {
		if last, err = strconv.ParseInt(b, 10, 64); err != nil || last < first {
			return 0, 0, false
		}
		last = min(last, size-1)
	}
	return first, last, true
}
