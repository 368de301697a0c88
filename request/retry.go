package request

import (
	"context"
	"log/slog"
)

// Attempt is one try of a logical request at url. progressed reports
// whether it delivered anything the caller keeps (bytes of a transfer):
// a failure after progress begins a new streak of failures, with the
// policy's full count of retries.
type Attempt func(ctx context.Context, url string) (progressed bool, err error)

// URLs gives the retry loop the URL of each attempt. Implementations
// decide which failures move on to another URL of the same bytes; the
// loop itself never switches.
type URLs interface {
	// URL is the URL of the next attempt.
	URL() string
	// Switch is told that an attempt at failed ended with err; true means
	// try again at once, with no backoff (a mirror takes over).
	Switch(failed string, err error) bool
	// Retry is called after each backoff wait: every mirror may be tried
	// once more.
	Retry()
}

// Retry tunes Client.Retry. The zero value retries what Retryable says.
type Retry struct {
	// Retryable replaces the package's Retryable, for a caller that has
	// permanent errors of its own (a full disk).
	Retryable func(error) bool
	// Stop, if set, is asked about each failure the policy would retry;
	// true ends the loop with no error (the work goes on elsewhere).
	Stop func(error) bool
	// Log receives the retries at debug level; nil: the client's.
	Log *slog.Logger
	// Label names a URL in the log; nil: Redact.
	Label func(string) string
}

// Retry is vdl's one retry loop, a decorator around attempt: it runs
// attempt at urls.URL() until it succeeds; a failure moves to another
// URL at once when urls.Switch says so, otherwise it is retried under
// the policy (backoff or Retry-After, at most MaxRetries in a row, the
// count starting again after an attempt that made progress) unless it
// is permanent. It returns nil, the last attempt's error, or ctx's.
func (c *Client) Retry(ctx context.Context, urls URLs, r Retry, attempt Attempt) error {
	retryable := r.Retryable
	if retryable == nil {
		retryable = Retryable
	}
	log := r.Log
	if log == nil {
		log = c.log()
	}
	name := r.Label
	if name == nil {
		name = Redact
	}
	for n := 0; ; {
		u := urls.URL()
		progressed, err := attempt(ctx, u)
		switch {
		case err == nil:
			return nil
		case ctx.Err() != nil:
			return ctx.Err()
		case urls.Switch(u, err):
			continue
		case r.Stop != nil && retryable(err) && r.Stop(err):
			return nil
		}
		if progressed {
			n = 0 // a new streak of failures
		}
		if !retryable(err) || n >= c.Policy.MaxRetries() {
			return err
		}
		d := c.Policy.Delay(n, err)
		log.Debug("retrying", "url", name(u), "attempt", n+1, "delay", d, "err", err)
		n++
		if err := c.Policy.Wait(ctx, d); err != nil {
			return err
		}
		urls.Retry()
	}
}

// specURLs are the URLs of a Spec: its URL and mirrors, each mirror once
// per streak, or the URL Fresh signs for each attempt.
type specURLs struct {
	c *Client
	s Spec
	m *Mirrors
}

func (u *specURLs) URL() string {
	if u.s.Fresh != nil {
		return u.s.Fresh()
	}
	return u.m.URL()
}

func (u *specURLs) Switch(failed string, err error) bool {
	if !MirrorWorthy(err) || !u.m.Switch(failed) {
		return false
	}
	u.c.log().Warn("mirror failed; trying the next one", "failed", label(u.s, failed), "next", label(u.s, u.m.URL()), "err", err)
	return true
}

func (u *specURLs) Retry() { u.m.Reset() }
