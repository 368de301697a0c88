package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vdlproject/vdl/internal/fakeqq"
)

// The run's own files and its input, attacked as issue 17 (items 1, 10
// and 12) found them: passwords of batch lines, records that cannot be
// written, -I that selects nothing, nonsense --sleep-interval, a closed
// standard input, and a dry run over finished episodes.

// listServer serves plain files for batch runs: /<name>.bin is 64 KiB
// of bytes, anything else 404. It counts requests; hook (if any) runs on
// each, before the answer.
type listServer struct {
	*httptest.Server
	requests atomic.Int64
}

func startListServer(t *testing.T, hook func(path string)) *listServer {
	t.Helper()
	body := bytes.Repeat([]byte("vdl list "), 64<<10/9)
	s := &listServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		if hook != nil {
			hook(r.URL.Path)
		}
		if !strings.HasSuffix(r.URL.Path, ".bin") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	}))
	t.Cleanup(s.Close)
	return s
}

// host is the server's host:port.
func (s *listServer) host() string { return strings.TrimPrefix(s.URL, "http://") }

func writeBatch(t *testing.T, lines ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "list.txt")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBatchPasswordsNeverShown: batch lines with a password that fail
// (404, not a URL, a refused connection) and one that works: with or
// without -q, with --verbose, the password is on no output and in no
// journal line, the journal is 0600, and --json of such URLs prints none.
func TestBatchPasswordsNeverShown(t *testing.T) {
	// Neither the user nor the password may show: request.Redact cuts
	// both (net/http's own messages keep the user, with "***").
	const user, secret = "vdluser", "s3cret"
	srv := startListServer(t, nil)
	closed := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	batch := writeBatch(t,
		"http://"+user+":"+secret+"@"+srv.host()+"/x.mp4", // 404
		user+":"+secret+"@"+srv.host()+"/x.mp4",           // not a URL
		"http://"+user+":"+secret+"@"+closed+"/z.mp4",     // nothing listens
		"http://"+user+":"+secret+"@"+srv.host()+"/ok.bin",
	)
	for _, flags := range [][]string{{"-q"}, nil, {"--verbose"}} {
		t.Run(strings.Join(append([]string{"flags"}, flags...), " "), func(t *testing.T) {
			dir := t.TempDir()
			r := runVDL(t, nil, append(flags, "--retries", "0", "-d", dir, "-a", batch)...)
			if r.code != exitPartial {
				t.Fatalf("exit %d, want %d: %s", r.code, exitPartial, r.stderr)
			}
			if out := r.stdout + r.stderr; strings.Contains(out, secret) || strings.Contains(out, user) {
				t.Errorf("the password or user is printed:\n%s", out)
			}
			if !strings.Contains(r.stderr, srv.host()+"/x.mp4: failed") {
				t.Errorf("the failing line is not named (redacted) in the summary:\n%s", r.stderr)
			}
			journal := filepath.Join(dir, "vdl-journal.jsonl")
			data, err := os.ReadFile(journal)
			if err != nil || strings.Count(string(data), "\n") != 4 {
				t.Fatalf("journal (%v):\n%s", err, data)
			}
			if bytes.Contains(data, []byte(secret)) || bytes.Contains(data, []byte(user)) {
				t.Errorf("the journal stores the password or user:\n%s", data)
			}
			if st, err := os.Stat(journal); err != nil || st.Mode().Perm() != 0o600 {
				t.Errorf("journal mode %v, want 0600 (%v)", st.Mode(), err)
			}
		})
	}
	r := runVDL(t, nil, "--json", "http://"+user+":"+secret+"@"+srv.host()+"/ok.bin", "http://"+user+":"+secret+"@"+srv.host()+"/two.bin")
	if r.code != 0 {
		t.Fatalf("--json: exit %d: %s", r.code, r.stderr)
	}
	dec, docs := json.NewDecoder(strings.NewReader(r.stdout)), 0
	for ; ; docs++ {
		var v map[string]any
		if err := dec.Decode(&v); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("--json output does not parse: %v\n%s", err, r.stdout)
		}
	}
	if docs != 2 || strings.Contains(r.stdout, secret) || strings.Contains(r.stdout, user) || !strings.Contains(r.stdout, `"http://`+srv.host()+`/ok.bin"`) {
		t.Errorf("--json (%d documents) keeps the password or loses the URL:\n%s", docs, r.stdout)
	}
}

