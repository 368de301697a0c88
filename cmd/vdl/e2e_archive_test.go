package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/vdlproject/vdl/internal/fakeqq"
)

// runBounded runs the binary with a deadline and a cap on its memory, so
// that a regression (an archive read without end, a pipe waited on)
// fails the test instead of hanging it or exhausting the machine.
func runBounded(t *testing.T, deadline time.Duration, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	// 8 GiB of address space: far above what vdl needs, far below RAM.
	cmd := exec.CommandContext(ctx, "/bin/sh", append([]string{"-c", `ulimit -v 8388608 && exec "$0" "$@"`, vdlBin}, args...)...)
	cmd.WaitDelay = time.Second
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("vdl still running after %v (killed): %s", deadline, errb.String())
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return result{out.String(), errb.String(), cmd.ProcessState.ExitCode()}
}

// TestArchiveTornLastLineKept: an archive whose last line lacks its
// newline (an editor, a crash) keeps that record: the item it names is
// skipped, and the next append completes the line instead of cutting it.
func TestArchiveTornLastLineKept(t *testing.T) {
	site, proxy := startFakeQQ(t, fakeqq.Config{})
	dir := t.TempDir()
	v := fakeqq.LongSeriesVid
	archive := filepath.Join(t.TempDir(), "archive.txt")
	if err := os.WriteFile(archive, []byte("qq "+v(1)+"\nqq "+v(2)), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runVDL(t, nil, "-q", "--proxy", proxy.URL, "-d", dir, "--download-archive", archive, "-I", "1-3", qqLongSeries)
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if n := site.Calls("vid:" + v(2)); n != 0 {
		t.Errorf("E02, the archive's last record, was asked about %d times", n)
	}
	if got, want := archiveText(t, archive), "qq "+v(1)+"\nqq "+v(2)+"\nqq "+v(3)+"\n"; got != want {
		t.Errorf("archive:\n%q\nwant\n%q", got, want)
	}
	checkSeries(t, dir, 3)
}

// TestArchiveTwoRuns: two vdl runs at once, on different URLs and one
// archive, both keep every record. The server holds each run's first
// request until both have asked, so both have read the archive (its last
// line torn) before either appends: the appends of one used to cut the
// file back to what it had read, erasing the other's lines.
func TestArchiveTwoRuns(t *testing.T) {
	body := bytes.Repeat([]byte("archive "), 512)
	var (
		mu   sync.Mutex
		seen = map[string]bool{}
		both = make(chan struct{})
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		run := strings.Split(r.URL.Path, "/")[1]
		mu.Lock()
		if !seen[run] {
			if seen[run] = true; len(seen) == 2 {
				close(both)
			}
		}
		mu.Unlock()
		select {
		case <-both:
		case <-r.Context().Done():
			return
		}
		http.ServeContent(w, r, path.Base(r.URL.Path), time.Time{}, bytes.NewReader(body))
	}))
	t.Cleanup(srv.Close)
	archive := filepath.Join(t.TempDir(), "archive.txt")
	if err := os.WriteFile(archive, []byte("youtube torn0001"), 0o644); err != nil {
		t.Fatal(err)
	}
	const items = 4
	runs := []string{"a", "b"}
	results := make([]result, len(runs))
	var wg sync.WaitGroup
	for i, run := range runs {
		args := []string{"-q", "-d", t.TempDir(), "--download-archive", archive}
		for n := 1; n <= items; n++ {
			args = append(args, fmt.Sprintf("%s/%s/%d.mp4", srv.URL, run, n))
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = runBounded(t, 60*time.Second, args...)
		}()
	}
	wg.Wait()
	for i, r := range results {
		if r.code != exitOK {
			t.Fatalf("run %s: exit %d: %s", runs[i], r.code, r.stderr)
		}
	}
	count := map[string]int{}
	for _, line := range strings.Split(archiveText(t, archive), "\n") {
		if line == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 2 || f[0] != "youtube" && f[0] != "generic" {
			t.Errorf("line %q is not one record", line)
			continue
		}
		key := f[1]
		if f[0] == "generic" {
			key = strings.TrimPrefix(f[1], srv.URL)
		}
		count[key]++
	}
	want := []string{"torn0001"}
	for _, run := range runs {
		for n := 1; n <= items; n++ {
			want = append(want, fmt.Sprintf("/%s/%d.mp4", run, n))
		}
	}
	for _, k := range want {
		if count[k] != 1 {
			t.Errorf("%s: %d records, want 1 (archive %v)", k, count[k], count)
		}
	}
	if len(count) != len(want) {
		t.Errorf("archive records %v, want %v", count, want)
	}
}

// TestArchiveNotAnArchive: what cannot be an archive is refused before
// any request, at once, with one line and exit 5 (a local file's
// problem): a device, a named pipe (never waited on), a folder, a file
// over the bound (never read), an over-long or a binary line (named).
func TestArchiveNotAnArchive(t *testing.T) {
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.ServeContent(w, r, "x.mp4", time.Time{}, strings.NewReader("not asked for"))
	}))
	t.Cleanup(srv.Close)
	tmp := t.TempDir()
	fifo := filepath.Join(tmp, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(tmp, "huge.txt")
	if err := os.WriteFile(huge, []byte("qq a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, 100<<30); err != nil {
		t.Fatal(err) // sparse: no disk used
	}
	long := filepath.Join(tmp, "long.txt")
	if err := os.WriteFile(long, []byte("qq a\nqq "+strings.Repeat("b", 2<<20)+"\nqq c\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	binary := filepath.Join(tmp, "binary.txt")
	if err := os.WriteFile(binary, []byte("qq a\n\x00\x01\x02\x03\nqq c\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, archive, want string }{
		{"/dev/zero", "/dev/zero", "a device"},
		{"a named pipe", fifo, "a named pipe"},
		{"a folder", tmp, "a folder"},
		{"100 GiB", huge, "is over 64 MiB"},
		{"a 2 MiB line", long, "line 2 is over 1 MiB"},
		{"a binary line", binary, "line 2 is not text"},
	}
	for _, tt := range tests {
		// A dry run only reads the archive; a download also appends to
		// it: both refuse at once.
		for _, mode := range []string{"download", "dry run"} {
			t.Run(tt.name+", "+mode, func(t *testing.T) {
				before := requests.Load()
				args := []string{"-q", "-d", t.TempDir(), "--download-archive", tt.archive, srv.URL + "/1.mp4", srv.URL + "/2.mp4"}
				if mode == "dry run" {
					args = append(args, "--dry-run")
				}
				r := runBounded(t, 20*time.Second, args...)
				if r.code != exitDisk {
					t.Errorf("exit %d, want %d: %s", r.code, exitDisk, r.stderr)
				}
				oneErrorLine(t, r.stderr, tt.want)
				if !strings.Contains(r.stderr, "download archive "+tt.archive) {
					t.Errorf("the error does not name the archive: %s", r.stderr)
				}
				if n := requests.Load() - before; n != 0 {
					t.Errorf("%d requests before the archive was refused", n)
				}
			})
		}
	}
}

func archiveText(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
