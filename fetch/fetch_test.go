package fetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	ms "github.com/vdlproject/vdl/internal/mediaserver"
	"github.com/vdlproject/vdl/request"
)

// startServer starts a media server that stops with the test.
func startServer(t *testing.T, data []byte, opts ms.Options) *ms.Server {
	t.Helper()
	s := ms.Start(data, opts)
	t.Cleanup(s.Close)
	return s
}

// fastOpts returns options for tests: small splits, instant backoff.
func fastOpts(dir string) Options {
	return Options{
		Client: &request.Client{HTTP: &http.Client{Transport: &http.Transport{DisableCompression: true}},
			Policy: request.Policy{Retries: 5, Timeout: 5 * time.Second, Backoff: func(int) time.Duration { return 0 }}},
		Connections:  4,
		MinSplit:     32 << 10,
		StallTimeout: 5 * time.Second,
		StatePath:    filepath.Join(dir, "state.json"),
		Key:          "test",
	}
}

// recordWaits makes o's backoff waits instant and returns what they
// would have been.
func recordWaits(o *Options) func() []time.Duration {
	var mu sync.Mutex
	var waits []time.Duration
	o.Client.Policy.Sleep = func(_ context.Context, d time.Duration) error {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		return nil
	}
	return func() []time.Duration {
		mu.Lock()
		defer mu.Unlock()
		return append([]time.Duration(nil), waits...)
	}
}

func runJob(t *testing.T, ctx context.Context, url, dir string, size int64, opts Options) (*Job, error) {
	t.Helper()
	j, err := New([]Part{{URL: url, Size: size, Path: filepath.Join(dir, "out.bin")}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return j, j.Run(ctx)
}

func sameFile(t *testing.T, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if sha256.Sum256(got) != sha256.Sum256(want) {
		t.Fatalf("%s: content differs from the served file (%d bytes, want %d)", path, len(got), len(want))
	}
}

// TestServerBehaviours downloads a file through each kind of server
// misbehaviour and requires byte-identical output.
func TestServerBehaviours(t *testing.T) {
	const size = 3<<20 + 12345
	tests := []struct {
		name string
		opts ms.Options
		hint int64 // Part.Size given to the job
		// check inspects the server after the download.
		check func(t *testing.T, s *ms.Server)
	}{
		// Throttled, so that splitting pays: unthrottled on loopback the
		// first connection may rightly finish before any other wakes.
		{name: "ranges", opts: ms.Options{Throttle: 4 << 20}, hint: -1, check: func(t *testing.T, s *ms.Server) {
			if s.Requests.Load() < 2 {
				t.Errorf("expected a split download, got %d requests", s.Requests.Load())
			}
		}},
		{name: "known size", opts: ms.Options{}, hint: size},
		{name: "wrong size hint", opts: ms.Options{}, hint: size / 2},
		{name: "ignore range", opts: ms.Options{IgnoreRange: true}, hint: size, check: func(t *testing.T, s *ms.Server) {
			if got := s.Sent.Load(); got > 3*size {
				t.Errorf("server sent %d bytes for a %d-byte file: the fallback refetched too much", got, size)
			}
		}},
		// A retry of a single stream gets the body from byte 0 again:
		// what is on disk is skipped, never written at the wrong offset.
		{name: "ignore range, cut", opts: ms.Options{IgnoreRange: true, CutAfter: 100 << 10, CutTimes: 4}, hint: size},
		{name: "ignore range, unknown size, cut", opts: ms.Options{IgnoreRange: true, CutAfter: 100 << 10, CutTimes: 4}, hint: -1},
		{name: "no content-length, cut", opts: ms.Options{NoContentLength: true, CutAfter: 100 << 10, CutTimes: 4}, hint: -1},
		{name: "wrong content-range", opts: ms.Options{WrongContentRange: true}, hint: size},
		{name: "resets mid-body", opts: ms.Options{CutAfter: 100 << 10, CutTimes: 6}, hint: size},
		{name: "short body", opts: ms.Options{ShortBy: 1000, ShortTimes: 4}, hint: size},
		{name: "stall", opts: ms.Options{StallAfter: 50 << 10, StallTimes: 2}, hint: size},
		{name: "503 burst with retry-after", opts: ms.Options{FailFirst: 3, RetryAfter: "0"}, hint: size},
		{name: "429 burst", opts: ms.Options{FailFirst: 2, FailStatus: 429}, hint: -1},
		{name: "no content-length", opts: ms.Options{NoContentLength: true}, hint: -1, check: func(t *testing.T, s *ms.Server) {
			if got := s.Requests.Load(); got != 1 {
				t.Errorf("chunked server: %d requests, want 1 single stream", got)
			}
		}},
		{name: "throttled", opts: ms.Options{Throttle: 8 << 20}, hint: size},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := ms.RandomBytes(size)
			s := startServer(t, data, tt.opts)
			dir := t.TempDir()
			o := fastOpts(dir)
			o.StallTimeout = 300 * time.Millisecond
			if _, err := runJob(t, context.Background(), s.FileURL(), dir, tt.hint, o); err != nil {
				t.Fatalf("download failed: %v", err)
			}
			sameFile(t, filepath.Join(dir, "out.bin"), data)
			if tt.check != nil {
				tt.check(t, s)
			}
		})
	}
}

