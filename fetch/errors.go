package fetch

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// HTTPError is a response status the fetcher does not accept. Callers
// inspect it with errors.As to decide (for example, an extractor refreshing
// an expired signed URL on 403/410).
type HTTPError struct {
	Method     string
	URL        string
	StatusCode int
	Status     string        // e.g. "404 Not Found"
	RetryAfter time.Duration // the server's Retry-After, 0 if none
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("%s %s: %s", e.Method, e.URL, e.Status)
}

// Temporary reports whether retrying the same request may succeed.
func (e *HTTPError) Temporary() bool {
	switch {
	case e.StatusCode == http.StatusRequestTimeout,
		e.StatusCode == http.StatusTooManyRequests,
		e.StatusCode >= 500:
		return true
	}
	return false
}

var (
	// ErrExpired wraps a 403 or 410 from a URL that already delivered bytes
	// in this job: typical of signed CDN URLs whose key ran out. The caller
	// can refresh the part URLs (re-run the extractor) and run the job again;
	// finished bytes are kept.
	ErrExpired = errors.New("media URL expired")

	// ErrNoSpace means the destination cannot hold the remaining bytes.
	ErrNoSpace = errors.New("not enough free disk space")

	// ErrRangeMissing means a byte-range part lies past the end of its file.
	ErrRangeMissing = errors.New("byte range missing")

	// errStalled is a body read that delivered nothing for StallTimeout.
	errStalled = errors.New("connection stalled")

	// errMirror means the part moved to another mirror: retry at once.
	errMirror = errors.New("switched to a mirror")

	// errShortBody is a response body that ended before its range did.
	errShortBody = errors.New("response body ended early")
)

// ChangedError reports that the remote file differs from the one the saved
// progress belongs to; the stale bytes were discarded.
type ChangedError struct {
	Part   int
	Reason string
}

func (e *ChangedError) Error() string {
	return fmt.Sprintf("part %d: remote file changed (%s)", e.Part, e.Reason)
}

// redact removes credentials from a URL before it goes into a message.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	u.User = nil
	return u.String()
}
