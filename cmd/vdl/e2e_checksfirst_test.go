package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/vdlproject/vdl/internal/fakeqq"
)

// TestArchiveCheckedBeforeAnyRequest: a series URL (and a single
// episode's) with an archive vdl cannot append to (a symbolic link, a
// folder) stops at once, before the site is asked anything.
func TestArchiveCheckedBeforeAnyRequest(t *testing.T) {
	site, proxy := startFakeQQ(t, fakeqq.Config{})
	dir := t.TempDir()
	target := filepath.Join(dir, "real.txt")
	if err := os.WriteFile(target, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.txt")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(dir, "folder")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, archive := range []string{link, folder} {
		for _, url := range []string{qq2026Series, qq2026Ep(1)} {
			r := runVDL(t, nil, "--proxy", proxy.URL, "-d", t.TempDir(), "--download-archive", archive, url)
			if r.code != exitDisk {
				t.Errorf("%s, %s: exit %d, want %d: %s", filepath.Base(archive), url, r.code, exitDisk, r.stderr)
			}
			oneErrorLine(t, r.stderr, "download archive")
		}
	}
	if n := site.Calls("page") + site.Calls("proxyhttp") + site.Calls("getpage"); n != 0 {
		t.Errorf("the site was asked %d times before the archive was refused", n)
	}
}
