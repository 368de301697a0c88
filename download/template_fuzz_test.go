package download

import (
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// FuzzTemplate: whatever the template and the values, the parser never
// panics, an expansion is a relative path with no ".." (it stays under
// the download folder), a value's separators never make folders, and no
// width or precision makes it allocate more than a few kilobytes per
// byte of input.
func FuzzTemplate(f *testing.F) {
	f.Add("%(series)s/%(episode)02d %(title)s.%(ext)s", "../../etc", "a/b")
	f.Add("../x", "t", "s")
	f.Add("%(title)-10s.mp4", "a/b\\c", "")
	f.Add("%(title).50s/%(series)+ 0200.3s", "第06集/上", "剧/")
	f.Add("%(title)9999999999s", "t", "s")
	f.Add("%(episode)-+0 200.200f%(height)i%%%(", "", "")
	f.Add("%(title)#q%(id)ls%(x)", "t", "s")
	f.Fuzz(func(t *testing.T, tmpl, title, series string) {
		fields := map[string]any{"title": title, "series": series, "episode": 3, "height": -1 << 63, "ext": "mp4", "id": "x"}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		out, err := expandTemplate(tmpl, fields)
		runtime.ReadMemStats(&after)
		if grew, bound := after.TotalAlloc-before.TotalAlloc, uint64(1<<20+4096*(len(tmpl)+len(title)+len(series))); grew > bound {
			t.Fatalf("%.60q allocated %d bytes (bound %d)", tmpl, grew, bound)
		}
		if err != nil {
			return
		}
		if filepath.IsAbs(out) || filepath.VolumeName(out) != "" {
			t.Fatalf("%q -> absolute %q", tmpl, out)
		}
		parts := strings.Split(filepath.ToSlash(out), "/")
		for _, part := range parts {
			if part == ".." || part == "" {
				t.Fatalf("%q -> %q leaves the folder", tmpl, out)
			}
			if len(part) > maxNameBytes {
				t.Fatalf("%q -> a name of %d bytes", tmpl, len(part))
			}
		}
		// Only the template's own separators make folders (field names
		// hold none, so every one of them is literal text).
		if seps := strings.Count(tmpl, "/") + strings.Count(tmpl, `\`); len(parts)-1 > seps {
			t.Fatalf("%q with title %q, series %q -> %q: %d folders from %d separators", tmpl, title, series, out, len(parts)-1, seps)
		}
	})
}
