package extractors

import (
	"context"
	"net/url"
	"testing"
)

type nopExtractor struct{}

func (nopExtractor) Extract(context.Context, *url.URL) (*Result, error) { return &Result{}, nil }

func newNop(Env) Extractor { return nopExtractor{} }

// The registry is process-wide and filled at init, as the real sites do
// (so that -count=N does not register them twice).
func init() {
	Register(Site{Name: "test-video", Hosts: []string{"video.test", "m.video.test"}, New: newNop})
	Register(Site{Name: "test-mobile", Hosts: []string{"mobile.video.test"}, New: newNop})
}

func TestRegistry(t *testing.T) {

	tests := []struct{ host, want string }{
		{"video.test", "test-video"},
		{"www.video.test", "test-video"},     // suffix after a dot
		{"M.VIDEO.TEST", "test-video"},       // case-insensitive
		{"mobile.video.test", "test-mobile"}, // the most specific host wins
		{"a.mobile.video.test", "test-mobile"},
		{"notvideo.test", ""}, // no match without a dot boundary
	}
	for _, tt := range tests {
		s, ok := Lookup(&url.URL{Scheme: "https", Host: tt.host})
		got := ""
		if ok && s.Name != "generic" { // generic is absent in this package's tests
			got = s.Name
		}
		if got != tt.want {
			t.Errorf("Lookup(%s) = %q, want %q", tt.host, got, tt.want)
		}
	}

	for name, site := range map[string]Site{
		"duplicate name": {Name: "test-video", Hosts: []string{"other.test"}, New: newNop},
		"duplicate host": {Name: "test-other", Hosts: []string{"video.test"}, New: newNop},
		"no constructor": {Name: "test-broken"},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Register did not panic", name)
				}
			}()
			Register(site)
		}()
	}
}
