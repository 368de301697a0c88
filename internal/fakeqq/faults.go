package fakeqq

import (
	"net/http"
	"sync"
	"time"
)

// Fault kinds the fake injects into page and API requests (never the
// CDN's): what a night of downloads meets on the way to Tencent.
const (
	Fault503   = "503"   // 503 with Retry-After: 1
	FaultReset = "reset" // the connection closed before any header
	Fault502   = "502"   // a bad gateway, no Retry-After
	FaultHang  = "hang"  // accepted and never answered, until the client leaves
)

// AllFaults are the kinds, in the order Faults cycles through them.
var AllFaults = []string{Fault503, FaultReset, Fault502, FaultHang}

// Faults makes every Every-th page or API request fail, cycling through
// Kinds (default AllFaults).
type Faults struct {
	Every int
	Kinds []string
}

// faultLog counts the page and API requests and what was done to them.
type faultLog struct {
	mu       sync.Mutex
	n        int
	injected map[string]int
	held     []time.Duration // how long each hung request was held
}

// inject fails r if its turn has come, and reports whether it did.
func (s *Site) inject(w http.ResponseWriter, r *http.Request) bool {
	f := s.cfg.Faults
	if f.Every <= 0 {
		return false
	}
	kinds := f.Kinds
	if len(kinds) == 0 {
		kinds = AllFaults
	}
	l := &s.faults
	l.mu.Lock()
	l.n++
	if l.n%f.Every != 0 {
		l.mu.Unlock()
		return false
	}
	kind := kinds[(l.n/f.Every-1)%len(kinds)]
	if l.injected == nil {
		l.injected = map[string]int{}
	}
	l.injected[kind]++
	l.mu.Unlock()
	switch kind {
	case Fault503:
		w.Header().Set("Retry-After", "1")
		http.Error(w, "fakeqq: overloaded", http.StatusServiceUnavailable)
	case Fault502:
		http.Error(w, "fakeqq: bad gateway", http.StatusBadGateway)
	case FaultReset:
		panic(http.ErrAbortHandler) // net/http closes the connection: no headers
	case FaultHang:
		began := time.Now()
		<-r.Context().Done() // the client gave up (or the fake closes)
		l.mu.Lock()
		l.held = append(l.held, time.Since(began))
		l.mu.Unlock()
	}
	return true
}

// Injected returns how many faults of each kind were injected.
func (s *Site) Injected() map[string]int {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	out := map[string]int{}
	for k, v := range s.faults.injected {
		out[k] = v
	}
	return out
}

// Held returns how long each hung request waited for the client to give up.
func (s *Site) Held() []time.Duration {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return append([]time.Duration(nil), s.faults.held...)
}
