package request

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// Defaults of a zero Policy.
const (
	defaultRetries = 10
	defaultTimeout = 30 * time.Second
	// defaultMaxRetryAfter bounds how long a server's Retry-After can
	// park a request; beyond it the value is more likely a mistake than a
	// plan, and the request is tried again at the cap.
	defaultMaxRetryAfter = 10 * time.Minute
)

// Policy says how often and how patiently a request is tried. The zero
// value is usable and means the defaults.
type Policy struct {
	// Retries is how many failed attempts in a row are retried: 0 means
	// 10, a negative value none.
	Retries int
	// Timeout bounds the wait for a response's headers (connecting
	// included) and any silence inside a body (unless Spec.Stall says
	// otherwise); 0 means 30 s.
	Timeout time.Duration
	// Backoff returns the wait before retry number attempt (0-based);
	// nil means exponential backoff with full jitter
	// (a uniform wait below 1 s, doubling up to 30 s).
	Backoff func(attempt int) time.Duration
	// MaxRetryAfter caps a server's Retry-After; 0 means 10 minutes.
	MaxRetryAfter time.Duration
	// Sleep waits between attempts; nil means a timer that honours ctx.
	// Tests record the waits through it.
	Sleep func(ctx context.Context, d time.Duration) error
	// OnRetry, if set, is told of each wait before a retry, as Delay
	// computes it (for display: every retry loop asks Delay once per
	// wait). It may be called from several goroutines at once, and may
	// block while the display draws: a retry loop calls Delay holding no
	// lock (a display polls the progress that such locks guard).
	OnRetry func(RetryWait)
}

// MaxRetries is the number of retries the policy allows in a row.
func (p Policy) MaxRetries() int {
	switch {
	case p.Retries == 0:
		return defaultRetries
	case p.Retries < 0:
		return 0
	}
	return p.Retries
}

// HeaderTimeout is the bound on one attempt's wait for headers.
func (p Policy) HeaderTimeout() time.Duration {
	if p.Timeout <= 0 {
		return defaultTimeout
	}
	return p.Timeout
}

// Delay is the wait before retry number attempt after err: the backoff,
// or the server's Retry-After when that is longer, never above the cap.
func (p Policy) Delay(attempt int, err error) time.Duration {
	backoff := p.Backoff
	if backoff == nil {
		backoff = fullJitter
	}
	d := backoff(attempt)
	var se *StatusError
	if errors.As(err, &se) {
		d = max(d, se.RetryAfter)
	}
	capAt := p.MaxRetryAfter
	if capAt <= 0 {
		capAt = defaultMaxRetryAfter
	}
	d = min(d, capAt)
	if p.OnRetry != nil {
		p.OnRetry(RetryWait{Attempt: attempt + 1, Of: p.MaxRetries(), Delay: d, Err: err})
	}
	return d
}

// Wait sleeps for d through the policy's Sleep, or until ctx is done.
func (p Policy) Wait(ctx context.Context, d time.Duration) error {
	if p.Sleep != nil {
		return p.Sleep(ctx, d)
	}
	return sleepCtx(ctx, d)
}

// fullJitter is exponential backoff with full jitter: a uniform wait in
// [0, ceiling), the ceiling doubling from 1 s to 30 s. Jitter spreads the
// retries of many connections hit by one outage.
func fullJitter(attempt int) time.Duration {
	ceil := time.Second << min(max(attempt, 0), 5)
	ceil = min(ceil, 30*time.Second)
	return rand.N(ceil)
}

// retryAfter returns the delay a response asks for with Retry-After
// (delta-seconds or an HTTP date), or 0. It is not capped here.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs >= 0 {
		return time.Duration(min(secs, int64(24*time.Hour/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(0, t.Sub(now))
	}
	return 0
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// RetryWait is a wait before the next attempt of a failed request, as
// Policy.OnRetry is told of it.
type RetryWait struct {
	Attempt int           // the attempt coming, 1-based among the retries
	Of      int           // the retries allowed in a row
	Delay   time.Duration // until it
	Err     error         // what failed
}
