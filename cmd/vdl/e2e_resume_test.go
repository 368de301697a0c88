package main

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	ms "github.com/vdlproject/vdl/internal/mediaserver"
)

// TestKillAndResume interrupts the real binary at a random point with
// SIGINT and with SIGKILL, reruns the same command, and checks the output
// is identical and the server did not resend finished ranges.
func TestKillAndResume(t *testing.T) {
	const (
		size     = 16 << 20
		conns    = 4
		throttle = 1 << 20 // per connection: the run takes about 4 s
	)
	for _, tt := range []struct {
		name string
		sig  syscall.Signal
		code int // expected exit code of the interrupted run
		// slack is the waste allowed beyond 5%: SIGKILL may lose the last
		// checkpoint interval (1 s) of every connection.
		slack int64
		// from is the earliest interruption point, as a fraction of the
		// file: a SIGKILL must come after the first checkpoint (1 s, a
		// quarter of the run) for a state file to exist.
		from float64
	}{
		{"SIGINT", syscall.SIGINT, exitInterrupted, 0, 0.2},
		{"SIGTERM", syscall.SIGTERM, exitInterrupted, 0, 0.2},
		{"SIGKILL", syscall.SIGKILL, -1, 3 * conns * throttle / 2, 0.4},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := ms.RandomBytes(size)
			at := int64(float64(size) * (tt.from + (0.75-tt.from)*rand.Float64()))
			s := ms.Start(data, ms.Options{Throttle: throttle, NotifyAt: at})
			defer s.Close()
			dir := t.TempDir()
			args := []string{"-q", "-n", "4", "-d", dir, s.FileURL()}

			got, took := interruptVDL(t, s.Reached, tt.sig, args...)
			t.Logf("%s: exited %v after the signal", tt.name, took.Round(time.Millisecond))
			if got != tt.code {
				t.Errorf("interrupted run: exit %d, want %d", got, tt.code)
			}
			out := filepath.Join(dir, "file.bin")
			if fileExists(out) {
				t.Fatal("an interrupted download left a file under the final name")
			}
			state, err := os.ReadFile(filepath.Join(out+".vdl", "state.json"))
			if err != nil {
				t.Fatalf("no state after %s: %v", tt.name, err)
			}
			if !json.Valid(state) {
				t.Fatalf("state file is not valid JSON: %q", state)
			}
			sentBefore := s.Sent.Load()

			r := runVDL(t, nil, args...)
			if r.code != 0 {
				t.Fatalf("rerun: exit %d, stderr %s", r.code, r.stderr)
			}
			if sha(t, out) != sha256Of(data) {
				t.Fatal("resumed file differs from the served one")
			}
			waste := s.Sent.Load() - size
			t.Logf("interrupted after %d bytes sent; rerun fetched %d; waste %d bytes (%.1f%%)",
				sentBefore, s.Sent.Load()-sentBefore, waste, 100*float64(waste)/size)
			if limit := size/20 + tt.slack; waste > limit {
				t.Errorf("server sent %d bytes more than the file size (limit %d): finished ranges were refetched", waste, limit)
			}
		})
	}
}
