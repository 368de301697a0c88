package download

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// writeArchive makes an archive file with content in a fresh folder.
func writeArchive(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "archive.txt")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// within runs f and fails the test if it has not returned after d: the
// archive must never block on what it is given.
func within(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("still blocked after %v", d)
	}
}

// TestArchive: lines are yt-dlp's "<site> <id>"; a last line without its
// newline is a record like any other (yt-dlp reads it so), and the next
// append completes it instead of cutting it off.
func TestArchive(t *testing.T) {
	path := writeArchive(t, "qq a00000000001\nyoutube xyz\r\n\n  qq   spaced  \nqq b0000")
	a, err := openArchive(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range [][2]string{{"qq", "a00000000001"}, {"QQ", "a00000000001"}, {"youtube", "xyz"}, {"qq", "spaced"}, {"qq", "b0000"}} {
		if !a.Has(k[0], k[1]) {
			t.Errorf("%s %s is not read as a record", k[0], k[1])
		}
	}
	if a.Has("qq", "xyz") || a.Has("qq", "b000") {
		t.Error("a record that is not in the file")
	}
	for range 2 { // once only
		if err := a.Add("qq", "c00000000003"); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := readString(t, path), "qq a00000000001\nyoutube xyz\r\n\n  qq   spaced  \nqq b0000\nqq c00000000003\n"; got != want {
		t.Errorf("archive file:\n%q\nwant\n%q", got, want)
	}
	b, err := openArchive(path)
	if err != nil || !b.Has("qq", "c00000000003") || !b.Has("qq", "b0000") {
		t.Errorf("reopened archive: %v", err)
	}
	missing := filepath.Join(t.TempDir(), "none")
	c, err := openArchive(missing)
	if err != nil {
		t.Fatalf("a missing archive is empty, not %v", err)
	}
	if err := c.Add("qq", "d1"); err != nil || readString(t, missing) != "qq d1\n" {
		t.Errorf("the first append to a missing archive: %v", err)
	}
}

// TestArchiveAppendsNeverErase: archives opened on one file (two vdl
// runs at once) append whole lines and never erase each other's, even
// when the file they both read ended inside a line.
func TestArchiveAppendsNeverErase(t *testing.T) {
	const runs, each = 4, 50
	path := writeArchive(t, "youtube torn")
	arcs := make([]*downloadArchive, runs)
	for i := range arcs {
		a, err := openArchive(path)
		if err != nil {
			t.Fatal(err)
		}
		arcs[i] = a
	}
	// One after the other first: the second run's first append used to
	// cut the file back to what it had read, losing the first run's line.
	if err := arcs[0].Add("qq", "first"); err != nil {
		t.Fatal(err)
	}
	if err := arcs[1].Add("qq", "second"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, runs*each)
	for i, a := range arcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range each {
				errs <- a.Add("qq", fmt.Sprintf("r%d-%d", i, n))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]int{"youtube torn": 0, "qq first": 0, "qq second": 0}
	for i := range runs {
		for n := range each {
			want[fmt.Sprintf("qq r%d-%d", i, n)] = 0
		}
	}
	for _, line := range strings.Split(readString(t, path), "\n") {
		if line == "" {
			continue // two runs completing one torn line leave an empty one: harmless
		}
		if _, ok := want[line]; !ok {
			t.Errorf("line %q: not one whole record", line)
			continue
		}
		want[line]++
	}
	for line, n := range want {
		if n != 1 {
			t.Errorf("%q is in the file %d times, want once", line, n)
		}
	}
}

// TestArchiveBadLines: an over-long or binary line is an error that
// names the file and the line, never a silent end of the records.
func TestArchiveBadLines(t *testing.T) {
	long := strings.Repeat("x", maxArchiveLine)
	tests := []struct {
		name, content string
		want          string // "" = read fine
	}{
		{"a line at the bound", "qq a\nqq " + long[3:] + "\nqq b\n", ""},
		{"a line over the bound", "qq a\nqq b\nqq " + long + "\nqq c\n", "line 3 is over 1 MiB"},
		{"a line of Chinese over the bound", "qq a\nqq b\nqq " + strings.Repeat("测", maxArchiveLine/3) + "\n", "line 3 is over 1 MiB"},
		{"the last line over the bound, unterminated", "qq a\nqq " + long, "line 2 is over 1 MiB"},
		{"a NUL byte", "qq a\nqq b\x00c\nqq c\n", "line 2 is not text"},
		{"zeros", strings.Repeat("\x00", 4096), "line 1 is not text"},
		{"an escape", "qq a\nqq b\nqq \x1b[2Jc\n", "line 3 is not text"},
		{"not UTF-8", "qq a\nqq \xff\xfe\n", "line 2 is not text"},
		{"a BOM", "\uFEFFqq a\nqq b\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeArchive(t, tt.content)
			a, err := openArchive(path)
			if tt.want == "" {
				if err != nil || !a.Has("qq", "a") || !a.Has("qq", "b") {
					t.Fatalf("openArchive: %v", err)
				}
				return
			}
			var de *DiskError
			if !errors.As(err, &de) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want a DiskError naming %s and %q", err, path, tt.want)
			}
			if strings.Contains(err.Error(), "\n") || len(err.Error()) > 300 {
				t.Errorf("error is not one short line: %q", err)
			}
		})
	}
}

