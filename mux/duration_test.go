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
