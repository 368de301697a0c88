package extractors

import (
	"errors"
	"strings"
	"testing"
)

func TestSelect(t *testing.T) {
	formats := []Format{
		{ID: "uhd", Height: 2160, DRM: true},
		{ID: "fhd", Height: 1080},
		{ID: "shd", Height: 720},
		{ID: "hd", Height: 480},
		{ID: "sd", Height: 270},
	}
	tests := []struct {
		pref    string
		want    string
		wantErr error
	}{
		{"", "fhd", nil},
		{"best", "fhd", nil},
		{"worst", "sd", nil},
		{"shd", "shd", nil},
		{"SHD", "shd", nil},
		{"720p", "shd", nil},
		{"1440p/720p", "shd", nil},
		{"uhd/fhd", "fhd", nil},
		{"uhd", "", ErrDRM},
		{"2160p", "", ErrDRM},
		{"4k", "", ErrNoFormat},
		{"360p/4k", "", ErrNoFormat},
	}
	for _, tt := range tests {
		f, err := Select(formats, tt.pref)
		if tt.wantErr != nil {
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Select(%q) error = %v, want %v", tt.pref, err, tt.wantErr)
			}
			continue
		}
		if err != nil || f.ID != tt.want {
			t.Errorf("Select(%q) = %v, %v; want %s", tt.pref, f, err, tt.want)
		}
	}
	if _, err := Select(nil, "best"); !errors.Is(err, ErrNoFormat) {
		t.Errorf("empty list: %v", err)
	}
	allDRM := []Format{{ID: "hls-1", DRM: true, DRMScheme: "SAMPLE-AES"}}
	for _, pref := range []string{"best", "worst", "hls-1"} {
		_, err := Select(allDRM, pref)
		if !errors.Is(err, ErrDRM) || !strings.Contains(err.Error(), "SAMPLE-AES") {
			t.Errorf("all-DRM list, %q: err = %v, want ErrDRM naming SAMPLE-AES", pref, err)
		}
	}
}
