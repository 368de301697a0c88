package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/vdlproject/vdl/download"
)

// TestSameTitleAnotherVideo: a joined download has no size known in
// advance, so only its recorded identity proves that a file of the same
// name is this video. Another file there (untagged) is never taken for
// it; the download takes the next free name. A rerun of the real one is
// recognised even without the extended attribute (vdl's own record), and
// no longer once the file was changed.
func TestSameTitleAnotherVideo(t *testing.T) {
	site := hlsSite(t)
	_, want := plainTS(t)
	dir := t.TempDir()
	other := filepath.Join(dir, "plain.ts")
	if err := os.WriteFile(other, []byte("another video with the same title"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runVDL(t, nil, "-q", "--remux", "ts", "-d", dir, site.URL("/plain/index.m3u8"))
	got := filepath.Join(dir, "plain (2).ts")
	if r.code != 0 || !fileExists(got) || sha(t, got) != sha256Of(want) {
		t.Fatalf("exit %d, %s: want the download in %s", r.code, r.stderr, got)
	}
	if b, _ := os.ReadFile(other); string(b) != "another video with the same title" {
		t.Error("the other file was touched")
	}
	// Without the attribute, vdl's record still proves what the file is.
	_ = unix.Removexattr(got, download.IdentityAttr)
	before := site.RequestsFor("/plain/seg000.ts")
	r = runVDL(t, nil, "--remux", "ts", "-d", dir, site.URL("/plain/index.m3u8"))
	if r.code != 0 || !strings.Contains(r.stderr, "already downloaded") || site.RequestsFor("/plain/seg000.ts") != before {
		t.Errorf("rerun: exit %d, %q; want a skip without fetching", r.code, r.stderr)
	}
	// Changed since: no longer proven, so a third name is taken.
	if err := os.WriteFile(got, []byte("edited"), 0o644); err != nil {
		t.Fatal(err)
	}
	_ = unix.Removexattr(got, download.IdentityAttr)
	r = runVDL(t, nil, "-q", "--remux", "ts", "-d", dir, site.URL("/plain/index.m3u8"))
	if r.code != 0 || !fileExists(filepath.Join(dir, "plain (3).ts")) {
		t.Errorf("after an edit: exit %d, %s; want plain (3).ts", r.code, r.stderr)
	}
}
