package fetch

import (
	"path/filepath"
	"testing"
	"time"
)

// TestRampWaitsForProbes: before any speed is known, an idle connection
// does not cut a part that answered first into pieces smaller than an
// even share while another part's probe is still pending; once that probe
// confirms, it takes work there.
func TestRampWaitsForProbes(t *testing.T) {
	const mib = 1 << 20
	dir := t.TempDir()
	opts := fastOpts(dir)
	opts.Connections, opts.MinSplit = 16, 64<<10
	j, err := New([]Part{
		{URL: "http://a/1", Size: 2 * mib, Path: filepath.Join(dir, "1")},
		{URL: "http://a/2", Size: 30 * mib, Path: filepath.Join(dir, "2")},
	}, opts)
	if err != nil {
		t.Fatal(err)
	}
	a, b := j.parts[0], j.parts[1]
	a.size, b.size = 2*mib, 30*mib
	a.confirmed = true
	j.addSpanLocked(a, &worker{}, 0, 2*mib)  // answered: may be split
	j.addSpanLocked(b, &worker{}, 0, 30*mib) // still probing
	// Halving part 1 gives 1 MiB, under the even share of 32/16 = 2 MiB.
	if sp := j.stealLocked(&worker{}); sp != nil {
		t.Fatalf("stole [%d, %d) of part %d while part 2's probe was pending", sp.pos, sp.end, sp.part.idx)
	}
	b.confirmed = true
	sp := j.stealLocked(&worker{})
	if sp == nil || sp.part != b {
		t.Fatalf("after part 2 confirmed: stole %+v, want a share of part 2", sp)
	}
	// With nothing pending, a small share is taken as before.
	j2, _ := New([]Part{{URL: "http://a/1", Size: 2 * mib, Path: filepath.Join(dir, "3")}}, opts)
	p := j2.parts[0]
	p.size, p.confirmed = 2*mib, true
	j2.addSpanLocked(p, &worker{}, 0, 2*mib)
	if sp := j2.stealLocked(&worker{}); sp == nil || sp.end-sp.pos != mib {
		t.Fatalf("single confirmed part: stole %+v, want half (1 MiB)", sp)
	}
}

// measuredWorker is a worker whose meter has seen rate bytes/s for a
// second, as after a transfer.
func measuredWorker(rate float64) *worker {
	w := &worker{}
	now := time.Now()
	w.m.start(now.Add(-time.Second))
	for i := 1; i <= 8; i++ {
		w.m.add(now.Add(-time.Second+time.Duration(i)*125*time.Millisecond), int64(rate*float64(i)/8))
	}
	w.m.last, w.m.sure = rate, true
	return w
}

// TestTailWorkIsShared: when many connections are idle at the end of a
// job, neither a range given back (a dropped slow connection) nor a
// stolen tail goes to one connection as one request: each first request
// is about the work divided by the connections that can help, so that
// the others take the rest without cutting into a transfer (one holding
// half the tail in one request made the job finish 25 % late).
func TestTailWorkIsShared(t *testing.T) {
	const mib = 1 << 20
	dir := t.TempDir()
	opts := fastOpts(dir)
	opts.Connections, opts.MinSplit = 16, 64<<10
	rate := float64(4 * mib)
	setup := func() (*Job, *partState) {
		j, err := New([]Part{{URL: "http://a/1", Size: 256 * mib, Path: filepath.Join(dir, "p")}}, opts)
		if err != nil {
			t.Fatal(err)
		}
		p := j.parts[0]
		p.size, p.confirmed = 256*mib, true
		for i := 0; i < 15; i++ {
			j.workers = append(j.workers, measuredWorker(rate)) // idle, measured
		}
		return j, p
	}

	// A range given back: [0, 15 MiB) free, the rest done but one busy span.
	j, p := setup()
	p.done = append(p.done, Range{15 * mib, 256 * mib})
	busy := measuredWorker(rate)
	j.workers = append(j.workers, busy)
	j.addSpanLocked(p, busy, 255*mib, 256*mib).reqEnd = 256 * mib
	thief := j.workers[0]
	sp, _ := j.pickLocked(thief)
	if sp == nil || sp.pos != 0 || sp.end != 15*mib {
		t.Fatalf("claimed %+v, want the free range [0, 15 MiB)", sp)
	}
	if sp.window <= 0 || sp.window > 2*mib {
		t.Errorf("first request of the given-back range: %d bytes, want about 15 MiB / 15 helpers", sp.window)
	}

	// A stolen tail: one transfer holds [0, 14 MiB), 1 MiB requested.
	j, p = setup()
	p.done = append(p.done, Range{14 * mib, 256 * mib})
	victim := measuredWorker(rate)
	j.workers = append(j.workers, victim)
	j.addSpanLocked(p, victim, 0, 14*mib).reqEnd = mib
	sp = j.stealLocked(j.workers[0])
	if sp == nil {
		t.Fatal("nothing stolen from a 14 MiB tail with 15 idle connections")
	}
	if share := sp.end - sp.pos; sp.window > share/4 {
		t.Errorf("the thief's first request is %d of its %d bytes: want a share of the helpers, not half", sp.window, share)
	}
}
