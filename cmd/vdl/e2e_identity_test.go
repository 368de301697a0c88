package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	ms "github.com/vdlproject/vdl/internal/mediaserver"
)

// TestIdentityHeaders: cookies from a cookies.txt file, the user agent,
// the referer and -H headers reach the server on every request, the
// probe and each range alike.
func TestIdentityHeaders(t *testing.T) {
	data := ms.RandomBytes(2 << 20)
	media := ms.Handler(data, ms.Options{Throttle: 8 << 20}) // throttled, so that the file is split
	var good, bad atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("session")
		if err != nil || c.Value != "s3cr3t" || r.UserAgent() != "TestAgent/1.0" ||
			r.Referer() != "https://site.example/page" || r.Header.Get("X-Token") != "abc" {
			bad.Add(1)
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		good.Add(1)
		media.ServeHTTP(w, r)
	}))
	defer srv.Close()
	cookies := filepath.Join(t.TempDir(), "cookies.txt")
	line := "# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\ts3cr3t\n"
	if err := os.WriteFile(cookies, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	r := runVDL(t, nil, "-q", "-n", "4", "--min-split", "64K", "-d", dir, "--cookies", cookies,
		"--user-agent", "TestAgent/1.0", "--referer", "https://site.example/page", "-H", "X-Token: abc", srv.URL+"/v.mp4")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if sha(t, filepath.Join(dir, "v.mp4")) != sha256Of(data) {
		t.Fatal("content differs")
	}
	if bad.Load() != 0 || good.Load() < 3 {
		t.Errorf("requests with the identity: %d, without: %d (want several and none)", good.Load(), bad.Load())
	}
	// Without the cookie the server refuses, and vdl says so.
	r = runVDL(t, nil, "-q", "-d", t.TempDir(), srv.URL+"/v.mp4")
	if r.code != exitNetwork {
		t.Errorf("without identity: exit %d, want %d", r.code, exitNetwork)
	}
	oneErrorLine(t, r.stderr, "403 Forbidden")
}
