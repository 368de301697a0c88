package download

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
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
		{"..", "_"},
		{"", "_"},
		{"....", "_"},
		{"\xff\xfe", "_"},
		// Bidi controls and other invisible format characters go; the
		// joiners stay.
		{"\u202eevil\u202c4pm.exe", "evil4pm.exe"},
		{"\u2066a\u2069\u200e\u200f\u061c\u200b\ufeff\u00ad\u2028b.mp4", "ab.mp4"},
		{"میخواهم\u200c.mp4", "میخواهم\u200c.mp4"},
		// vdl's own names are never a media name (nor folder).
		{"vdl-journal.jsonl", "vdl-journal.jsonl_"},
		{"VDL-Journal.JSONL", "VDL-Journal.JSONL_"},
		{"x.mp4.vdl", "x.mp4.vdl_"},
		{"x.mp4.VDL. ", "x.mp4.VDL_"},
		{"vdl-journal.jsonl.mp4", "vdl-journal.jsonl.mp4"},
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
	// A cut that would end in ".vdl" (the extension too long to keep).
	cut := strings.Repeat("a", maxNameBytes-4) + ".vdl" + "." + strings.Repeat("x", 20)
	if got := sanitizeName(cut); ownName(got) || len(got) > maxNameBytes {
		t.Errorf("cut to %q", got)
	}
}

// TestServerNames: a server's file name keeps a media extension, else
// gets the format's; a name of nothing but dots, or of bytes that are no
// text, becomes "_" with the extension; a title's dots are never an
// extension.
func TestServerNames(t *testing.T) {
	for _, tt := range []struct{ in, ext, want string }{
		{"Episode 1.mp4", "mp4", "Episode 1.mp4"},
		{"Video.MKV", "mkv", "Video.MKV"},
		{"clip.webm", "mp4", "clip.webm"},
		{"file.bin", "bin", "file.bin"},
		{"..", "mp4", "_.mp4"},
		{".", "mp4", "_.mp4"},
		{"....", "mp4", "_.mp4"},
		{".mp4", "mp4", "_.mp4"},
		{"..mp4", "mp4", "_.mp4"},
		{"\xff\xfe", "mp4", "_.mp4"},
		{"\xff\xfe.mp4", "mp4", "_.mp4"},
		{"", "ts", "_.ts"},
		{"\u202eevil\u202c4pm.exe", "mp4", "evil4pm.exe.mp4"},
		{"run.sh", "bin", "run.sh.bin"},
		{"app.desktop", "mp4", "app.desktop.mp4"},
		{"x.exe.", "mp4", "x.exe.mp4"},
		{"x.mp4 . ", "mp4", "x.mp4"},
		{"vdl-journal.jsonl", "mp4", "vdl-journal.jsonl.mp4"},
		{"x.mp4.vdl", "mp4", "x.mp4.vdl.mp4"},
		{".hidden.mp4", "mp4", "hidden.mp4"},
		{"CON.mp4", "mp4", "_CON.mp4"},
		{"a/../b.mp4", "mp4", "a_.._b.mp4"},
	} {
		if got := serverName(tt.in, tt.ext); got != tt.want {
			t.Errorf("serverName(%+q, %q) = %+q, want %+q", tt.in, tt.ext, got, tt.want)
		}
	}
	for _, tt := range []struct{ in, ext, want string }{
		{"Movie.mp4", "ts", "Movie.mp4.ts"}, // --remux ts: the title's ".mp4" is no extension
		{"Learn Go 1.21", "mp4", "Learn Go 1.21.mp4"},
		{"..", "mp4", "_.mp4"},
		{"", "mp4", "_.mp4"},
		{"vdl-journal", "jsonl", "vdl-journal.jsonl_"},
	} {
		if got := titleName(tt.in, tt.ext); got != tt.want {
			t.Errorf("titleName(%q, %q) = %q, want %q", tt.in, tt.ext, got, tt.want)
		}
	}
}

func TestSafeExt(t *testing.T) {
	for _, tt := range []struct {
		f    extractors.Format
		want string
	}{
		{extractors.Format{Container: "mp4"}, "mp4"},
		{extractors.Format{Container: "ts"}, "mp4"}, // remuxed
		{extractors.Format{Container: "ts", Plain: true}, "ts"},
		{extractors.Format{Container: "exe", Plain: true}, "bin"},
		{extractors.Format{Container: "jsonl", Plain: true}, "bin"},
		{extractors.Format{Container: "", Plain: true}, "bin"},
	} {
		if got := safeExt(&tt.f, false); got != tt.want {
			t.Errorf("safeExt(%q, plain %v) = %q, want %q", tt.f.Container, tt.f.Plain, got, tt.want)
		}
	}
}

