package main

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vdlproject/vdl/internal/fakeqq"
	ms "github.com/vdlproject/vdl/internal/mediaserver"
)

// What a server puts in a name (Content-Disposition, the URL's path, a
// series title) is the server's value, never the user's: it never takes
// the name of one of vdl's own files, never steps out of or around a
// folder, never hides its extension behind bidi controls and never ends
// in an extension that runs something.

// servedFile is one file of a naming server: its Content-Disposition
// (none if "") and Content-Type.
type servedFile struct {
	path, disposition, ctype string
	body                     []byte
}

// nameServer serves files by path, with ranges, under the names they
// claim.
func nameServer(t *testing.T, files ...servedFile) *httptest.Server {
	t.Helper()
	return hostile(t, func(w http.ResponseWriter, r *http.Request) {
		for _, f := range files {
			if r.URL.EscapedPath() == f.path {
				if f.disposition != "" {
					w.Header().Set("Content-Disposition", f.disposition)
				}
				w.Header().Set("Content-Type", cmp.Or(f.ctype, "video/mp4"))
				http.ServeContent(w, r, "", time.Unix(1700000000, 0), bytes.NewReader(f.body))
				return
			}
		}
		http.NotFound(w, r)
	})
}

// fileWith finds the file of dir (at any depth) that holds exactly body.
func fileWith(t *testing.T, dir string, body []byte) string {
	t.Helper()
	found := ""
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if b, _ := os.ReadFile(p); bytes.Equal(b, body) {
				found = p
			}
		}
		return nil
	})
	if found == "" {
		t.Errorf("no file of %s holds the served bytes: %v", dir, listTree(dir))
	}
	return found
}

// listTree names every entry below dir, relative to it.
func listTree(dir string) []string {
	var got []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && p != dir {
			got = append(got, strings.TrimPrefix(p, dir+string(filepath.Separator)))
		}
		return nil
	})
	return got
}

// journalLines reads a journal, each line of which must be an item's JSON.
func journalLines(t *testing.T, dir string) []map[string]any {
	t.Helper()
	path := filepath.Join(dir, "vdl-journal.jsonl")
	st, err := os.Lstat(path)
	if err != nil || !st.Mode().IsRegular() {
		t.Fatalf("the journal is not a file: %v %v", st, err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("the journal has a line that is not an item's JSON (%v): %.80q", err, sc.Text())
		}
		lines = append(lines, line)
	}
	return lines
}

// TestNamesNeverVdlOwnFiles: a server naming its file like vdl's journal
// or like a work folder gets a media name: the journal stays a journal,
// the file keeps its bytes, and "x.mp4.vdl" does not block "x.mp4".
func TestNamesNeverVdlOwnFiles(t *testing.T) {
	files := []servedFile{
		{path: "/a", disposition: `attachment; filename="vdl-journal.jsonl"`, body: ms.RandomBytes(20_000)},
		{path: "/b", disposition: `attachment; filename="x.mp4.vdl"`, body: ms.RandomBytes(21_000)},
		{path: "/c", disposition: `attachment; filename="x.mp4"`, body: ms.RandomBytes(22_000)},
		{path: "/d", disposition: `attachment; filename="VDL-JOURNAL.JSONL"`, body: ms.RandomBytes(23_000)},
	}
	s := nameServer(t, files...)
	dir := t.TempDir()
	args := []string{"-q", "-d", dir}
	for _, f := range files {
		args = append(args, s.URL+f.path)
	}
	for run := 1; run <= 2; run++ {
		r := runVDL(t, nil, args...)
		if r.code != 0 {
			t.Fatalf("run %d: exit %d: %s", run, r.code, r.stderr)
		}
	}
	for _, f := range files {
		got := fileWith(t, dir, f.body)
		if name := strings.ToLower(filepath.Base(got)); name == "vdl-journal.jsonl" || strings.HasSuffix(name, ".vdl") {
			t.Errorf("%s saved under one of vdl's own names: %s", f.path, got)
		}
	}
	if got := filepath.Join(dir, "x.mp4"); fileWith(t, dir, files[2].body) != got {
		t.Errorf("x.mp4 is not where its name says: %v", listTree(dir))
	}
	lines := journalLines(t, dir)
	var outcomes []string
	for _, l := range lines {
		outcomes = append(outcomes, l["outcome"].(string))
	}
	want := []string{"downloaded", "downloaded", "downloaded", "downloaded", "skipped", "skipped", "skipped", "skipped"}
	if !slices.Equal(outcomes, want) {
		t.Errorf("journal outcomes %v, want %v", outcomes, want)
	}
}

// retitled serves the fake site with the 2026 series renamed to title in
// every page and API reply: a hostile series title.
type retitled struct {
	next  http.Handler
	title string
}

