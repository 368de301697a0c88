package fetch

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	ms "github.com/vdlproject/vdl/internal/mediaserver"
	"github.com/vdlproject/vdl/request"
)

// TestMirrors: a part whose first URL refuses moves to the next mirror at
// once (no backoff, no retry budget spent), and a refusal from every
// mirror still fails with the last mirror's error.
func TestMirrors(t *testing.T) {
	data := ms.RandomBytes(1<<20 + 77)
	tests := []struct {
		name     string
		statuses []int // Status of each mirror server, 0 = serves the file
		wantErr  int   // expected HTTP status of the error, 0 = success
		// served is the mirror that must deliver the bytes.
		served int
	}{
		{name: "403 then good", statuses: []int{403, 0}, served: 1},
		{name: "503 and 404 then good", statuses: []int{503, 404, 0}, served: 2},
		{name: "first good", statuses: []int{0, 403}, served: 0},
		{name: "all refuse", statuses: []int{403, 410}, wantErr: 410},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var servers []*ms.Server
			var urls []string
			for _, st := range tc.statuses {
				s := startServer(t, data, ms.Options{Status: st})
				servers = append(servers, s)
				urls = append(urls, s.FileURL())
			}
			dir := t.TempDir()
			opts := fastOpts(dir)
			opts.Client.Policy.Retries = -1 // no retries at all: only mirror switches may save the part
			slept := 0
			opts.Client.Policy.Sleep = func(context.Context, time.Duration) error { slept++; return nil }
			j, err := New([]Part{{URL: urls[0], Mirrors: urls[1:], Size: -1, Path: filepath.Join(dir, "out.bin")}}, opts)
			if err != nil {
				t.Fatal(err)
			}
			err = j.Run(context.Background())
			if tc.wantErr != 0 {
				var he *request.StatusError
				if !errors.As(err, &he) || he.StatusCode != tc.wantErr {
					t.Fatalf("err = %v, want HTTP %d", err, tc.wantErr)
				}
				for i, s := range servers {
					if s.Requests.Load() != 1 {
						t.Errorf("mirror %d asked %d times, want once", i, s.Requests.Load())
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			sameFile(t, filepath.Join(dir, "out.bin"), data)
			if slept != 0 {
				t.Errorf("backed off %d times; a mirror switch must be immediate", slept)
			}
			for i, s := range servers {
				switch {
				case i == tc.served && s.Sent.Load() < int64(len(data)):
					t.Errorf("mirror %d sent %d bytes, want the whole file", i, s.Sent.Load())
				case i != tc.served && s.Sent.Load() != 0:
					t.Errorf("mirror %d sent %d bytes, want none", i, s.Sent.Load())
				}
			}
		})
	}
}

// TestBrokenBodyStaysOnItsMirror: a body that breaks off after the
// server answered is a fault of the transfer, retried on the same URL;
// only refusals and failed connections move a part to a mirror.
func TestBrokenBodyStaysOnItsMirror(t *testing.T) {
	data := ms.RandomBytes(1<<20 + 77)
	first := startServer(t, data, ms.Options{CutAfter: 100 << 10, CutTimes: 1})
	second := startServer(t, data, ms.Options{})
	dir := t.TempDir()
	opts := fastOpts(dir)
	waits := recordWaits(&opts)
	j, err := New([]Part{{URL: first.FileURL(), Mirrors: []string{second.FileURL()}, Size: -1, Path: filepath.Join(dir, "out.bin")}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	sameFile(t, filepath.Join(dir, "out.bin"), data)
	if n := second.Requests.Load(); n != 0 {
		t.Errorf("the mirror was asked %d times after a broken body on the first URL", n)
	}
	if first.Requests.Load() < 2 || len(waits()) == 0 {
		t.Errorf("%d requests to the first URL, %d backoff waits: want the broken range retried there", first.Requests.Load(), len(waits()))
	}
}
