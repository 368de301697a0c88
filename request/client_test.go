package request

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// faultServer answers its first `faults` requests with one kind of fault,
// then "hello".
type faultServer struct {
	*httptest.Server
	kind   string
	faults int64
	n      atomic.Int64
	hang   chan struct{} // closed at cleanup: releases hung handlers
}

func startFaults(t *testing.T, kind string, faults int64) *faultServer {
	t.Helper()
	s := &faultServer{kind: kind, faults: faults, hang: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(func() { close(s.hang); s.Close() })
	return s
}

func (s *faultServer) serve(w http.ResponseWriter, r *http.Request) {
	if s.n.Add(1) > s.faults {
		w.Header().Set("Content-Length", "5")
		w.Write([]byte("hello"))
		return
	}
	switch s.kind {
	case "503":
		w.Header().Set("Retry-After", "3")
		http.Error(w, "busy", http.StatusServiceUnavailable)
	case "429-date":
		w.Header().Set("Retry-After", time.Now().Add(20*time.Second).UTC().Format(http.TimeFormat))
		http.Error(w, "slow down", http.StatusTooManyRequests)
	case "502", "404", "403":
		code, _ := strconv.Atoi(s.kind)
		http.Error(w, "no", code)
	case "reset":
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close() // before any header: EOF in the client
	case "short":
		w.Header().Set("Content-Length", "500")
		w.Write([]byte("hel"))
		panic(http.ErrAbortHandler)
	case "hang":
		select { // accepted and never answered
		case <-r.Context().Done():
		case <-s.hang:
		}
	case "stall":
		w.Header().Set("Content-Length", "5")
		w.Write([]byte("he"))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-s.hang:
		}
	}
}

// recorder is a Policy.Sleep that records the waits without waiting.
type recorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (r *recorder) sleep(_ context.Context, d time.Duration) error {
	r.mu.Lock()
	r.waits = append(r.waits, d)
	r.mu.Unlock()
	return nil
}

// TestReadRetriesFaults: every kind of transient fault is retried until
// the answer comes; permanent statuses are not; waits follow
// Retry-After; a hung request is abandoned after the timeout.
func TestReadRetriesFaults(t *testing.T) {
	tests := []struct {
		kind      string
		faults    int64
		wantErr   int           // 0: the read succeeds; else the status of the error
		minWait   time.Duration // every recorded wait is at least this
		wantTries int64
	}{
		{kind: "503", faults: 2, minWait: 3 * time.Second, wantTries: 3},
		{kind: "429-date", faults: 1, minWait: 15 * time.Second, wantTries: 2},
		{kind: "502", faults: 3, wantTries: 4},
		{kind: "reset", faults: 2, wantTries: 3},
		{kind: "short", faults: 2, wantTries: 3},
		{kind: "hang", faults: 1, wantTries: 2},
		{kind: "stall", faults: 1, wantTries: 2},
		{kind: "404", faults: 1, wantErr: 404, wantTries: 1},
		{kind: "403", faults: 1, wantErr: 403, wantTries: 1},
		{kind: "503", faults: 100, wantErr: 503, minWait: 3 * time.Second, wantTries: 5},
	}
	for _, tt := range tests {
		t.Run(tt.kind+"x"+strconv.FormatInt(tt.faults, 10), func(t *testing.T) {
			s := startFaults(t, tt.kind, tt.faults)
			rec := &recorder{}
			c := &Client{HTTP: s.Client(), Policy: Policy{Retries: 4, Timeout: 300 * time.Millisecond,
				Backoff: func(int) time.Duration { return time.Millisecond }, Sleep: rec.sleep}}
			began := time.Now()
			rep, err := c.Read(context.Background(), Spec{URL: s.URL + "/x"})
			if tt.wantErr != 0 {
				var se *StatusError
				if !errors.As(err, &se) || se.StatusCode != tt.wantErr {
					t.Fatalf("err = %v, want status %d", err, tt.wantErr)
				}
			} else if err != nil || string(rep.Body) != "hello" {
				t.Fatalf("read = %v, %v", rep, err)
			}
			if got := s.n.Load(); got != tt.wantTries {
				t.Errorf("%d requests, want %d", got, tt.wantTries)
			}
			for _, w := range rec.waits {
				if w < tt.minWait {
					t.Errorf("waited %v, want at least %v (Retry-After)", w, tt.minWait)
				}
			}
			// A bound, not a speed check: a hung attempt must not hold
			// the read for much longer than the timeout.
			if el := time.Since(began); el > 10*time.Second {
				t.Errorf("read took %v with a 300ms timeout", el)
			}
		})
	}
}

