package extractors

import "errors"

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