// TestRangelessStreamThatNeverFinishes: a server that ignores Range and
// always cuts at the same byte makes the download fail as a network
// fault; its first bytes are never repeated to fill the file.
func TestRangelessStreamThatNeverFinishes(t *testing.T) {
	s := startServer(t, ms.RandomBytes(100_000), ms.Options{IgnoreRange: true, CutAfter: 1000, CutTimes: 1 << 30})
	dir := t.TempDir()
	o := fastOpts(dir)
	o.Client.Policy.Retries = 3
	_, err := runJob(t, context.Background(), s.FileURL(), dir, -1, o)
	if err == nil || !request.Retryable(err) {
		t.Fatalf("got %v, want a network failure", err)
	}
	if n := s.Requests.Load(); n > 10 {
		t.Errorf("%d requests: retries did not stop at the lack of progress", n)
	}
}

func TestPermanentStatusFailsAtOnce(t *testing.T) {
	for _, status := range []int{404, 401, 403, 410} {
		s := startServer(t, []byte("x"), ms.Options{Status: status})
		dir := t.TempDir()
		_, err := runJob(t, context.Background(), s.FileURL(), dir, -1, fastOpts(dir))
		var he *request.StatusError
		if !errors.As(err, &he) || he.StatusCode != status {
			t.Fatalf("status %d: got error %v, want *request.StatusError with that status", status, err)
		}
		if !strings.Contains(err.Error(), "GET "+s.FileURL()) {
			t.Errorf("error %q does not name the request", err)
		}
		if n := s.Requests.Load(); n != 1 {
			t.Errorf("status %d retried: %d requests", status, n)
		}
		if errors.Is(err, ErrExpired) {
			t.Errorf("status %d on a URL that never worked reported as expired", status)
		}
	}
}

func TestRetriesExhausted(t *testing.T) {
	s := startServer(t, []byte("payload"), ms.Options{FailFirst: 1000})
	dir := t.TempDir()
	o := fastOpts(dir)
	o.Client.Policy.Retries = 3
	o.Connections = 1
	_, err := runJob(t, context.Background(), s.FileURL(), dir, -1, o)
	var he *request.StatusError
	if !errors.As(err, &he) || he.StatusCode != 503 {
		t.Fatalf("got %v, want a 503 StatusError", err)
	}
	if n := s.Requests.Load(); n != 4 {
		t.Errorf("requests = %d, want 1 + 3 retries", n)
	}
}