// TestListFilesCheckedFirst: a journal that is a folder or a link, an
// archive that is a link or in a missing folder: found before the first
// request, one line, exit 5.
func TestListFilesCheckedFirst(t *testing.T) {
	tests := []struct {
		name  string
		plant func(t *testing.T, dir, archive string) // dir is -d
		want  string
	}{
		{"journal is a folder", func(t *testing.T, dir, _ string) {
			mustDo(t, os.MkdirAll(filepath.Join(dir, "vdl-journal.jsonl"), 0o755))
		},
			"vdl-journal.jsonl is a folder"},
		{"journal is a link", func(t *testing.T, dir, _ string) {
			target := filepath.Join(t.TempDir(), "elsewhere.jsonl")
			mustDo(t, os.WriteFile(target, nil, 0o644))
			mustDo(t, os.MkdirAll(dir, 0o755))
			mustDo(t, os.Symlink(target, filepath.Join(dir, "vdl-journal.jsonl")))
		}, "vdl-journal.jsonl is a symbolic link"},
		{"journal is a dangling link", func(t *testing.T, dir, _ string) {
			mustDo(t, os.MkdirAll(dir, 0o755))
			mustDo(t, os.Symlink(filepath.Join(t.TempDir(), "none"), filepath.Join(dir, "vdl-journal.jsonl")))
		}, "vdl-journal.jsonl is a symbolic link"},
		{"archive is a link", func(t *testing.T, _, archive string) {
			target := filepath.Join(t.TempDir(), "real-archive.txt")
			mustDo(t, os.WriteFile(target, []byte("generic nothing\n"), 0o644))
			mustDo(t, os.Symlink(target, archive))
		}, "archive.txt is a symbolic link"},
		{"archive in a missing folder", nil, "cannot be written"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startListServer(t, nil)
			dir := filepath.Join(t.TempDir(), "out")
			archive := filepath.Join(t.TempDir(), "archive.txt")
			if tt.plant != nil {
				tt.plant(t, dir, archive)
			} else {
				archive = filepath.Join(t.TempDir(), "gone", "archive.txt")
			}
			batch := writeBatch(t, srv.URL+"/1.bin", srv.URL+"/2.bin")
			r := runVDL(t, nil, "-d", dir, "--download-archive", archive, "-a", batch)
			if r.code != exitDisk {
				t.Errorf("exit %d, want %d", r.code, exitDisk)
			}
			oneErrorLine(t, r.stderr, tt.want)
			if n := srv.requests.Load(); n != 0 {
				t.Errorf("%d requests before the run's own files were found unwritable", n)
			}
		})
	}
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestListReadOnlyArchiveCheckedFirst: an archive vdl may read but not
// write (run as an unprivileged user when the tests run as root, who may
// write anything) is found before the first request: one line, exit 5.
func TestListReadOnlyArchiveCheckedFirst(t *testing.T) {
	srv := startListServer(t, nil)
	base, run := unprivileged(t)
	archive := filepath.Join(base, "archive.txt")
	mustDo(t, os.WriteFile(archive, []byte("generic nothing\n"), 0o444))
	dir := filepath.Join(base, "out")
	mustDo(t, os.Mkdir(dir, 0o777))
	mustDo(t, os.Chmod(dir, 0o777))
	batch := filepath.Join(base, "list.txt")
	mustDo(t, os.WriteFile(batch, []byte(srv.URL+"/1.bin\n"+srv.URL+"/2.bin\n"), 0o644))
	r := run("-d", dir, "--download-archive", archive, "-a", batch)
	if r.code != exitDisk {
		t.Errorf("exit %d, want %d", r.code, exitDisk)
	}
	oneErrorLine(t, r.stderr, "archive.txt cannot be written: permission denied")
	if n := srv.requests.Load(); n != 0 {
		t.Errorf("%d requests before the read-only archive was found", n)
	}
}

