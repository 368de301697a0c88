package qq

import (
	"os"
	"testing"
	"time"
)

// TestMVHDDuration reads the movie header of the fixtures' faststart MP4
// from its first bytes; anything else tells nothing.
func TestMVHDDuration(t *testing.T) {
	src, err := os.ReadFile("../../testdata/media/source/source.mp4")
	if err != nil {
		t.Fatal(err)
	}
	head := src[:min(len(src), probeBytes)]
	if d := mvhdDuration(head); d < 14900*time.Millisecond || d > 15100*time.Millisecond {
		t.Errorf("source.mp4: %v, want about 15 s", d)
	}
	for name, b := range map[string][]byte{
		"empty":     nil,
		"junk":      []byte("not an mp4 at all, just text"),
		"huge box":  {0xff, 0xff, 0xff, 0xff, 'm', 'o', 'o', 'v', 0, 0, 0, 8, 'm', 'v', 'h', 'd'},
		"tiny size": {0, 0, 0, 3, 'm', 'o', 'o', 'v'},
		"cut moov":  head[:40],
	} {
		if d := mvhdDuration(b); d != 0 {
			t.Errorf("%s: %v, want 0", name, d)
		}
	}
}