// TestReadMirrors: a refusing or dead first URL moves to the mirror at
// once, without a backoff wait; Reply.Mirror names the one that answered.
func TestReadMirrors(t *testing.T) {
	bad := startFaults(t, "403", 1000)
	good := startFaults(t, "503", 0)
	rec := &recorder{}
	c := &Client{HTTP: http.DefaultClient, Policy: Policy{Retries: -1, Sleep: rec.sleep}}
	rep, err := c.Read(context.Background(), Spec{URL: bad.URL + "/a", Mirrors: []string{"http://127.0.0.1:1/dead", good.URL + "/a"}})
	if err != nil || string(rep.Body) != "hello" || rep.Mirror != 2 {
		t.Fatalf("read = %+v, %v; want hello from mirror 2", rep, err)
	}
	if len(rec.waits) != 0 {
		t.Errorf("waited %v before a mirror", rec.waits)
	}
	// Every mirror refusing: the caller sees the refusal, each URL asked once.
	bad2 := startFaults(t, "404", 1000)
	_, err = c.Read(context.Background(), Spec{URL: bad.URL + "/b", Mirrors: []string{bad2.URL + "/b"}})
	var se *StatusError
	if !errors.As(err, &se) || se.StatusCode != 404 || bad.n.Load() != 2 || bad2.n.Load() != 1 {
		t.Errorf("err = %v (requests %d, %d), want the last refusal, each mirror once", err, bad.n.Load(), bad2.n.Load())
	}
}

func TestReadLimitAndFresh(t *testing.T) {
	s := startFaults(t, "503", 1)
	var made []string
	c := &Client{HTTP: s.Client(), Policy: Policy{Sleep: (&recorder{}).sleep}}
	n := 0
	_, err := c.Read(context.Background(), Spec{Fresh: func() string {
		n++
		u := s.URL + "/signed?n=" + strconv.Itoa(n)
		made = append(made, u)
		return u
	}, Limit: 4})
	if !errors.Is(err, ErrTooBig) || Retryable(err) {
		t.Fatalf("err = %v, want a permanent ErrTooBig", err)
	}
	if len(made) != 2 || made[0] == made[1] {
		t.Errorf("URLs %v: want a fresh one per attempt", made)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		v    string
		want time.Duration
	}{
		{"", 0},
		{"3", 3 * time.Second},
		{"-1", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{"soon", 0},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.v != "" {
			h.Set("Retry-After", tt.v)
		}
		if got := retryAfter(h, now); got != tt.want {
			t.Errorf("Retry-After %q = %v, want %v", tt.v, got, tt.want)
		}
	}
	p := Policy{MaxRetryAfter: time.Minute, Backoff: func(int) time.Duration { return time.Second }}
	if d := p.Delay(0, &StatusError{StatusCode: 503, RetryAfter: time.Hour}); d != time.Minute {
		t.Errorf("delay %v, want the cap", d)
	}
	if d := p.Delay(0, &StatusError{StatusCode: 503}); d != time.Second {
		t.Errorf("delay %v, want the backoff", d)
	}
}

func TestRetryable(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{&StatusError{StatusCode: 503}, true},
		{&StatusError{StatusCode: 429}, true},
		{&StatusError{StatusCode: 425}, true},
		{&StatusError{StatusCode: 408}, true},
		{&StatusError{StatusCode: 404}, false},
		{&StatusError{StatusCode: 403}, false},
		{&TimeoutError{}, true},
		{Transient(errors.New("short")), true},
		{Permanent(&StatusError{StatusCode: 503}), false},
		{context.Canceled, false},
		{errors.New("reply is not JSON"), false},
		{&url.Error{Op: "Get", URL: "https://h/", Err: &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}}, false},
		{&url.Error{Op: "Get", URL: "http://h/", Err: errors.New("socks connect tcp 127.0.0.1:1080->h:80: username/password authentication failed")}, false},
		{&url.Error{Op: "Get", URL: "http://h/", Err: io.ErrUnexpectedEOF}, true},
		// A proxy's CONNECT answered 401 or 403 (net/http gives the status text alone).
		{&url.Error{Op: "Get", URL: "https://h/", Err: errors.New("Unauthorized")}, false},
		{&url.Error{Op: "Get", URL: "https://h/", Err: errors.New("Forbidden")}, false},
		{&url.Error{Op: "Get", URL: "https://h/", Err: errors.New("Too Many Requests")}, true},
	}
	for _, tt := range tests {
		if got := Retryable(tt.err); got != tt.want {
			t.Errorf("Retryable(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

func TestJitterIsBounded(t *testing.T) {
	for attempt := range 20 {
		d := fullJitter(attempt)
		ceil := min(time.Second<<min(attempt, 5), 30*time.Second)
		if d < 0 || d >= ceil {
			t.Fatalf("attempt %d: backoff %v outside [0, %v)", attempt, d, ceil)
		}
	}
}

func TestStatusTextCleaned(t *testing.T) {
	se := NewStatusError(&http.Response{StatusCode: 500, Status: "500 \x1b[2JBoom"}, "u")
	if se.Status != "500 [2JBoom" {
		t.Errorf("status %q still has control characters", se.Status)
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://user:secret@host:1/p?q=1", "http://host:1/p?q=1"},
		{"ftp://user:secret@127.0.0.1:1", "ftp://127.0.0.1:1"},
		{"user:secret@127.0.0.1:1", "127.0.0.1:1"},
		{"http://user:secret@[::1", "http://[::1"},
		{"ht!tp://user:sec@ret@h/x@y", "ht!tp://h/x@y"},
		{"http://host/a@b", "http://host/a@b"},
		{"plain text", "plain text"},
	}
	for _, tt := range tests {
		if got := Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if strings.Contains(Redact(tt.in), "secret") || strings.Contains(Redact(tt.in), "sec@") {
			t.Errorf("Redact(%q) kept the password", tt.in)
		}
	}
}