// TestArchiveTooBig: a file over the bound is refused from its size,
// before a byte of it is read. (The e2e test gives a sparse 100 GiB
// file, which the old reader tried to allocate whole.)
func TestArchiveTooBig(t *testing.T) {
	for _, size := range []int64{maxArchiveBytes + 1, 1 << 30} {
		path := filepath.Join(t.TempDir(), "archive.txt")
		if err := os.WriteFile(path, []byte("qq a\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(path, size); err != nil {
			t.Skip("no sparse files here:", err)
		}
		var err error
		within(t, 10*time.Second, func() { _, err = openArchive(path) })
		var de *DiskError
		if !errors.As(err, &de) || !strings.Contains(err.Error(), "over 64 MiB") {
			t.Errorf("%d bytes: error %v", size, err)
		}
	}
	path := writeArchive(t, "qq a\n")
	if err := os.Truncate(path, maxArchiveBytes); err != nil {
		t.Fatal(err)
	}
	// At the bound it is read: zeros are not text, and the error says so.
	if _, err := openArchive(path); err == nil || !strings.Contains(err.Error(), "line 2 is not text") {
		t.Errorf("an archive at the bound: %v", err)
	}
}

// TestArchiveNotAFile: a folder or a link is refused with one line.
func TestArchiveNotAFile(t *testing.T) {
	dir := t.TempDir()
	target := writeArchive(t, "qq a\n")
	link := filepath.Join(dir, "link.txt")
	if err := os.Symlink(target, link); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	for path, want := range map[string]string{dir: "is a folder, not a regular file", link: "is a symbolic link"} {
		_, err := openArchive(path)
		var de *DiskError
		if !errors.As(err, &de) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v, want %q", path, err, want)
		}
	}
}

// TestArchiveKeys: whatever a site calls an item, its line is one
// record of two fields that reads back as itself: an id never adds a
// record of its own (a newline) or makes a line the reader refuses.
func TestArchiveKeys(t *testing.T) {
	ids := []string{"a b", "x\nqq evil", "tab\there", "nul\x00", "\xff\xfe", "esc\x1b[0m", "e\u2028f", strings.Repeat("u", 3*maxArchiveLine), ""}
	path := filepath.Join(t.TempDir(), "archive.txt")
	a, err := openArchive(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if err := a.Add("generic", id); err != nil {
			t.Fatal(err)
		}
	}
	data := readString(t, path)
	if n := strings.Count(data, "\n"); n != len(ids) {
		t.Errorf("%d lines for %d ids:\n%q", n, len(ids), data)
	}
	if len(data) > 64<<10 {
		t.Errorf("the archive takes %d bytes for %d ids", len(data), len(ids))
	}
	b, err := openArchive(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if !b.Has("generic", id) {
			t.Errorf("%q is not found after a reopen", id)
		}
	}
	if b.Has("qq", "evil") {
		t.Error("an id's newline made a record")
	}
	if b.Has("generic", "a_c") || b.Has("generic", "nul") {
		t.Error("a record that was never added")
	}
}

// FuzzArchive: the reader never panics; what it accepts, it accepts
// whole (every line of two fields is a record, nothing else is), and
// what it refuses it refuses with the line's number.
func FuzzArchive(f *testing.F) {
	for _, s := range []string{"qq a\nyoutube b\n", "qq a", "\n\n", "qq a b\nqq\n", "\x00", "qq \xff\n", "\uFEFFqq a\r\n", "a b\r\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		have := map[string]bool{}
		err := readArchive(bytes.NewReader(data), have)
		lines := strings.Split(string(data), "\n")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "line ") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q does not name a line", err)
			}
			var n int
			if _, serr := fmt.Sscanf(err.Error(), "line %d ", &n); serr != nil || n < 1 || n > len(lines) {
				t.Fatalf("error %q: line out of range (%d lines)", err, len(lines))
			}
			return
		}
		want := map[string]bool{}
		for i, l := range lines {
			if i == 0 {
				l = strings.TrimPrefix(l, "\uFEFF")
			}
			if f := strings.Fields(l); len(f) == 2 {
				want[f[0]+" "+f[1]] = true
			}
		}
		if len(have) != len(want) {
			t.Fatalf("read %d records, want %d", len(have), len(want))
		}
		for k := range want {
			if !have[k] {
				t.Fatalf("record %q hidden", k)
			}
		}
	})
}

// FuzzArchiveKey: every line the archive writes is one record the reader
// takes back, within the bounds.
func FuzzArchiveKey(f *testing.F) {
	f.Add("qq", "a00000000001")
	f.Add("generic", "http://h/x y.mp4\n")
	f.Add("", "\x00\xff")
	f.Fuzz(func(t *testing.T, site, id string) {
		key := archiveKey(site, id)
		if len(key) > 2*maxArchiveID+1 {
			t.Fatalf("key of %d bytes", len(key))
		}
		have := map[string]bool{}
		if err := readArchive(strings.NewReader(key+"\n"), have); err != nil || len(have) != 1 || !have[key] {
			t.Fatalf("line %q reads back as %v, %v", key, have, err)
		}
	})
}
