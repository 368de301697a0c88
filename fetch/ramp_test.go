package fetch

import (
	"path/filepath"
	"testing"
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
