package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// headerLog records the credential headers each request to a server had.
type headerLog struct {
	mu   sync.Mutex
	seen []string // "Authorization=...;Cookie=...;X-Custom=..." per request
}

func (l *headerLog) record(r *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seen = append(l.seen, "Authorization="+r.Header.Get("Authorization")+";Cookie="+r.Header.Get("Cookie")+";X-Custom="+r.Header.Get("X-Custom"))
}

func (l *headerLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.seen...)
}

// TestCredentialsStayWithTheirHost: -H credentials go to the host of the
// URL given, never to another host a redirect or a playlist leads to,
// unless --location-trusted; other -H headers go everywhere.
func TestCredentialsStayWithTheirHost(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(mediaDir, "hls-ts", "seg000.ts"))
	if err != nil {
		t.Fatal(err)
	}
	var other headerLog
	cdn := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		other.record(r)
		http.ServeContent(w, r, "x.bin", time.Unix(1700000000, 0), bytes.NewReader(data))
	})
	var origin headerLog
	site := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		origin.record(r)
		switch r.URL.Path {
		case "/redirect.bin":
			http.Redirect(w, r, cdn.URL+"/x.bin", http.StatusFound)
		case "/index.m3u8":
			w.Write([]byte("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\n" + cdn.URL + "/seg.bin\n#EXT-X-ENDLIST\n"))
		}
	})
	creds := []string{"-H", "Authorization: Bearer abc", "-H", "Cookie: session=s3cret", "-H", "X-Custom: yes"}
	for _, tt := range []struct {
		name    string
		url     string
		trusted bool
	}{
		{"redirect", site.URL + "/redirect.bin", false},
		{"redirect, --location-trusted", site.URL + "/redirect.bin", true},
		{"playlist", site.URL + "/index.m3u8", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			other.mu.Lock()
			other.seen = nil
			other.mu.Unlock()
			args := append([]string{"-q", "-d", t.TempDir()}, creds...)
			if tt.trusted {
				args = append(args, "--location-trusted")
			}
			r := runVDL(t, nil, append(args, tt.url)...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			for _, h := range origin.all() {
				if !strings.Contains(h, "Bearer abc") || !strings.Contains(h, "s3cret") {
					t.Errorf("the host given did not get the credentials: %s", h)
				}
			}
			got := other.all()
			if len(got) == 0 {
				t.Fatal("the other host got no request")
			}
			for _, h := range got {
				leaked := strings.Contains(h, "Bearer abc") || strings.Contains(h, "s3cret")
				if leaked != tt.trusted {
					t.Errorf("another host got %q (trusted: %v)", h, tt.trusted)
				}
				if !strings.Contains(h, "X-Custom=yes") {
					t.Errorf("a plain -H header did not follow: %q", h)
				}
			}
		})
	}
}

// TestProxyPasswordNeverPrinted: a refused --proxy is named without its
// credentials.
func TestProxyPasswordNeverPrinted(t *testing.T) {
	for _, p := range []string{"ftp://user:secret@127.0.0.1:1", "user:secret@127.0.0.1:1", "http://user:secret@[::1"} {
		r := runVDL(t, nil, "--proxy", p, "http://127.0.0.1:1/x")
		if r.code != exitUsage {
			t.Errorf("--proxy %s: exit %d, want %d", p, r.code, exitUsage)
		}
		if strings.Contains(r.stderr+r.stdout, "secret") {
			t.Errorf("--proxy %s: the password was printed: %s", p, r.stderr)
		}
	}
}

// TestCookieBounds: a cookies file too big to be one is refused at
// once, and cookies that would make every request too big (servers
// answer 431) stop the run with one line before any request.
func TestCookieBounds(t *testing.T) {
	var requests atomic.Int64
	s := hostile(t, func(w http.ResponseWriter, r *http.Request) { requests.Add(1) })
	dir := t.TempDir()
	var many strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&many, "127.0.0.1\tFALSE\t/\tFALSE\t0\tcookie%d\tvalue-of-cookie\n", i)
	}
	big := filepath.Join(dir, "big.txt")
	os.WriteFile(big, bytes.Repeat([]byte("# a comment line of a very large file\n"), 300_000), 0o644)
	manyPath := filepath.Join(dir, "many.txt")
	os.WriteFile(manyPath, []byte(many.String()), 0o644)
	for _, tt := range []struct{ file, want string }{{big, "too big"}, {manyPath, "add up to"}} {
		r := runVDL(t, nil, "-d", dir, "--cookies", tt.file, s.URL+"/x.bin")
		if r.code != exitUsage {
			t.Errorf("%s: exit %d, want %d: %s", tt.file, r.code, exitUsage, r.stderr)
		}
		oneErrorLine(t, r.stderr, tt.want)
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("%d requests went out with cookies a server refuses", n)
	}
}
