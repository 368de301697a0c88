package main

import (
	"path/filepath"
	"testing"

	ms "github.com/vdlproject/vdl/internal/mediaserver"
)

// TestFirstRequestsFail: a server whose first requests fail (the probe
// that learns the size among them) in each way a night of downloads
// meets: the real binary retries them and saves the right bytes.
func TestFirstRequestsFail(t *testing.T) {
	data := ms.RandomBytes(1 << 20)
	tests := []struct {
		name string
		opts ms.Options
	}{
		{"503 with Retry-After", ms.Options{FailFirst: 2, RetryAfter: "1"}},
		{"429 with Retry-After", ms.Options{FailFirst: 1, FailStatus: 429, RetryAfter: "1"}},
		{"502", ms.Options{FailFirst: 2, FailStatus: 502}},
		{"reset before the headers", ms.Options{ResetFirst: 2}},
		{"never answered", ms.Options{HangFirst: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := ms.Start(data, tt.opts)
			defer s.Close()
			dir := t.TempDir()
			r := runVDL(t, nil, "-q", "--timeout", "1s", "-d", dir, s.FileURL())
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if sha(t, filepath.Join(dir, "file.bin")) != sha256Of(data) {
				t.Error("content differs")
			}
		})
	}
}

// TestMaxConnsPerHost: with the flag, a host that refuses a third
// connection never gets one.
func TestMaxConnsPerHost(t *testing.T) {
	data := ms.RandomBytes(4 << 20)
	s := ms.Start(data, ms.Options{Throttle: 8 << 20, MaxConns: 2})
	defer s.Close()
	dir := t.TempDir()
	r := runVDL(t, nil, "-q", "-n", "8", "--max-conns-per-host", "2", "-d", dir, s.FileURL())
	if r.code != 0 || sha(t, filepath.Join(dir, "file.bin")) != sha256Of(data) {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if n := s.Refused.Load(); n != 0 {
		t.Errorf("%d requests refused: the cap was passed", n)
	}
}
