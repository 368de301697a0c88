package mux

import (
	"path/filepath"
	"testing"
)

func fixture(parts ...string) string {
	return filepath.Join(append([]string{"..", "testdata", "media"}, parts...)...)
}

// TestParseFixtures checks the reader against the fixture README's numbers.
func TestParseFixtures(t *testing.T) {
	tests := []struct {
		file         string
		video, audio int // sample counts
		fragmented   bool
	}{
		{"source/source.mp4", 375, 705, false},
		{"mp4-clips/clip1.mp4", 125, 232, false},
		{"mp4-clips/clip2.mp4", 125, 234, false}, // moov at the end
		{"mp4-clips/clip3.mp4", 125, 239, false},
		{"mp4-clips-indep/clip2.mp4", 125, 236, false},
		{"separate-av/video.m4s", 375, 0, true},
		{"separate-av/audio.m4s", 0, 705, true},
	}
	for _, tt := range tests {
		m, f, err := openMovie(fixture(tt.file))
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		f.Close()
		counts := map[string]int{}
		for _, tr := range m.tracks {
			counts[tr.handler] += len(tr.samples)
		}
		if counts["vide"] != tt.video || counts["soun"] != tt.audio || m.fragmented != tt.fragmented {
			t.Errorf("%s: video %d audio %d fragmented %v; want %d %d %v", tt.file,
				counts["vide"], counts["soun"], m.fragmented, tt.video, tt.audio, tt.fragmented)
		}
	}
}