// unprivileged returns a folder others may use and a way to run vdl in
// it as a user without root's power over permissions: the tests' own
// user, or (as root) nobody, through setpriv and a copy of the binary
// that nobody may run.
func unprivileged(t *testing.T) (string, func(args ...string) result) {
	t.Helper()
	if os.Geteuid() != 0 {
		return t.TempDir(), func(args ...string) result { return runVDL(t, nil, args...) }
	}
	setpriv := requireTool(t, "setpriv")
	base, err := os.MkdirTemp("", "vdl-unprivileged")
	mustDo(t, err)
	t.Cleanup(func() { os.RemoveAll(base) })
	mustDo(t, os.Chmod(base, 0o755))
	bin := filepath.Join(base, "vdl")
	data, err := os.ReadFile(vdlBin)
	mustDo(t, err)
	mustDo(t, os.WriteFile(bin, data, 0o755))
	state := filepath.Join(base, "state")
	mustDo(t, os.Mkdir(state, 0o777))
	mustDo(t, os.Chmod(state, 0o777))
	return base, func(args ...string) result {
		cmd := exec.Command(setpriv, append([]string{"--reuid=65534", "--regid=65534", "--clear-groups", "--", bin}, args...)...)
		cmd.Env = append(os.Environ(), "VDL_STATE_DIR="+state, "HOME="+base)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		return result{out.String(), errb.String(), cmd.ProcessState.ExitCode()}
	}
}

