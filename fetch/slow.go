package fetch

import (
	"context"
	"slices"
	"time"
)

const (
	// A transfer below median/slowFactor for slowFor is dropped.
	slowFactor = 8
	slowFor    = 3 * time.Second
	slowEvery  = 500 * time.Millisecond
)

// watchSlow drops, until ctx ends, a connection that stays far below the
// job's median speed for a few seconds: its request is cancelled and its
// range goes back to the others (a fresh request may get a better path
// or CDN node; a fast idle connection takes it meanwhile).
func (j *Job) watchSlow(ctx context.Context) {
	t := time.NewTicker(slowEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			j.mu.Lock()
			j.sched.dropSlow()
			j.mu.Unlock()
		}
	}
}

// dropSlow cancels, with errSlow, the request of a span that has
// stayed below a slowFactor-th of the median transfer rate for slowFor.
func (sc *scheduler) dropSlow() {
	now := sc.now()
	var rates []float64
	for _, s := range sc.spans {
		if r, ok := s.w.m.rate(now); ok && s.transferring {
			rates = append(rates, r)
		}
	}
	if len(rates) < 3 {
		return // too few to tell slow from normal
	}
	slices.Sort(rates)
	median := rates[len(rates)/2]
	for _, s := range sc.spans {
		r, ok := s.w.m.rate(now)
		if !ok || !s.transferring || s.race != nil || s.cancel == nil || s.part.noRanges || !s.part.confirmed {
			s.slowSince = time.Time{}
			continue
		}
		if r >= median/slowFactor {
			s.slowSince = time.Time{}
			continue
		}
		if s.slowSince.IsZero() {
			s.slowSince = now
			continue
		}
		if now.Sub(s.slowSince) >= slowFor {
			s.slowSince = time.Time{}
			s.cancel(errSlow)
		}
	}
}