func (h retitled) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	h.next.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	if ct := rec.Header().Get("Content-Type"); strings.HasPrefix(ct, "text/") || strings.Contains(ct, "json") || strings.Contains(ct, "javascript") {
		body = bytes.ReplaceAll(body, []byte(fakeqq.Title2026), []byte(h.title))
		rec.Header().Del("Content-Length")
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(body)
}

func startRetitledQQ(t *testing.T, title string) *fakeqq.Proxy {
	t.Helper()
	site, err := fakeqq.New(fakeqq.Config{MediaDir: "../../testdata/media", PagesDir: "../../testdata/fakeqq"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := fakeqq.StartProxy(retitled{next: site, title: title}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	t.Setenv("SSL_CERT_FILE", p.CAFile)
	return p
}

// TestNamesHostileSeriesTitles: a series titled like vdl's journal, "..",
// "." or a work folder is downloaded (exit 0) into a folder of its own
// below -d, and the journal stays a file of JSON lines.
func TestNamesHostileSeriesTitles(t *testing.T) {
	for _, title := range []string{"vdl-journal.jsonl", "..", ".", "....", "E.mp4.vdl"} {
		t.Run(title, func(t *testing.T) {
			p := startRetitledQQ(t, title)
			dir := t.TempDir()
			r := runVDL(t, nil, "-q", "--proxy", p.URL, "-d", dir, "-I", "1-2", qq2026Series)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if lines := journalLines(t, dir); len(lines) != 2 {
				t.Errorf("journal has %d lines, want 2", len(lines))
			}
			eps, _ := filepath.Glob(filepath.Join(dir, "*", "Season 01", "* - S01E0[12].mp4"))
			if len(eps) != 2 {
				t.Fatalf("episodes %v, want two in a series folder: %v", eps, listTree(dir))
			}
			show := filepath.Dir(filepath.Dir(eps[0]))
			folder := filepath.Base(show)
			if l := strings.ToLower(folder); l == "vdl-journal.jsonl" || strings.HasSuffix(l, ".vdl") || strings.Trim(l, ". ") == "" {
				t.Errorf("series folder %q", folder)
			}
			if st, err := os.Lstat(show); err != nil || !st.IsDir() || filepath.Dir(show) != dir {
				t.Errorf("series folder %s is not a folder of -d", show)
			}
		})
	}
}

// TestNamesOfDotsAndUndecodableBytes: server names that are only dots,
// only an extension, or bytes that are no text become a safe name with
// the right extension, at exit 0 (a server's name is never the user's
// mistake).
func TestNamesOfDotsAndUndecodableBytes(t *testing.T) {
	tests := []struct{ name, path, disposition string }{
		{"..", "/f", `attachment; filename=".."`},
		{".", "/f", `attachment; filename="."`},
		{"....", "/f", `attachment; filename="...."`},
		{".mp4", "/f", `attachment; filename=".mp4"`},
		{"raw undecodable bytes", "/f", "attachment; filename=\"\xff\xfe\""},
		{"encoded undecodable bytes", "/f", `attachment; filename*=UTF-8''%FF%FE.mp4`},
		{"empty, URL path ..", "/%2e%2e", `attachment; filename=""`},
		{"URL path ...mp4", "/...mp4", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := ms.RandomBytes(10_000)
			dir, name := downloadServed(t, servedFile{path: tt.path, disposition: tt.disposition, body: body})
			stem, ok := strings.CutSuffix(name, ".mp4")
			if !ok || stem == "" || strings.HasPrefix(name, ".") || !utf8.ValidString(name) || strings.ContainsRune(name, utf8.RuneError) {
				t.Errorf("saved as %q: want a visible, valid name ending in .mp4", name)
			}
			if got, _ := os.ReadFile(filepath.Join(dir, name)); !bytes.Equal(got, body) {
				t.Error("not the served bytes")
			}
		})
	}
}

// TestNamesLoseBidiControlsAndUnsafeExtensions: a server-chosen name
// loses bidi overrides and other invisible format characters, and an
// extension that is not media's gets one that is (yt-dlp restricts
// extensions since CVE-2024-38519); a media extension is kept as served.
func TestNamesLoseBidiControlsAndUnsafeExtensions(t *testing.T) {
	tests := []struct {
		name, path, disposition, ctype string
		want                           string // exact name, or "" for: contains keep, safe extension
		keep                           string
	}{
		{name: "RLO .exe", path: "/f", disposition: `attachment; filename*=UTF-8''%E2%80%AEevil%E2%80%AC4pm.exe`, keep: "evil4pm.exe"},
		{name: "isolates around a media name", path: "/f", disposition: "attachment; filename=\"\u2066clip\u2069\u200f.mp4\"", want: "clip.mp4"},
		{name: "shell script", path: "/f", disposition: `attachment; filename="run.sh"`, ctype: "application/octet-stream", keep: "run.sh"},
		{name: "desktop entry", path: "/f", disposition: `attachment; filename="app.desktop"`, keep: "app.desktop"},
		{name: "exe in the URL path", path: "/setup.EXE", ctype: "application/octet-stream", keep: "setup.EXE"},
		{name: "media extension kept", path: "/f", disposition: `attachment; filename="Video.MKV"`, ctype: "video/x-matroska", want: "Video.MKV"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := ms.RandomBytes(10_000)
			dir, name := downloadServed(t, servedFile{path: tt.path, disposition: tt.disposition, ctype: tt.ctype, body: body})
			if strings.ContainsFunc(name, func(r rune) bool { return unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Bidi_Control, r) }) {
				t.Errorf("saved as %+q: bidi or format characters kept", name)
			}
			switch ext := strings.ToLower(filepath.Ext(name)); {
			case tt.want != "" && name != tt.want:
				t.Errorf("saved as %+q, want %q", name, tt.want)
			case tt.want == "" && (!strings.HasPrefix(name, tt.keep+".") || ext != ".mp4" && ext != ".bin"):
				t.Errorf("saved as %+q, want %q with a media extension appended", name, tt.keep)
			}
			if got, _ := os.ReadFile(filepath.Join(dir, name)); !bytes.Equal(got, body) {
				t.Error("not the served bytes")
			}
		})
	}
}