// TestRetryAfterHonoured checks the backoff waits take the server's
// Retry-After when it is longer than the computed backoff.
func TestRetryAfterHonoured(t *testing.T) {
	s := startServer(t, ms.RandomBytes(1000), ms.Options{FailFirst: 2, RetryAfter: "7"})
	dir := t.TempDir()
	o := fastOpts(dir)
	o.Connections = 1
	waits := recordWaits(&o)
	j, err := New([]Part{{URL: s.FileURL(), Size: -1, Path: filepath.Join(dir, "out.bin")}}, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if w := waits(); len(w) != 2 || w[0] != 7*time.Second || w[1] != 7*time.Second {
		t.Fatalf("backoff waits = %v, want [7s 7s]", w)
	}
}

// TestExpiredAfterDelivery: a 403 from a URL that already gave bytes is
// ErrExpired, so the caller knows to refresh the URL.
func TestExpiredAfterDelivery(t *testing.T) {
	data := ms.RandomBytes(1 << 20)
	s := startServer(t, data, ms.Options{CutAfter: 300 << 10, CutTimes: 1})
	dir := t.TempDir()
	o := fastOpts(dir)
	o.Connections = 1
	o.Client.Policy.Retries = -1
	// First run: the connection is cut after 300 KiB and there are no
	// retries, so the run fails with those bytes on disk.
	forbidden := startServer(t, data, ms.Options{Status: 403})
	_, err := runJob(t, context.Background(), s.FileURL(), dir, -1, o)
	if err == nil || errors.Is(err, ErrExpired) {
		t.Fatalf("first run: %v, want the cut connection's error", err)
	}
	_, err = runJob(t, context.Background(), forbidden.FileURL(), dir, -1, o)
	if !errors.Is(err, ErrExpired) {
		t.Fatalf("403 after progress: got %v, want ErrExpired", err)
	}
	// The stale URL is refreshed: the job completes and keeps its bytes.
	before := s.Sent.Load()
	if _, err := runJob(t, context.Background(), s.FileURL(), dir, -1, o); err != nil {
		t.Fatal(err)
	}
	sameFile(t, filepath.Join(dir, "out.bin"), data)
	if refetched := s.Sent.Load() - before; refetched > int64(len(data))-150<<10 {
		t.Errorf("refreshed run fetched %d bytes: finished ranges were refetched", refetched)
	}
}

func TestNoSpace(t *testing.T) {
	dir := t.TempDir()
	_, err := runJob(t, context.Background(), "http://127.0.0.1:1/x", dir, 1<<62, fastOpts(dir))
	if !errors.Is(err, ErrNoSpace) {
		t.Fatalf("got %v, want ErrNoSpace", err)
	}
	if _, statErr := os.Stat(filepath.Join(dir, "out.bin")); !os.IsNotExist(statErr) {
		t.Errorf("refused job left a file behind")
	}
}

func TestRemoteChangedDiscardsProgress(t *testing.T) {
	const size = 2 << 20
	old := ms.RandomBytes(size)
	s := startServer(t, old, ms.Options{Throttle: 4 << 20, NotifyAt: size / 3})
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-s.Reached; cancel() }()
	if _, err := runJob(t, ctx, s.FileURL(), dir, -1, fastOpts(dir)); !errors.Is(err, context.Canceled) {
		t.Fatalf("first run: %v", err)
	}
	fresh := ms.RandomBytes(size)
	s.SetContent(fresh, `"v2"`)
	var logBuf bytes.Buffer
	o := fastOpts(dir)
	o.Logger = slog.New(slog.NewTextHandler(&logBuf, nil))
	if _, err := runJob(t, context.Background(), s.FileURL(), dir, -1, o); err != nil {
		t.Fatal(err)
	}
	sameFile(t, filepath.Join(dir, "out.bin"), fresh)
	if !strings.Contains(logBuf.String(), "remote file changed") {
		t.Errorf("user was not told the stale progress was discarded; log:\n%s", logBuf.String())
	}
}

// TestBadStateIsNotTrusted: a resume state is a record of what the
// server said, never the truth: unreadable, foreign, inconsistent or
// forged states are discarded and the file comes out right, with the
// requests that takes.
func TestBadStateIsNotTrusted(t *testing.T) {
	data := ms.RandomBytes(300 << 10)
	junk := bytes.Repeat([]byte{'x'}, 1000)
	tests := []struct {
		name  string
		state string
		file  []byte // the part file beside the state; nil: none
		hint  int64  // the caller's size
	}{
		{"garbage", "{not json", nil, -1},
		{"foreign key", `{"version":1,"key":"other","parts":[{"index":0,"size":307200,"done":[{"start":0,"end":307200}]}]}`, nil, -1},
		{"ranges beyond", `{"version":1,"key":"test","parts":[{"index":0,"size":307200,"done":[{"start":0,"end":999999}]}]}`, nil, -1},
		{"missing file", `{"version":1,"key":"test","parts":[{"index":0,"size":307200,"done":[{"start":0,"end":307200}]}]}`, nil, -1},
		// The server (through the caller) now says 307200: a state that
		// calls 1000 bytes complete is not published.
		{"smaller size than the server's", `{"version":1,"key":"test","parts":[{"index":0,"size":1000,"done":[{"start":0,"end":1000}]}]}`, junk, 307200},
		// A forged size must not make every run fail for want of space.
		{"huge size", `{"version":1,"key":"test","parts":[{"index":0,"size":4611686018427387894,"done":[{"start":0,"end":1000}]}]}`, junk, -1},
		{"huge size, size known", `{"version":1,"key":"test","parts":[{"index":0,"size":4611686018427387894,"done":[{"start":0,"end":1000}]}]}`, junk, 307200},
		// Complete parts are trimmed to their size: a file of another
		// length is not the one the state describes.
		{"complete but the file is longer", `{"version":1,"key":"test","parts":[{"index":0,"size":1000,"done":[{"start":0,"end":1000}]}]}`, append(junk, 'y'), -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startServer(t, data, ms.Options{})
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "state.json"), []byte(tt.state), 0o644); err != nil {
				t.Fatal(err)
			}
			if tt.file != nil {
				if err := os.WriteFile(filepath.Join(dir, "out.bin"), tt.file, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := runJob(t, context.Background(), s.FileURL(), dir, tt.hint, fastOpts(dir)); err != nil {
				t.Fatal(err)
			}
			sameFile(t, filepath.Join(dir, "out.bin"), data)
		})
	}
}

