package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

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

// TestBatchArchivedItemsAskNothing: on a rerun of a batch with
// --download-archive, the items whose record is known from their URL
// (a plain file, a v.qq.com episode) are skipped before any request.
func TestBatchArchivedItemsAskNothing(t *testing.T) {
	media, err := os.ReadFile("../../testdata/media/source/source.mp4")
	if err != nil {
		t.Fatal(err)
	}
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "video/mp4")
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(media))
	}))
	defer srv.Close()
	site, proxy := startFakeQQ(t, fakeqq.Config{})
	for _, tc := range []struct {
		name  string
		lines string
		proxy []string
		asked func() int64
	}{
		{"plain files", srv.URL + "/a.mp4\n" + srv.URL + "/b.mp4\n", nil, hits.Load},
		{"v.qq.com episodes", qq2026Ep(2) + "\n" + qq2026Ep(3) + "\n", []string{"--proxy", proxy.URL},
			func() int64 { return int64(site.Calls("page") + site.Calls("proxyhttp")) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			list := filepath.Join(t.TempDir(), "list.txt")
			if err := os.WriteFile(list, []byte(tc.lines), 0o644); err != nil {
				t.Fatal(err)
			}
			archive := filepath.Join(t.TempDir(), "archive.txt")
			args := append([]string{"--download-archive", archive, "-d", dir, "-a", list}, tc.proxy...)
			if r := runVDL(t, nil, args...); r.code != 0 {
				t.Fatalf("first run: exit %d: %s", r.code, r.stderr)
			}
			before := tc.asked()
			if before == 0 {
				t.Fatal("the first run asked nothing")
			}
			r := runVDL(t, nil, args...)
			if r.code != 0 || !strings.Contains(r.stderr, "2 skipped") {
				t.Fatalf("rerun: exit %d: %s", r.code, r.stderr)
			}
			if n := tc.asked() - before; n != 0 {
				t.Errorf("the rerun made %d requests about archived items", n)
			}
		})
	}
}

// TestJournalCheckedBeforeAnyRequest: a folder at the journal's name
// stops a series run at once, before the site is asked anything (the
// list would only find it after its listing).
func TestJournalCheckedBeforeAnyRequest(t *testing.T) {
	site, proxy := startFakeQQ(t, fakeqq.Config{})
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "vdl-journal.jsonl"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := runVDL(t, nil, "--proxy", proxy.URL, "-d", dir, qq2026Series)
	if r.code != exitDisk {
		t.Fatalf("exit %d, want %d: %s", r.code, exitDisk, r.stderr)
	}
	oneErrorLine(t, r.stderr, "journal")
	if n := site.Calls("page") + site.Calls("getpage"); n != 0 {
		t.Errorf("the site was asked %d times first", n)
	}
}