// TestListSummaryAfterMidwayDiskError: the journal becomes a folder while
// the second of three items downloads: the list stops (exit 5) but first
// prints its summary, and the third item is never asked for.
func TestListSummaryAfterMidwayDiskError(t *testing.T) {
	dir := t.TempDir()
	journal := filepath.Join(dir, "vdl-journal.jsonl")
	var swapped atomic.Bool
	var third atomic.Int64
	srv := startListServer(t, func(path string) {
		switch {
		case path == "/2.bin" && !swapped.Swap(true):
			// The server's goroutine: t.Error, never t.Fatal, here.
			if err := errors.Join(os.Remove(journal), os.Mkdir(journal, 0o755)); err != nil {
				t.Error(err)
			}
		case path == "/3.bin":
			third.Add(1)
		}
	})
	batch := writeBatch(t, srv.URL+"/1.bin", srv.URL+"/2.bin", srv.URL+"/3.bin")
	r := runVDL(t, nil, "-q", "-d", dir, "-a", batch)
	if r.code != exitDisk {
		t.Errorf("exit %d, want %d: %s", r.code, exitDisk, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if !strings.Contains(r.stderr, "vdl: summary: 2 downloaded") || !strings.Contains(lines[len(lines)-1], "vdl-journal.jsonl is a folder") {
		t.Errorf("no summary before the error, or not the journal's error last:\n%s", r.stderr)
	}
	if n := third.Load(); n != 0 {
		t.Errorf("the list went on after its journal failed: %d requests for the third item", n)
	}
}

// TestSeriesSummaryAfterMidwayDiskError: the same for a series, one
// episode at a time: the journal becomes a folder while E03 downloads;
// the summary counts three episodes, E04 is never asked for.
func TestSeriesSummaryAfterMidwayDiskError(t *testing.T) {
	const size = 296583
	site, proxy := startFakeQQ(t, fakeqq.Config{Throttle: 1 << 20, NotifyAt: 2*size + size/2})
	dir := t.TempDir()
	journal := filepath.Join(dir, "vdl-journal.jsonl")
	cmd := exec.Command(vdlBin, "-q", "--debug-sequential", "--proxy", proxy.URL, "-d", dir, "-I", "1-4", qqLongSeries)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	mustDo(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-site.CDN().Reached:
	case err := <-exited:
		t.Fatalf("vdl ended before E03 was under way: %v: %s", err, errb.String())
	}
	mustDo(t, os.Remove(journal))
	mustDo(t, os.Mkdir(journal, 0o755))
	<-exited
	if code := cmd.ProcessState.ExitCode(); code != exitDisk {
		t.Errorf("exit %d, want %d", code, exitDisk)
	}
	if !strings.Contains(errb.String(), "vdl: summary: 3 downloaded") || !strings.Contains(errb.String(), "is a folder") {
		t.Errorf("stderr:\n%s", errb.String())
	}
	if n := site.Calls("vid:" + fakeqq.LongSeriesVid(4)); n != 0 {
		t.Errorf("E04 was asked about %d times after the journal failed", n)
	}
}

// TestItemsSelectingNothing: -I 20- of a 12-episode series is a usage
// error (exit 2, one line) before any episode is asked about or any file
// made; in a batch it is a line of the summary, and the rest goes on.
func TestItemsSelectingNothing(t *testing.T) {
	site, proxy := startFakeQQ(t, fakeqq.Config{})
	dir := filepath.Join(t.TempDir(), "out")
	r := runVDL(t, nil, "--proxy", proxy.URL, "-d", dir, "-I", "20-", qqLongSeries)
	if r.code != exitUsage {
		t.Errorf("exit %d, want %d", r.code, exitUsage)
	}
	oneErrorLine(t, r.stderr, "-I 20- selects nothing: the list has 12 items")
	for n := 1; n <= 12; n++ {
		if c := site.Calls("vid:" + fakeqq.LongSeriesVid(n)); c != 0 {
			t.Errorf("episode %d asked about %d times", n, c)
		}
	}
	if fileExists(dir) {
		t.Errorf("%s was made for a run that selects nothing", dir)
	}
	ep2 := "https://v.qq.com/x/cover/" + fakeqq.LongSeries + "/" + fakeqq.LongSeriesVid(2) + ".html"
	r = runVDL(t, nil, "-q", "--proxy", proxy.URL, "-d", dir, "-I", "20-", "-a", writeBatch(t, qqLongSeries, ep2))
	if r.code != exitOK || !strings.Contains(r.stderr, "summary: 1 downloaded") ||
		!strings.Contains(r.stderr, fakeqq.LongSeriesTitle+": -I 20- selects nothing") {
		t.Errorf("batch: exit %d:\n%s", r.code, r.stderr)
	}
}

// TestSleepIntervalNonsense: NaN, infinities, negative or huge values are
// usage errors, before any request.
func TestSleepIntervalNonsense(t *testing.T) {
	srv := startListServer(t, nil)
	for _, v := range []string{"NaN", "nan", "Inf", "+Inf", "-Inf", "-1", "86401"} {
		r := runVDL(t, nil, "-d", t.TempDir(), "--sleep-interval", v, srv.URL+"/1.bin", srv.URL+"/2.bin")
		if r.code != exitUsage {
			t.Errorf("--sleep-interval %s: exit %d, want %d", v, r.code, exitUsage)
		}
		oneErrorLine(t, r.stderr, "--sleep-interval")
	}
	if n := srv.requests.Load(); n != 0 {
		t.Errorf("%d requests with a bad --sleep-interval", n)
	}
}

// TestBatchFromClosedStdin: -a - with standard input closed says so (Go
// gives a closed descriptor 0 /dev/null: the read finds nothing, and that
// is not "no URL in -"); one that cannot be read says the read error.
func TestBatchFromClosedStdin(t *testing.T) {
	run := func(cmd *exec.Cmd) result {
		var errb bytes.Buffer
		cmd.Stderr = &errb
		err := cmd.Run()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		return result{"", errb.String(), cmd.ProcessState.ExitCode()}
	}
	r := run(exec.Command("/bin/sh", "-c", `exec "$0" -a - <&-`, vdlBin))
	if r.code != exitUsage || strings.Contains(r.stderr, "no URL") {
		t.Errorf("closed: exit %d, want %d: %s", r.code, exitUsage, r.stderr)
	}
	oneErrorLine(t, r.stderr, "standard input is closed")
	wo, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	mustDo(t, err)
	defer wo.Close()
	cmd := exec.Command(vdlBin, "-a", "-")
	cmd.Stdin = wo
	r = run(cmd)
	if r.code != exitUsage {
		t.Errorf("write-only: exit %d, want %d", r.code, exitUsage)
	}
	oneErrorLine(t, r.stderr, "bad file descriptor")
}

// TestDryRunSkipsWhatIsOnDisk: after E01 and E02 are downloaded, a dry
// run of E01-E03 says "skip, on disk" for the two (the real run's own
// check) and plans only E03; it fetches no media.
func TestDryRunSkipsWhatIsOnDisk(t *testing.T) {
	site, proxy := startFakeQQ(t, fakeqq.Config{})
	dir := t.TempDir()
	if r := runVDL(t, nil, "-q", "--proxy", proxy.URL, "-d", dir, "-I", "1-2", qqLongSeries); r.code != 0 {
		t.Fatalf("download: exit %d: %s", r.code, r.stderr)
	}
	sent := site.CDN().TotalSent()
	r := runVDL(t, nil, "--proxy", proxy.URL, "-d", dir, "--dry-run", "-I", "1-3", qqLongSeries)
	if r.code != 0 {
		t.Fatalf("dry run: exit %d: %s", r.code, r.stderr)
	}
	lines := map[int]string{}
	for _, l := range strings.Split(r.stdout, "\n") {
		for n := 1; n <= 3; n++ {
			if strings.Contains(l, fmt.Sprintf("E%02d ", n)) {
				lines[n] = l
			}
		}
	}
	for n := 1; n <= 2; n++ {
		if !strings.Contains(lines[n], "skip, on disk") || !strings.Contains(lines[n], seriesFile(dir, n)) {
			t.Errorf("E%02d, on disk, is planned as %q", n, lines[n])
		}
	}
	if strings.Contains(lines[3], "skip") || !strings.Contains(lines[3], "format ") || !strings.Contains(lines[3], seriesFile(dir, 3)) {
		t.Errorf("E03 is planned as %q", lines[3])
	}
	if !strings.Contains(r.stdout, "total: 1 items") || !strings.Contains(r.stderr, "2 skipped") {
		t.Errorf("plan:\n%s%s", r.stdout, r.stderr)
	}
	if got := site.CDN().TotalSent(); got != sent {
		t.Errorf("the dry run fetched %d media bytes", got-sent)
	}
}

// TestConsoleAndStdoutRedactEveryLine: whatever a message or a printed
// line holds, a URL's credentials never reach stderr or stdout: the
// console and the standard output pass every line through the one
// redaction (so a message built without it leaks nothing either).
func TestConsoleAndStdoutRedactEveryLine(t *testing.T) {
	var errb bytes.Buffer
	con := newConsole(&errb)
	con.Printf("vdl: warning: %s", `GET "http://vdluser:s3cret@host/x": refused`)
	con.Bar("http://vdluser:s3cret@host/x 50%")
	var outb bytes.Buffer
	w := newRedactingWriter(&outb)
	for _, part := range []string{`{"url": "http://vdl`, `user:s3cret@host/x"}`, "\n", "tail http://vdluser:s3cret@h/y"} {
		if _, err := io.WriteString(w, part); err != nil {
			t.Fatal(err)
		}
	}
	mustDo(t, w.Flush())
	for name, got := range map[string]string{"stderr": errb.String(), "stdout": outb.String()} {
		if strings.Contains(got, "s3cret") || strings.Contains(got, "vdluser") || !strings.Contains(got, "host/x") {
			t.Errorf("%s: %q", name, got)
		}
	}
	if want := "{\"url\": \"http://host/x\"}\ntail http://h/y"; outb.String() != want {
		t.Errorf("stdout %q, want %q", outb.String(), want)
	}
}
