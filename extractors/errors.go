package extractors

import (
	"errors"
	"net/url"
)

// Errors an extractor returns (wrapped, with the site's context) when the
// site refuses; the CLI maps them to exit codes.
var (
	ErrUnsupported = errors.New("unsupported")
	ErrNotFound    = errors.New("media not found")
	ErrVIP         = errors.New("VIP only")
	ErrGeo         = errors.New("not available in this region")
	ErrDRM         = errors.New("DRM protected")
	ErrAPIChanged  = errors.New("unexpected site reply")
	ErrNoFormat    = errors.New("no format matches")
)

// HTTPError is an unexpected HTTP status met while extracting.
type HTTPError struct {
	Method     string
	URL        string
	StatusCode int
	Status     string
}

func (e *HTTPError) Error() string { return e.Method + " " + e.URL + ": " + e.Status }

// Redact returns u without credentials, for messages and media IDs.
func Redact(u *url.URL) string {
	c := *u
	c.User = nil
	return c.String()
}
