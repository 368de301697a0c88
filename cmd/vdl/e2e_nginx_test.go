package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ms "github.com/vdlproject/vdl/internal/mediaserver"
)

// TestNginxEndToEnd downloads a generated file from a real nginx through
// the real binary, then checks skip, --force and error behaviour.
func TestNginxEndToEnd(t *testing.T) {
	root := t.TempDir()
	data := ms.RandomBytes(24<<20 + 777)
	if err := os.WriteFile(filepath.Join(root, "movie.mp4"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	base := startNginx(t, root, "8m")
	out := t.TempDir()

	r := runVDL(t, nil, "-n", "8", "-d", out, base+"/slow/movie.mp4")
	if r.code != 0 {
		t.Fatalf("download: exit %d, stderr %s", r.code, r.stderr)
	}
	dst := filepath.Join(out, "movie.mp4")
	if sha(t, dst) != sha256Of(data) {
		t.Fatal("downloaded file differs from the served one")
	}
	if fileExists(dst + ".vdl") {
		t.Error("work dir left behind after success")
	}

	r = runVDL(t, nil, "-d", out, base+"/movie.mp4")
	if r.code != 0 || !strings.Contains(r.stderr, "already downloaded") {
		t.Errorf("second run: exit %d, stderr %q; want a skip", r.code, r.stderr)
	}

	// A different file in the way is never overwritten: the download
	// takes the next free name. --force replaces the file atomically;
	// flags after the URL work too.
	if err := os.WriteFile(dst, []byte("stale"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = runVDL(t, nil, base+"/movie.mp4", "-d", out, "-q")
	if got, _ := os.ReadFile(dst); r.code != 0 || string(got) != "stale" || sha(t, filepath.Join(out, "movie (2).mp4")) != sha256Of(data) {
		t.Errorf("differing existing file: exit %d (%s); want it kept and the download in movie (2).mp4", r.code, r.stderr)
	}
	r = runVDL(t, nil, base+"/movie.mp4", "-d", out, "-q", "--force")
	if r.code != 0 || sha(t, dst) != sha256Of(data) {
		t.Fatalf("--force: exit %d, stderr %s", r.code, r.stderr)
	}

	// -o names the file.
	named := filepath.Join(out, "named.bin")
	if r = runVDL(t, nil, "-q", "-o", named, base+"/movie.mp4"); r.code != 0 || sha(t, named) != sha256Of(data) {
		t.Fatalf("-o: exit %d, stderr %s", r.code, r.stderr)
	}

	r = runVDL(t, nil, "-q", "-d", out, base+"/missing.mp4")
	if r.code != exitNetwork {
		t.Errorf("404: exit %d, want %d", r.code, exitNetwork)
	}
	oneErrorLine(t, r.stderr, "GET "+base+"/missing.mp4: 404 Not Found")
	if fileExists(filepath.Join(out, "missing.mp4")) {
		t.Error("a failed download left an output file")
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "no URL"},
		{[]string{"not a url"}, "is not a URL"},
		{[]string{"-n", "0", "http://x/"}, "connections"},
		{[]string{"--limit-rate", "fast", "http://x/"}, "--limit-rate"},
		{[]string{"--proxy", "ftp://p:1", "http://x/"}, "scheme must be"},
		{[]string{"-H", "NoColon", "http://x/"}, "Name: value"},
		{[]string{"-o", "a", "http://x/1", "http://x/2"}, "several URLs"},
		{[]string{"--no-such-flag", "http://x/"}, "no-such-flag"},
		{[]string{"--cookies", "/nonexistent/cookies.txt", "http://x/"}, "--cookies"},
	}
	for _, tt := range tests {
		r := runVDL(t, nil, tt.args...)
		if r.code != exitUsage {
			t.Errorf("vdl %q: exit %d, want %d (stderr %q)", tt.args, r.code, exitUsage, r.stderr)
			continue
		}
		oneErrorLine(t, r.stderr, tt.want)
	}
}

// TestNoSpaceRefused: a remote size that cannot fit fails before any
// transfer, with the disk exit code and nothing written.
func TestNoSpaceRefused(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Range", "bytes 0-0/4611686018427387904")
		w.WriteHeader(http.StatusPartialContent)
		w.Write([]byte{0})
	}))
	defer srv.Close()
	dir := t.TempDir()
	r := runVDL(t, nil, "-d", dir, srv.URL+"/huge.mp4")
	if r.code != exitDisk {
		t.Errorf("exit %d, want %d", r.code, exitDisk)
	}
	oneErrorLine(t, r.stderr, "not enough free disk space")
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("refused download left %d entries in the output dir", len(entries))
	}
}

// TestPlainProgressLines: without a terminal, progress is plain lines
// (no carriage returns or escape codes) ending with the final state.
func TestPlainProgressLines(t *testing.T) {
	s := ms.Start(ms.RandomBytes(2<<20), ms.Options{Throttle: 4 << 20})
	defer s.Close()
	r := runVDL(t, nil, "-n", "2", "-d", t.TempDir(), s.FileURL())
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if strings.ContainsAny(r.stderr, "\r\x1b") {
		t.Errorf("non-terminal progress has control characters: %q", r.stderr)
	}
	if !strings.Contains(r.stderr, "100.0% [") || !strings.Contains(r.stderr, "2.0 MiB/2.0 MiB") || !strings.Contains(r.stderr, "vdl: saved ") {
		t.Errorf("progress output lacks the final line or the saved note: %q", r.stderr)
	}
}
