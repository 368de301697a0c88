package mux

import (
	"bytes"
	"os"
	"testing"
)

// FuzzParseMovie: any input gives a movie or an error, never a panic, and
// never an allocation out of proportion to the input.
func FuzzParseMovie(f *testing.F) {
	for _, p := range []string{"hls-fmp4/init.mp4", "hls-fmp4/seg000.m4s", "mp4-clips/clip1.mp4"} {
		data, err := os.ReadFile(fixture(p))
		if err != nil {
			f.Fatal(err)
		}
		if len(data) > 16<<10 {
			data = data[:16<<10] // the moov of a faststart clip: keeps the corpus small
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseMovie(bytes.NewReader(data), int64(len(data)), "fuzz")
		if err != nil {
			return
		}
		for _, tr := range m.tracks {
			for _, s := range tr.samples {
				if s.off < 0 || s.off+int64(s.size) > int64(len(data)) {
					t.Fatalf("accepted a sample outside the input: %+v", s)
				}
			}
		}
	})
}
