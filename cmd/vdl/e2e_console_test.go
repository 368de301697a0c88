package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	ms "github.com/vdlproject/vdl/internal/mediaserver"
)

// TestWaitLines: off a terminal, a download waiting on a retry prints
// one line per wait (the host, what failed, which retry, when), never
// the URL without --verbose; -q prints none.
func TestWaitLines(t *testing.T) {
	media := ms.Handler(ms.RandomBytes(256<<10), ms.Options{})
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if k := n.Add(1); k == 2 || k == 3 { // the transfer's first two tries
			w.Header().Set("Retry-After", "1")
			http.Error(w, "busy", http.StatusInternalServerError)
			return
		}
		media.ServeHTTP(w, r)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	u := srv.URL + "/media/file.bin?sig=secret"
	tests := []struct {
		name  string
		flags []string
		want  []string // the wait lines, in order, up to the delay (at least the Retry-After, jittered past it)
	}{
		{"plain", nil, []string{
			"vdl: " + host + ": 500 Internal Server Error; retry 1 of 10 in ",
			"vdl: " + host + ": 500 Internal Server Error; retry 2 of 10 in "}},
		{"quiet", []string{"-q"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n.Store(0)
			r := runVDL(t, nil, append(tt.flags, "-n", "1", "-d", t.TempDir(), u)...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			var waits []string
			for _, l := range strings.Split(r.stderr, "\n") {
				if i := strings.Index(l, "; retry "); i >= 0 && strings.HasPrefix(l, "vdl: ") {
					waits = append(waits, l[:i+len("; retry 1 of 10 in ")])
				}
			}
			if strings.Join(waits, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("wait lines %q, want %q; stderr:\n%s", waits, tt.want, r.stderr)
			}
			if strings.Contains(r.stderr, url.QueryEscape("secret")) {
				t.Errorf("a wait line shows the URL:\n%s", r.stderr)
			}
		})
	}
}
