package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vdlproject/vdl/internal/testtools"
)

// TestJoinCCJump: `cat seg*.ts > all.ts; vdl join -o all.mp4 all.ts`,
// with segments of separate muxer runs (so the continuity counters jump
// where they meet, and the clock with them), remuxes as ffmpeg does:
// exit 0, one warning that counts the jumps and names the first, every
// packet in, the clock stitched. A TS cut inside a packet is still
// refused (exit 6, no output).
func TestJoinCCJump(t *testing.T) {
	testtools.Require(t, "ffprobe")
	dir := t.TempDir()
	disc := filepath.Join("..", "..", "testdata", "remux", "disc-b.ts") // seg001 with its clock 600 s on
	all := testtools.ConcatTo(t, filepath.Join(dir, "all.ts"), media("hls-ts/seg000.ts"), disc)

	out := filepath.Join(dir, "all.mp4")
	r := runVDL(t, nil, "join", "-o", out, all)
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "vdl: warning: the MPEG-TS continuity counter jumps") ||
		!strings.Contains(r.stderr, "jumps=4") || !strings.Contains(r.stderr, "all.ts packet 520 (byte 97572)") {
		t.Errorf("stderr %q: want one warning with the 4 jumps, the first at packet 520", r.stderr)
	}
	if !strings.Contains(r.stderr, "200 video samples; 373 audio samples") {
		t.Errorf("stderr %q: want the summary of 200 video + 373 audio samples", r.stderr)
	}
	if p := testtools.Packets(t, out); p["video"] != 200 || p["audio"] != 373 {
		t.Errorf("packets %v, want 200 video + 373 audio (seg000 + seg001)", p)
	}
	if d := testtools.Duration(t, out); d < 7.95 || d > 8.1 {
		t.Errorf("duration %.3f s, want 8 s (the 600 s jump stitched)", d)
	}

	// Kept as TS, the packets are copied as they are.
	ts := filepath.Join(dir, "copy.ts")
	if r := runVDL(t, nil, "join", "-o", ts, all); r.code != 0 {
		t.Fatalf("join to .ts: exit %d, stderr %q", r.code, r.stderr)
	}
	if a, b := sha(t, ts), sha(t, all); a != b {
		t.Error("the joined TS is not the concatenated packets")
	}

	b, _ := os.ReadFile(all)
	cut := filepath.Join(dir, "cut.ts")
	os.WriteFile(cut, b[:len(b)-100], 0o644)
	bad := filepath.Join(dir, "cut.mp4")
	if r := runVDL(t, nil, "join", "-o", bad, cut); r.code != exitJoin || !strings.Contains(r.stderr, "partial packet") {
		t.Errorf("a TS cut inside a packet: exit %d, stderr %q; want exit %d naming the partial packet", r.code, r.stderr, exitJoin)
	}
	if fileExists(bad) {
		t.Error("a refused join left its output")
	}
}
