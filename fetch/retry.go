package fetch

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// maxRetryAfter bounds how long a server's Retry-After can park a range;
// beyond it the value is more likely a mistake than a plan.
const maxRetryAfter = 10 * time.Minute

// DefaultBackoff is exponential backoff with full jitter: attempt 0 waits up
// to 500ms, doubling up to 30s.
func DefaultBackoff(attempt int) time.Duration {
	ceil := 500 * time.Millisecond << min(attempt, 6)
	ceil = min(ceil, 30*time.Second)
	// Full jitter spreads the retries of 16 connections hit by one outage.
	return ceil/2 + rand.N(ceil/2+1)
}

// retryable reports whether err is worth another attempt of the same
// request. Context cancellation, HTTP statuses other than 408/429/5xx,
// expiry and local file errors are not.
func retryable(err error) bool {
	var he *HTTPError
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, errStalled):
		return false
	case errors.As(err, &he):
		return he.Temporary()
	case errors.Is(err, ErrExpired), errors.Is(err, ErrNoSpace), errors.Is(err, ErrRangeMissing):
		return false
	case errors.As(err, new(*fileError)):
		return false
	}
	// Transport errors, resets, short bodies and stalls.
	return true
}

// retryAfter returns the delay a 429/503 response asks for (delta-seconds
// or an HTTP date), or 0.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs >= 0 {
		d = time.Duration(min(secs, int64(maxRetryAfter/time.Second))) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return max(0, min(d, maxRetryAfter))
}

// sleepCtx waits for d or until ctx is done.
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

// fileError marks a local write/sync failure: retrying the network won't fix it.
type fileError struct{ err error }

func (e *fileError) Error() string { return e.err.Error() }
func (e *fileError) Unwrap() error { return e.err }
