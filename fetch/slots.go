package fetch

import (
	"context"
	"sync"
)

// Slots is a connection budget shared by jobs that run at once (the
// episodes of a series): a worker holds a slot while it has work, and
// gives it up as soon as its job has nothing for it, so the next job's
// parts start on the connections the current one cannot use. Waiting
// jobs are served by priority (lower first), then in arrival order, so
// the earlier episode always gets the connections it can use.
type Slots struct {
	mu      sync.Mutex
	free    int
	seq     int
	waiting []*slotWaiter
}

type slotWaiter struct {
	prio, seq int
	granted   chan struct{}
}

// NewSlots makes a budget of n connections.
func NewSlots(n int) *Slots { return &Slots{free: max(n, 1)} }

// acquire takes a slot, waiting behind higher priorities. It gives up
// (false, nil) when wake closes first: the caller's job changed (it may
// be complete, and must not wait on other jobs to notice).
func (s *Slots) acquire(ctx context.Context, prio int, wake <-chan struct{}) (bool, error) {
	s.mu.Lock()
	if s.free > 0 && !s.aheadLocked(prio) {
		s.free--
		s.mu.Unlock()
		return true, nil
	}
	s.seq++
	w := &slotWaiter{prio: prio, seq: s.seq, granted: make(chan struct{})}
	s.waiting = append(s.waiting, w)
	s.mu.Unlock()
	var err error
	select {
	case <-w.granted:
		return true, nil
	case <-ctx.Done():
		err = ctx.Err()
	case <-wake:
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, x := range s.waiting {
		if x == w {
			s.waiting = append(s.waiting[:i], s.waiting[i+1:]...)
			return false, err
		}
	}
	// Granted while giving up: pass the slot on.
	s.releaseLocked()
	return false, err
}

// aheadLocked says whether someone of the same or a higher priority
// waits already.
func (s *Slots) aheadLocked(prio int) bool {
	for _, w := range s.waiting {
		if w.prio <= prio {
			return true
		}
	}
	return false
}

// release gives a slot back, to the first waiter by priority.
func (s *Slots) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.releaseLocked()
}

func (s *Slots) releaseLocked() {
	if len(s.waiting) == 0 {
		s.free++
		return
	}
	best := 0
	for i, w := range s.waiting {
		if b := s.waiting[best]; w.prio < b.prio || w.prio == b.prio && w.seq < b.seq {
			best = i
		}
	}
	w := s.waiting[best]
	s.waiting = append(s.waiting[:best], s.waiting[best+1:]...)
	close(w.granted)
}

// slot is one worker's hold on a Slots budget (none when the job has no
// shared budget).
type slot struct {
	s    *Slots
	prio int
	held bool
}

// hold makes sure the worker has a slot; false when wake closed first.
func (h *slot) hold(ctx context.Context, wake <-chan struct{}) (bool, error) {
	if h.s == nil || h.held {
		return true, nil
	}
	got, err := h.s.acquire(ctx, h.prio, wake)
	h.held = got
	return got, err
}

// drop gives the slot up, if held.
func (h *slot) drop() {
	if h.s != nil && h.held {
		h.held = false
		h.s.release()
	}
}