// TestNamesSeriesFolderLinkIsRefused: a series folder replaced by a
// symbolic link is refused the same way for every episode, finished or
// new: nothing is recognised, written or planned through the link.
func TestNamesSeriesFolderLinkIsRefused(t *testing.T) {
	_, proxy := startFakeQQ(t, fakeqq.Config{})
	dir, elsewhere := t.TempDir(), t.TempDir()
	args := []string{"--proxy", proxy.URL, "-d", dir, "--write-subs", "-I", "1", qq2026Series}
	if r := runVDL(t, nil, args...); r.code != 0 {
		t.Fatalf("first run: exit %d: %s", r.code, r.stderr)
	}
	folder := filepath.Join(dir, fakeqq.Title2026+" ("+fakeqq.Year2026+")")
	moved := filepath.Join(elsewhere, "real")
	if err := os.Rename(folder, moved); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(moved, folder); err != nil {
		t.Fatal(err)
	}
	subs, _ := filepath.Glob(filepath.Join(moved, "Season 01", "*.srt"))
	vtts, _ := filepath.Glob(filepath.Join(moved, "Season 01", "*.vtt"))
	if len(subs) != 1 || len(vtts) != 1 {
		t.Fatalf("the first run wrote subtitles %v %v, want an .srt and a .vtt", subs, vtts)
	}
	for _, p := range append(subs, vtts...) {
		os.Remove(p) // a rerun that wrote through the link would bring them back
	}
	before := listTree(moved)

	args[len(args)-2] = "1-2" // E01 finished behind the link, E02 new
	r := runVDL(t, nil, args...)
	if r.code != exitDisk {
		t.Errorf("rerun through the link: exit %d, want %d: %s", r.code, exitDisk, r.stderr)
	}
	if c := strings.Count(r.stderr, "symbolic link"); c < 2 {
		t.Errorf("both episodes should be refused for the link: %s", r.stderr)
	}
	for _, l := range journalLines(t, dir)[1:] {
		if l["outcome"] != "failed" {
			t.Errorf("episode %v: %v through the link, want failed", l["episode"], l["outcome"])
		}
	}
	r = runVDL(t, nil, append([]string{"--dry-run"}, args...)...)
	if r.code == 0 || !strings.Contains(r.stderr, "symbolic link") {
		t.Errorf("--dry-run plans through the link: exit %d: %s", r.code, r.stderr)
	}
	if after := listTree(moved); !slices.Equal(before, after) {
		t.Errorf("written through the link: %v, was %v", after, before)
	}
}

// downloadServed downloads one file the name server serves into a fresh
// folder (exit 0 wanted) and returns the folder and the one name saved.
func downloadServed(t *testing.T, f servedFile) (dir, name string) {
	t.Helper()
	s := nameServer(t, f)
	dir = t.TempDir()
	r := runVDL(t, nil, "-q", "-d", dir, s.URL+f.path)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	entries := listTree(dir)
	if len(entries) != 1 {
		t.Fatalf("dir holds %v, want one file", entries)
	}
	return dir, entries[0]
}