// TestStateKeepsTheServersCorrection: a part whose caller size was wrong
// resumes under the same wrong hint without refetching what it has.
func TestStateKeepsTheServersCorrection(t *testing.T) {
	data := ms.RandomBytes(600 << 10)
	s := startServer(t, data, ms.Options{Throttle: 2 << 20, NotifyAt: 200 << 10})
	dir := t.TempDir()
	const wrongHint = 500 << 10
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-s.Reached; cancel() }()
	o := fastOpts(dir)
	o.Connections = 1
	j, err := New([]Part{{URL: s.FileURL(), Size: wrongHint, Path: filepath.Join(dir, "out.bin")}}, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("first run: %v", err)
	}
	o = fastOpts(dir)
	j, err = New([]Part{{URL: s.FileURL(), Size: wrongHint, Path: filepath.Join(dir, "out.bin")}}, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	sameFile(t, filepath.Join(dir, "out.bin"), data)
	if p := j.Progress(); p.Resumed < 100<<10 {
		t.Errorf("resumed %d bytes; the state saved under the same hint was discarded", p.Resumed)
	}
}

func TestMultiplePartsShareConnections(t *testing.T) {
	var parts []Part
	var want [][]byte
	dir := t.TempDir()
	for i := range 12 {
		d := ms.RandomBytes(40<<10 + i*977)
		s := startServer(t, d, ms.Options{})
		want = append(want, d)
		parts = append(parts, Part{URL: s.FileURL(), Size: -1, Path: filepath.Join(dir, "seg", string(rune('a'+i))+".ts")})
	}
	o := fastOpts(dir)
	j, err := New(parts, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i, p := range parts {
		sameFile(t, p.Path, want[i])
	}
	if p := j.Progress(); p.PartsDone != 12 || p.Done != p.Total {
		t.Errorf("progress after completion = %+v", p)
	}
}

// TestRateLimitLowerBound: the limiter is shared and binding. (A lower
// bound only: the limiter guarantees it regardless of machine speed.)
func TestRateLimitLowerBound(t *testing.T) {
	const size = 256 << 10
	s := startServer(t, ms.RandomBytes(size), ms.Options{})
	dir := t.TempDir()
	o := fastOpts(dir)
	o.Limiter = NewLimiter(1 << 20)
	start := time.Now()
	if _, err := runJob(t, context.Background(), s.FileURL(), dir, size, o); err != nil {
		t.Fatal(err)
	}
	minTime := time.Duration(float64(size-o.Limiter.Burst()) / float64(1<<20) * float64(time.Second))
	if el := time.Since(start); el < minTime {
		t.Errorf("256 KiB at 1 MiB/s took %v, less than the limiter allows (%v)", el, minTime)
	}
}

// TestCheckpointFailureStops: when progress cannot be recorded, the job
// stops with that error instead of transferring on without a record.
func TestCheckpointFailureStops(t *testing.T) {
	s := startServer(t, ms.RandomBytes(8<<20), ms.Options{Throttle: 1 << 20})
	dir := t.TempDir()
	blocker := filepath.Join(dir, "not-a-dir")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	o := fastOpts(dir)
	o.StatePath = filepath.Join(blocker, "state.json") // its parent is a file
	o.CheckpointInterval = 50 * time.Millisecond
	_, err := runJob(t, context.Background(), s.FileURL(), dir, -1, o)
	if err == nil || !strings.Contains(err.Error(), "state") {
		t.Fatalf("got %v, want the state-saving error", err)
	}
	if sent := s.Sent.Load(); sent >= 8<<20 {
		t.Errorf("the job transferred the whole file (%d bytes) without being able to record progress", sent)
	}
}

// TestStateIsCompact: the state of a job of many parts stays small (the
// complete parts are index ranges), and a rerun of a finished job
// fetches nothing, from the compact state and from a version 1 state.
func TestStateIsCompact(t *testing.T) {
	const n = 1000
	s := startServer(t, ms.RandomBytes(100), ms.Options{})
	dir := t.TempDir()
	parts := func(hint int64) []Part {
		var ps []Part
		for i := range n {
			ps = append(ps, Part{URL: s.FileURL(), Size: hint, Path: filepath.Join(dir, "seg", strconv.Itoa(i))})
		}
		return ps
	}
	for _, hint := range []int64{100, -1} {
		o := fastOpts(dir)
		j, err := New(parts(hint), o)
		if err != nil {
			t.Fatal(err)
		}
		if err := j.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(o.StatePath)
		if err != nil {
			t.Fatal(err)
		}
		if per := st.Size() / n; per > 8 {
			t.Errorf("hint %d: the state takes %d bytes per complete part", hint, per)
		}
		before := s.Requests.Load()
		j, _ = New(parts(hint), o)
		if err := j.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := s.Requests.Load() - before; got != 0 {
			t.Errorf("hint %d: the rerun of a finished job made %d requests", hint, got)
		}
		if p := j.Progress(); p.Resumed != 100*n {
			t.Errorf("hint %d: resumed %d bytes, want %d", hint, p.Resumed, 100*n)
		}
	}
	// A version 1 state (one entry per part) still resumes.
	var v1 strings.Builder
	v1.WriteString(`{"version":1,"key":"test","parts":[`)
	for i := range n {
		if i > 0 {
			v1.WriteString(",")
		}
		fmt.Fprintf(&v1, `{"index":%d,"size":100,"done":[{"start":0,"end":100}]}`, i)
	}
	v1.WriteString("]}")
	o := fastOpts(dir)
	if err := os.WriteFile(o.StatePath, []byte(v1.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	before := s.Requests.Load()
	j, _ := New(parts(-1), o)
	if err := j.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := s.Requests.Load() - before; got != 0 {
		t.Errorf("a version 1 state: %d requests", got)
	}
}

// TestCompactStateChecksItsFiles: a complete part of a v2 state whose
// file is missing, of another size or a link is fetched again.
func TestCompactStateChecksItsFiles(t *testing.T) {
	data := ms.RandomBytes(1000)
	s := startServer(t, data, ms.Options{})
	dir := t.TempDir()
	var parts []Part
	for i := range 4 {
		parts = append(parts, Part{URL: s.FileURL(), Size: -1, Path: filepath.Join(dir, strconv.Itoa(i))})
	}
	o := fastOpts(dir)
	state := `{"version":2,"key":"test","count":4,"complete":[{"start":0,"end":4}],"sizes":[1000,1000,1000,-1]}`
	if err := os.WriteFile(o.StatePath, []byte(state), 0o644); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(parts[0].Path, data, 0o644)       // right: kept
	os.WriteFile(parts[1].Path, data[:999], 0o644) // shorter than its size
	os.Symlink(parts[0].Path, parts[2].Path)       // a link
	os.WriteFile(parts[3].Path, data[:10], 0o644)  // the caller's size, but the caller knows none
	j, err := New(parts, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Run(context.Background()); err == nil {
		t.Fatal("a link in place of a part file was written through")
	}
	os.Remove(parts[2].Path)
	j, _ = New(parts, o)
	if err := j.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		sameFile(t, p.Path, data)
	}
}

// TestExtraSpaceCounted: the free-space check counts what the caller
// writes after the download (a joined file), before any request.
func TestExtraSpaceCounted(t *testing.T) {
	s := startServer(t, ms.RandomBytes(1000), ms.Options{})
	dir := t.TempDir()
	o := fastOpts(dir)
	o.ExtraSpace = 1 << 62
	_, err := runJob(t, context.Background(), s.FileURL(), dir, 1000, o)
	if !errors.Is(err, ErrNoSpace) || !strings.Contains(err.Error(), "for the joined file") {
		t.Fatalf("got %v, want ErrNoSpace naming the joined file", err)
	}
	if n := s.Requests.Load(); n != 0 {
		t.Errorf("%d requests before the refusal", n)
	}
}
