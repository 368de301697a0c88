package download

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestExpandTemplate(t *testing.T) {
	fields := map[string]any{"title": "第06集: 上/下", "id": "s06vdlser00", "series": "剧..", "episode": 6,
		"format_id": "shd", "height": 720, "ext": "mp4", "site": "qq"}
	tests := []struct {
		tmpl, want string
		err        error
	}{
		{"%(title)s.%(ext)s", "第06集_ 上_下.mp4", nil},
		{"%(series)s/%(series)s - E%(episode)02d - %(title)s.%(ext)s", filepath.Join("剧", "剧.. - E06 - 第06集_ 上_下.mp4"), nil},
		{"%(site)s-%(id)s-%(format_id)s-%(height)dp.%(ext)s", "qq-s06vdlser00-shd-720p.mp4", nil},
		{"100%% %(episode)3d.%(ext)s", "100%   6.mp4", nil},
		{"%(nope)s.mp4", "", ErrBadTemplate},
		{"%(title)d.mp4", "", ErrBadTemplate},
		{"../%(title)s.mp4", "", ErrBadTemplate},
		{"/tmp/%(title)s.mp4", "", ErrBadTemplate},
		{"a/../../%(id)s", "", ErrBadTemplate},
		{"CON/%(id)s.%(ext)s", filepath.Join("_CON", "s06vdlser00.mp4"), nil},
	}
	for _, tt := range tests {
		got, err := expandTemplate(tt.tmpl, fields)
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("%q: error %v, want %v", tt.tmpl, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%q = %q, %v; want %q", tt.tmpl, got, err, tt.want)
		}
	}
}

// FuzzTemplate: whatever the template and the values, an expansion is a
// relative path with no "..": it stays under the download folder.
func FuzzTemplate(f *testing.F) {
	f.Add("%(series)s/%(episode)02d %(title)s.%(ext)s", "../../etc", "a/b")
	f.Add("../x", "t", "s")
	f.Fuzz(func(t *testing.T, tmpl, title, series string) {
		out, err := expandTemplate(tmpl, map[string]any{"title": title, "series": series, "episode": 3, "ext": "mp4", "id": "x"})
		if err != nil {
			return
		}
		if filepath.IsAbs(out) || filepath.VolumeName(out) != "" {
			t.Fatalf("%q -> absolute %q", tmpl, out)
		}
		for _, part := range strings.Split(filepath.ToSlash(out), "/") {
			if part == ".." || part == "" {
				t.Fatalf("%q -> %q leaves the folder", tmpl, out)
			}
		}
	})
}
