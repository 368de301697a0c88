package extractors

import "errors"

// refusals is the one table of the site's final answers: a refused item
// is not retried, counts as refused (not failed) in a list's summary,
// and exits 4. reason is how the summary names it; aboutVideo marks the
// answers about the video itself, whatever the flow that asked (a site
// with several flows stops at them instead of trying the next flow).
var refusals = []struct {
	err        error
	reason     string
	aboutVideo bool
}{
	{ErrVIP, "VIP only", true},
	{ErrDRM, "DRM", true},
	{ErrGeo, "not available in this region", true},
	{ErrNotFound, "not found", true},
	{ErrNoFormat, "no such format", false},
	{ErrUnsupported, "unsupported", false},
}

// Refusal reports whether err is a final refusal (see refusals), and how
// a summary names it.
func Refusal(err error) (reason string, ok bool) {
	for _, r := range refusals {
		if errors.Is(err, r.err) {
			return r.reason, true
		}
	}
	return "", false
}

// AboutVideo reports whether err is a refusal of the video itself (VIP,
// DRM, region, not found), which no other flow of the site changes.
func AboutVideo(err error) bool {
	for _, r := range refusals {
		if r.aboutVideo && errors.Is(err, r.err) {
			return true
		}
	}
	return false
}
