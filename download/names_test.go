package download

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vdlproject/vdl/extractors"
)

func TestSanitizeName(t *testing.T) {
	long := strings.Repeat("长", 100) + ".mp4" // 300 bytes of 3-byte runes
	tests := []struct{ in, want string }{
		{"Episode 1.mp4", "Episode 1.mp4"},
		{"../../etc/passwd", "_.._etc_passwd"},
		{"a/b\\c.mp4", "a_b_c.mp4"},
		{"..", "download"},
		{"", "download"},
		{"  .hidden. ", "hidden"},
		{"tab\there\x00nul\x7f.ts", "tabhere_nul.ts"},
		{"what?: <yes>|no*.mp4", "what__ _yes__no_.mp4"},
		// Names Windows keeps for devices, and trailing dots and spaces.
		{"CON", "_CON"},
		{"nul.txt", "_nul.txt"},
		{"Com1.mp4", "_Com1.mp4"},
		{"aux .mp4", "_aux .mp4"},
		{"LPT¹.ts", "_LPT¹.ts"},
		{"COM10.mp4", "COM10.mp4"},
		{"console.mp4", "console.mp4"},
		{"title. . .", "title"},
		{"title.mp4 . ", "title.mp4"},
	}
	for _, tt := range tests {
		if got := sanitizeName(tt.in); got != tt.want {
			t.Errorf("sanitizeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	got := sanitizeName(long)
	if len(got) > maxNameBytes || !strings.HasSuffix(got, ".mp4") || !strings.HasPrefix(got, "长") {
		t.Errorf("long name cut badly: %d bytes %q", len(got), got)
	}
}

// TestMakeParentsNeverFollowsLinks: a template's folders are made under
// the root, and a link in the way is refused, its target untouched.
func TestMakeParentsNeverFollowsLinks(t *testing.T) {
	root, elsewhere := t.TempDir(), t.TempDir()
	if err := makeParents(root, filepath.Join(root, "show", "season 1", "e1.mp4")); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(filepath.Join(root, "show", "season 1")); err != nil || !st.IsDir() {
		t.Fatalf("folders not made: %v", err)
	}
	if err := os.Symlink(elsewhere, filepath.Join(root, "linked")); err != nil {
		t.Fatal(err)
	}
	err := makeParents(root, filepath.Join(root, "linked", "sub", "e1.mp4"))
	var de *DiskError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("got %v, want a DiskError naming the link", err)
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
		t.Error("a folder was made through the link")
	}
}

// TestSeriesNames: a series' episode is named by its number; an item the
// site leaves unnumbered (a special) gets no "E00" nor a borrowed number.
func TestSeriesNames(t *testing.T) {
	d := &Downloader{opts: Options{Dir: "out"}}
	f := &extractors.Format{ID: "shd", Container: "mp4"}
	for _, tc := range []struct {
		episode int
		want    string
	}{
		{7, filepath.Join("out", "剧", "剧 - E07 - 第07集.mp4")},
		{0, filepath.Join("out", "剧", "剧 - 花絮.mp4")},
	} {
		title := "第07集"
		if tc.episode == 0 {
			title = "花絮"
		}
		m := &extractors.Media{Title: title, Series: "剧", Episode: tc.episode}
		got, templated, err := d.outputPath(m, f, &entryInfo{series: "剧", episode: tc.episode})
		if err != nil || !templated || got != tc.want {
			t.Errorf("episode %d: %q (%v, %v), want %q", tc.episode, got, templated, err, tc.want)
		}
	}
}