// TestHostileFieldValues: a site's values fill a template as names: a
// series "..", "." or "vdl-journal.jsonl" is a folder of its own under
// -d, never a step out of it, a dropped level or vdl's journal; a server
// file name that is vdl's or executable gets a media extension.
func TestHostileFieldValues(t *testing.T) {
	d := &Downloader{opts: Options{Dir: "out"}}
	f := &extractors.Format{ID: "shd", Container: "mp4"}
	for _, tt := range []struct {
		series, title string
		want          string
	}{
		{"..", "..", filepath.Join("out", "_", "Season 01", "_ - S01E03.mp4")},
		{".", "t", filepath.Join("out", "_", "Season 01", "_ - S01E03 - t.mp4")},
		{" . . ", "\u202e\u202c", filepath.Join("out", "_", "Season 01", "_ - S01E03 - _.mp4")},
		{".hidden", "t", filepath.Join("out", "hidden", "Season 01", "hidden - S01E03 - t.mp4")},
		{"vdl-journal.jsonl", "t", filepath.Join("out", "vdl-journal.jsonl_", "Season 01", "vdl-journal.jsonl - S01E03 - t.mp4")},
		{"S.mp4.vdl", "t", filepath.Join("out", "S.mp4.vdl_", "Season 01", "S.mp4.vdl - S01E03 - t.mp4")},
		{"a/b", "c\\d", filepath.Join("out", "a_b", "Season 01", "a_b - S01E03 - c_d.mp4")},
	} {
		m := &extractors.Media{Title: tt.title, Series: tt.series, Episode: 3}
		got, _, err := d.outputPath(&task{m: m, f: f, series: tt.series, episode: 3})
		if err != nil || got != tt.want {
			t.Errorf("series %q, title %q: %q (%v), want %q", tt.series, tt.title, got, err, tt.want)
		}
	}
	// A template of the user's own: the value, never the user, is changed.
	d.opts.Output = "%(title)s.%(ext)s"
	if got, _, err := d.outputPath(&task{m: &extractors.Media{Title: "...."}, f: f}); err != nil || got != filepath.Join("out", "_.mp4") {
		t.Errorf("title ....: %q (%v)", got, err)
	}
	d.opts.Output = "%(title)s"
	if got, _, err := d.outputPath(&task{m: &extractors.Media{Title: "vdl-journal.jsonl"}, f: f}); err != nil || got != filepath.Join("out", "vdl-journal.jsonl_") {
		t.Errorf("title vdl-journal.jsonl: %q (%v)", got, err)
	}
	d.opts.Output = "../%(title)s.mp4" // the user's own mistake stays one
	if _, _, err := d.outputPath(&task{m: &extractors.Media{Title: "t"}, f: f}); !errors.Is(err, ErrBadTemplate) {
		t.Errorf("../ template: %v, want ErrBadTemplate", err)
	}
	d.opts.Output = ""
	plain := &extractors.Format{ID: "direct", Container: "exe", Plain: true}
	if got, _, err := d.outputPath(&task{m: &extractors.Media{FileName: "vdl-journal.jsonl", Title: "vdl-journal"}, f: plain}); err != nil || got != filepath.Join("out", "vdl-journal.jsonl.bin") {
		t.Errorf("served vdl-journal.jsonl: %q (%v)", got, err)
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

// TestOutputPathRefusesLinkedFolders: a series folder replaced by a link
// is refused before anything below it is read, for a finished episode
// as for a new one (the same check makeParents makes), and a plain file
// in the way of a folder too.
func TestOutputPathRefusesLinkedFolders(t *testing.T) {
	root, elsewhere := t.TempDir(), t.TempDir()
	d := &Downloader{opts: Options{Dir: root}}
	f := &extractors.Format{ID: "shd", Container: "mp4"}
	m := &extractors.Media{Title: "t", Series: "show", Episode: 1}
	e := &task{m: m, f: f, series: "show", episode: 1}
	want := filepath.Join(root, "show", "Season 01", "show - S01E01 - t.mp4")
	if got, _, err := d.outputPath(e); err != nil || got != want {
		t.Fatalf("no folder yet: %q (%v)", got, err)
	}
	os.MkdirAll(filepath.Join(elsewhere, "Season 01"), 0o755)
	os.WriteFile(filepath.Join(elsewhere, "Season 01", "show - S01E01 - t.mp4"), []byte("x"), 0o644)
	if err := os.Symlink(elsewhere, filepath.Join(root, "show")); err != nil {
		t.Fatal(err)
	}
	for _, call := range []struct {
		name string
		do   func() error
	}{
		{"outputPath", func() error { _, _, err := d.outputPath(e); return err }},
		{"pickOutput", func() error { _, err := d.pickOutput(e); return err }},
		{"makeParents", func() error { return makeParents(root, want) }},
	} {
		var de *DiskError
		if err := call.do(); !errors.As(err, &de) || !strings.Contains(err.Error(), "symbolic link") {
			t.Errorf("%s: %v, want a DiskError naming the link", call.name, err)
		}
	}
	os.Remove(filepath.Join(root, "show"))
	os.WriteFile(filepath.Join(root, "show"), nil, 0o644)
	if _, _, err := d.outputPath(e); err == nil || !strings.Contains(err.Error(), "in the way") {
		t.Errorf("a file in the way of the folder: %v", err)
	}
}

// TestCheckParents: the folders still to make, outermost first; none for
// an output that is not below the root.
func TestCheckParents(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "a"), 0o755)
	for _, tt := range []struct {
		root, out string
		want      []string
	}{
		{root, filepath.Join(root, "x.mp4"), nil},
		{root, filepath.Join(root, "a", "x.mp4"), nil},
		{root, filepath.Join(root, "a", "b", "c", "x.mp4"), []string{filepath.Join(root, "a", "b"), filepath.Join(root, "a", "b", "c")}},
		{root, filepath.Join(root, "n", "x.mp4"), []string{filepath.Join(root, "n")}},
		{".", "/elsewhere/x.mp4", nil}, // an absolute -o: the user's own path
	} {
		got, err := checkParents(tt.root, tt.out)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("checkParents(%q, %q) = %q (%v), want %q", tt.root, tt.out, got, err, tt.want)
		}
	}
}
