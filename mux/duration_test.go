package mux

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestDuration(t *testing.T) {
	ts := filepath.Join(t.TempDir(), "all.ts")
	var segs []Segment
	for i := range 4 {
		segs = append(segs, Segment{Path: fixture("hls-ts", "seg00"+string(rune('0'+i))+".ts")})
	}
	if err := JoinTS(context.Background(), ts, segs); err != nil {
		t.Fatal(err)
	}
	// The same segments twice: timestamps restart half-way (as at an
	// EXT-X-DISCONTINUITY); the runs add up.
	twice := filepath.Join(t.TempDir(), "twice.ts")
	if err := JoinTS(context.Background(), twice, append(segs, segs...)); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path string
		want float64
		tol  float64
	}{
		{fixture("source/source.mp4"), 15.02, 0.05},
		{fixture("mp4-clips/clip1.mp4"), 5.0, 0.1},
		{ts, 15.0, 0.1},
		{twice, 30.0, 0.2},
		{fixture("hls-ts", "seg000.ts"), 4.0, 0.2},
	} {
		got, err := Duration(tt.path)
		if err != nil {
			t.Fatalf("%s: %v", tt.path, err)
		}
		if math.Abs(got.Seconds()-tt.want) > tt.tol {
			t.Errorf("%s: %v, want %.2f s", filepath.Base(tt.path), got.Round(time.Millisecond), tt.want)
		}
	}
}

// TestMergeWebVTT: segments' cues on one timeline, each moved by its
// X-TIMESTAMP-MAP relative to the first; a cue split across a boundary
// kept once.
func TestMergeWebVTT(t *testing.T) {
	seg0 := "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:00.000\n\n00:00:01.000 --> 00:00:03.000\nfirst\n\n00:00:03.500 --> 00:00:04.500\nacross\n"
	seg1 := "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:00.000\n\n00:00:03.500 --> 00:00:04.500\nacross\n\n00:00:05.000 --> 00:00:07.250\nsecond\n"
	// A segment whose local clock restarts at 0 for media time 8 s.
	seg2 := "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:1620000,LOCAL:00:00:00.000\n\n00:00:00.500 --> 00:00:01.500\nthird\n"
	got, err := MergeWebVTT([][]byte{[]byte(seg0), []byte(seg1), []byte("WEBVTT\n\n"), []byte(seg2)})
	if err != nil {
		t.Fatal(err)
	}
	want := "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nfirst\n\n00:00:03.500 --> 00:00:04.500\nacross\n\n00:00:05.000 --> 00:00:07.250\nsecond\n\n00:00:08.500 --> 00:00:09.500\nthird\n"
	if string(got) != want {
		t.Errorf("merged:\n%s\nwant:\n%s", got, want)
	}
}

// shiftAudio moves the PTS and DTS of every audio PES (stream IDs
// 0xC0-0xDF) of a TS by ticks (90 kHz).
func shiftAudio(ts []byte, ticks int64) []byte {
	out := append([]byte(nil), ts...)
	put := func(b []byte) {
		v := (readPESTime(b) + ticks) & (1<<33 - 1)
		b[0] = b[0]&0xf0 | byte(v>>29)&0x0e | 1
		b[1], b[2], b[3], b[4] = byte(v>>22), byte(v>>14)|1, byte(v>>7), byte(v<<1)|1
	}
	for off := 0; off+tsPacket <= len(out); off += tsPacket {
		pkt := out[off : off+tsPacket]
		pl := tsPayload(pkt)
		if !tsPUSI(pkt) || len(pl) < 19 || pl[0] != 0 || pl[1] != 0 || pl[2] != 1 || pl[3] < 0xc0 || pl[3] > 0xdf || pl[7]&0x80 == 0 {
			continue
		}
		put(pl[9:14])
		if pl[7]&0x40 != 0 {
			put(pl[14:19])
		}
	}
	return out
}

// TestTimingStartGap: TimingOf gives the start gap of a file's audio and
// video (its edit lists), and a length that includes it: a few frames in
// real files, the whole offset in a remux of a TS whose audio starts
// 6.8 h late.
func TestTimingStartGap(t *testing.T) {
	dir := t.TempDir()
	seg, err := os.ReadFile(fixture("hls-ts", "seg000.ts"))
	if err != nil {
		t.Fatal(err)
	}
	late := writeTemp(t, dir, "late.ts", shiftAudio(seg, 6.8*3600*90000))
	plain, shifted := filepath.Join(dir, "plain.mp4"), filepath.Join(dir, "shifted.mp4")
	for in, out := range map[string]string{fixture("hls-ts", "seg000.ts"): plain, late: shifted} {
		if _, err := RemuxTS(context.Background(), out, dir, [][]Segment{{{Path: in}}}, MP4Options{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		path          string
		gap, duration float64 // seconds
	}{
		{fixture("source/source.mp4"), 0, 15.02},
		{plain, 0, 4.04},
		{shifted, 6.8 * 3600, 6.8*3600 + 4},
		{fixture("hls-ts", "seg000.ts"), 0, 4.0}, // TS: no edit lists
	} {
		got, err := TimingOf(tt.path)
		if err != nil {
			t.Fatalf("%s: %v", tt.path, err)
		}
		if math.Abs(got.StartGap.Seconds()-tt.gap) > 0.2 || math.Abs(got.Duration.Seconds()-tt.duration) > 0.2 {
			t.Errorf("%s: gap %v, duration %v; want %.2f s and %.2f s", filepath.Base(tt.path), got.StartGap, got.Duration, tt.gap, tt.duration)
		}
	}
}
