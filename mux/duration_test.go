package mux

import (
	"context"
	"math"
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
