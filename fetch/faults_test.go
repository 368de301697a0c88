package fetch

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	ms "github.com/vdlproject/vdl/internal/mediaserver"
)

// TestFirstRequestFaults: the very first request (the one that learns the
// size) meets each kind of fault and the download still completes with
// the right bytes; the waits follow Retry-After.
func TestFirstRequestFaults(t *testing.T) {
	data := ms.RandomBytes(1 << 20)
	tests := []struct {
		name    string
		opts    ms.Options
		minWait time.Duration
	}{
		{"503 with Retry-After", ms.Options{FailFirst: 2, RetryAfter: "1"}, time.Second},
		{"429 with Retry-After", ms.Options{FailFirst: 2, FailStatus: 429, RetryAfter: "2"}, 2 * time.Second},
		{"reset before the headers", ms.Options{ResetFirst: 2}, 0},
		{"never answered", ms.Options{HangFirst: 1}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startServer(t, data, tt.opts)
			dir := t.TempDir()
			o := fastOpts(dir)
			o.Client.Policy.Timeout = 300 * time.Millisecond
			waits := recordWaits(&o)
			if _, err := runJob(t, context.Background(), s.FileURL(), dir, -1, o); err != nil {
				t.Fatal(err)
			}
			sameFile(t, filepath.Join(dir, "out.bin"), data)
			if len(waits()) == 0 && tt.minWait > 0 {
				t.Error("no backoff wait was recorded")
			}
			for _, w := range waits() {
				if w < tt.minWait {
					t.Errorf("waited %v, want at least the Retry-After %v", w, tt.minWait)
				}
			}
		})
	}
}

// TestSlowConnectionsAfterTheFirstTwo: every connection after the first
// two crawls. The two fast ones must carry almost all of the file (the
// crawling ones' ranges are stolen or raced), and the server sends at
// most 1.3x the file in all.
func TestSlowConnectionsAfterTheFirstTwo(t *testing.T) {
	const size = 4 << 20
	data := ms.RandomBytes(size)
	s := startServer(t, data, ms.Options{Throttle: 4 << 20, SlowAfterConns: 2, SlowRate: 16 << 10})
	dir := t.TempDir()
	o := fastOpts(dir)
	o.Connections, o.MinSplit = 8, 256<<10
	if os.Getenv("VDL_DEBUG") != "" {
		o.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if _, err := runJob(t, context.Background(), s.FileURL(), dir, size, o); err != nil {
		t.Fatal(err)
	}
	sameFile(t, filepath.Join(dir, "out.bin"), data)
	fast := s.BytesOfConn(1) + s.BytesOfConn(2)
	if fast < size*8/10 {
		t.Errorf("the two fast connections carried %d of %d bytes: the slow ones held their ranges", fast, size)
	}
	if sent := s.Sent.Load(); sent > size*13/10 {
		t.Errorf("server sent %d bytes for a %d-byte file (%.2fx)", sent, size, float64(sent)/size)
	}
}

// TestConnectionCappedHost: a host that answers 503 beyond two
// connections. vdl settles on two instead of retrying at full width: few
// refusals, and none at all with --max-conns-per-host.
func TestConnectionCappedHost(t *testing.T) {
	const size = 4 << 20
	data := ms.RandomBytes(size)
	for _, explicit := range []int{0, 2} {
		s := startServer(t, data, ms.Options{Throttle: 8 << 20, MaxConns: 2})
		dir := t.TempDir()
		o := fastOpts(dir)
		o.Connections, o.MaxConnsPerHost = 8, explicit
		o.Client.Policy.Retries = 3 // a refusal that counted as a failure would soon fail the job
		j, err := runJob(t, context.Background(), s.FileURL(), dir, size, o)
		if err != nil {
			t.Fatalf("cap %d: %v", explicit, err)
		}
		sameFile(t, filepath.Join(dir, "out.bin"), data)
		refused := s.Refused.Load()
		switch {
		case explicit > 0 && refused != 0:
			t.Errorf("with --max-conns-per-host 2: %d refused requests, want none", refused)
		case explicit == 0 && (refused == 0 || refused > 10):
			t.Errorf("%d refused requests (job saw %d): want a few, then none", refused, j.Progress().Refused)
		}
	}
}

// TestBytesServedOnACleanServer: bounded requests on kept-alive
// connections: a 16 MiB file at 8 connections makes the server send at
// most 1.15x the file, over few connections.
func TestBytesServedOnACleanServer(t *testing.T) {
	const size = 16 << 20
	data := ms.RandomBytes(size)
	s := startServer(t, data, ms.Options{})
	dir := t.TempDir()
	o := fastOpts(dir)
	o.Connections = 8
	if _, err := runJob(t, context.Background(), s.FileURL(), dir, size, o); err != nil {
		t.Fatal(err)
	}
	sameFile(t, filepath.Join(dir, "out.bin"), data)
	if sent := s.Sent.Load(); sent > size*115/100 {
		t.Errorf("server sent %d bytes (%.2fx the file) in %d requests over %d connections",
			sent, float64(sent)/size, s.Requests.Load(), s.Conns.Load())
	}
	if c := s.Conns.Load(); c > 10 {
		t.Errorf("%d connections opened for %d requests: connections are not kept alive", c, s.Requests.Load())
	}
}

// TestRaceWritesEachByteOnce drives two streams of a race through
// reserve: each byte is written by the stream that delivers it first, and
// the one that falls wholly behind has lost.
func TestRaceWritesEachByteOnce(t *testing.T) {
	dir := t.TempDir()
	j, err := New([]Part{{URL: "http://a/x", Size: 1000, Path: filepath.Join(dir, "x")}}, fastOpts(dir))
	if err != nil {
		t.Fatal(err)
	}
	p := j.parts[0]
	p.size, p.confirmed = 1000, true
	slow, fast := &worker{}, &worker{}
	victim := j.sched.addSpan(p, slow, 600, 1000)
	victim.pos, victim.written = 700, 700 // the victim got to 700
	racer := j.sched.addSpan(p, fast, victim.pos, victim.end)
	r := &race{front: victim.pos, a: victim, b: racer}
	victim.race, racer.race = r, r

	steps := []struct {
		sp               *span
		n                int64
		at, skip, keep   int64
		lost             bool
		racingAfterwards bool
	}{
		{victim, 50, 700, 0, 50, false, true},   // the victim delivers first: [700,750)
		{racer, 200, 700, 50, 200, false, true}, // the racer overtakes: writes [750,900)
		{victim, 50, 0, 0, 0, true, false},      // [750,800) came already: the victim has lost
	}
	for i, st := range steps {
		at, skip, keep, o := j.sched.reserve(st.sp, st.n, -1)
		if lost := o == spanLost; lost != st.lost {
			t.Fatalf("step %d: outcome %v, want lost=%v", i, o, st.lost)
		}
		if !st.lost && (at != st.at || skip != st.skip || keep != st.keep) {
			t.Errorf("step %d: at %d skip %d keep %d, want %d %d %d", i, at, skip, keep, st.at, st.skip, st.keep)
		}
		if racing := st.sp.race != nil; racing != st.racingAfterwards {
			t.Errorf("step %d: racing = %v", i, racing)
		}
	}
	if racer.race != nil {
		t.Error("the winner still races")
	}
}
