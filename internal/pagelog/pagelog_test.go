package pagelog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vdlproject/vdl/request"
)

// warnings counts the records a logger gets.
type warnings struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warnings) Enabled(context.Context, slog.Level) bool { return true }
func (w *warnings) Handle(_ context.Context, r slog.Record) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs = append(w.msgs, r.Level.String()+" "+r.Message)
	return nil
}
func (w *warnings) WithAttrs([]slog.Attr) slog.Handler { return w }
func (w *warnings) WithGroup(string) slog.Handler      { return w }

func (w *warnings) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.msgs)
}

func exchange(u, reply string) request.Exchange {
	return request.Exchange{Start: time.Unix(1700000000, 0), Duration: 85 * time.Millisecond, Method: "POST", URL: u,
		Header: http.Header{"Content-Type": {"application/json"}, "Cookie": {"vqq_vusession=S3CRET-SESSION"}},
		Body:   []byte(`{"buid":"vinfoad","vinfoparam":"vid=abc&cKey=--01ABCDEF0123"}`), Status: 200,
		RespHeader: http.Header{"Content-Type": {"text/plain"}}, RespBody: []byte(reply)}
}

// TestWritePagesFiles: one file per exchange, numbered in order and named
// after the URL, holding the request and the reply, redacted; 0600.
func TestWritePagesFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "pages")
	w, err := New(dir, request.NewRedactor(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	w.Record(exchange("https://vd.l.qq.com/proxyhttp", `{"errCode":0,"vkey":"{\"s\":\"o\",\"key\":\"LEARNT-KEY-1\",\"filename\":\"f.mp4\"}"}`))
	failed := request.Exchange{Method: "GET", URL: "https://cdn.example/a/f.mp4?sdtfrom=v1010&k=LEARNT-KEY-1", Err: errors.New("dial tcp: connection refused")}
	w.Record(failed)
	names := listDir(t, dir)
	want := []string{"0001-vd.l.qq.com-proxyhttp.txt", "0002-cdn.example-a-f.mp4.txt"}
	if !slices.Equal(names, want) {
		t.Fatalf("files %v, want %v", names, want)
	}
	first := readFile(t, filepath.Join(dir, want[0]))
	for _, s := range []string{"# vdl --write-pages: exchange 1, ", "85ms", "POST https://vd.l.qq.com/proxyhttp\n", "Content-Type: application/json\n",
		"Cookie: vqq_vusession=<redacted>\n", `"vinfoparam":"vid=abc&cKey=<redacted>"`, "HTTP 200 OK\n", `\"key\":\"<redacted>\"`} {
		if !strings.Contains(first, s) {
			t.Errorf("file 1 lacks %q:\n%s", s, first)
		}
	}
	second := readFile(t, filepath.Join(dir, want[1]))
	for _, s := range []string{"GET https://cdn.example/a/f.mp4?sdtfrom=v1010&k=<redacted>\n", "# no reply\n", "# failed: dial tcp: connection refused\n"} {
		if !strings.Contains(second, s) {
			t.Errorf("file 2 lacks %q:\n%s", s, second)
		}
	}
	for _, s := range []string{"S3CRET", "ABCDEF0123", "LEARNT-KEY"} {
		if strings.Contains(first+second, s) {
			t.Errorf("a secret (%s) was written", s)
		}
	}
	for _, n := range names {
		if fi, err := os.Stat(filepath.Join(dir, n)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v", n, err, fi.Mode())
		}
	}

	// A second run into the same directory goes on after the first's
	// files, never over them.
	w2, err := New(dir, request.NewRedactor(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	w2.Record(exchange("https://v.qq.com/x/cover/abc/def.html", "<html></html>"))
	if got := listDir(t, dir); len(got) != 3 || got[2] != "0003-v.qq.com-x-cover-abc-def.html.txt" {
		t.Errorf("after a second run: %v", got)
	}
	if readFile(t, filepath.Join(dir, want[0])) != first {
		t.Error("the second run changed the first's file")
	}
}

// TestWritePagesConcurrent: exchanges recorded at once each get a file
// of their own, numbered without gaps; a file that exists already is
// skipped, never replaced.
func TestWritePagesConcurrent(t *testing.T) {
	dir := t.TempDir()
	w, err := New(dir, request.NewRedactor(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	// Another writer took the first name after New looked.
	taken := filepath.Join(dir, "0001-h.example-p.txt")
	if err := os.WriteFile(taken, []byte("theirs"), 0o600); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() { w.Record(exchange("https://h.example/p", fmt.Sprintf("reply %d.", i))) })
	}
	wg.Wait()
	names := listDir(t, dir)
	if len(names) != 21 {
		t.Fatalf("%d files, want 21: %v", len(names), names)
	}
	seen := map[string]bool{}
	for i, n := range names[1:] {
		if n != fmt.Sprintf("%04d-h.example-p.txt", i+2) {
			t.Errorf("file %d is %s", i+2, n)
		}
		text := readFile(t, filepath.Join(dir, n))
		reply := text[strings.Index(text, "reply "):]
		reply = reply[:strings.Index(reply, ".")]
		if seen[reply] {
			t.Errorf("%s written twice", reply)
		}
		seen[reply] = true
	}
	if readFile(t, taken) != "theirs" {
		t.Error("an existing file was overwritten")
	}
}

// TestWritePagesFailures: a path that cannot be a directory fails New; a
// write that fails later is reported once and nothing panics.
func TestWritePagesFailures(t *testing.T) {
	base := t.TempDir()
	file := filepath.Join(base, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{file, filepath.Join(file, "sub")} {
		if _, err := New(dir, request.NewRedactor(nil), nil); err == nil {
			t.Errorf("New(%s) succeeded", dir)
		}
	}
	dir := filepath.Join(base, "pages")
	var log warnings
	w, err := New(dir, request.NewRedactor(nil), slog.New(&log))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		w.Record(exchange("https://v.qq.com/", "x"))
	}
	if log.count() != 1 || !strings.HasPrefix(log.msgs[0], "WARN ") {
		t.Errorf("warnings %v, want one", log.msgs)
	}
}

// TestWritePagesBodyBound: a body past the bound is cut, and says so.
func TestWritePagesBodyBound(t *testing.T) {
	dir := t.TempDir()
	w, err := New(dir, request.NewRedactor(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	w.maxBody = 10
	w.Record(exchange("https://v.qq.com/big", strings.Repeat("x", 25)))
	got := readFile(t, filepath.Join(dir, listDir(t, dir)[0]))
	if !strings.Contains(got, "\nxxxxxxxxxx\n# ... 15 more bytes not kept\n") || strings.Contains(got, strings.Repeat("x", 11)) {
		t.Errorf("bounded body:\n%s", got)
	}
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
