package mux

import (
	"bytes"
	"math"
	"os"
	"testing"
	"time"
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

// FuzzTSTables: hostile TS packets give tables or errors, never a panic,
// and a PMT that parses rebuilds to a section that parses back the same.
func FuzzTSTables(f *testing.F) {
	data, err := os.ReadFile(fixture("hls-ts", "seg000.ts"))
	if err != nil {
		f.Fatal(err)
	}
	for i := 0; i < 6*tsPacket; i += tsPacket {
		f.Add(data[i : i+tsPacket])
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		pkt := make([]byte, tsPacket)
		copy(pkt, in)
		_, _ = parsePAT(pkt)
		_, _ = pesTimestamp(pkt)
		pmt, err := parsePMT(pkt)
		if err != nil {
			return
		}
		out, err := psiPacket(0x1000, 0, buildPMT(pmt))
		if err != nil {
			return // too big for one packet: refused, fine
		}
		back, err := parsePMT(out)
		if err != nil || back.pcrPID != pmt.pcrPID || len(back.streams) != len(pmt.streams) {
			t.Fatalf("rebuilt PMT does not parse back: %+v vs %+v (%v)", back, pmt, err)
		}
	})
}

// FuzzTSCheck: any bytes are checked without a panic, and what passes
// is whole packets with sync bytes.
func FuzzTSCheck(f *testing.F) {
	data, err := os.ReadFile(fixture("hls-ts", "seg000.ts"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data[:8*tsPacket])
	f.Add(data[:3*tsPacket+17])
	f.Fuzz(func(t *testing.T, in []byte) {
		var out bytes.Buffer
		c := newTSCheck()
		c.segment("fuzz")
		if copyCheckedTS(&out, bytes.NewReader(in), c) != nil || c.finish() != nil {
			return
		}
		if out.Len()%tsPacket != 0 || !bytes.Equal(out.Bytes(), in) {
			t.Fatalf("passed %d bytes of %d", out.Len(), len(in))
		}
		for i := 0; i < out.Len(); i += tsPacket {
			if out.Bytes()[i] != 0x47 {
				t.Fatalf("passed a packet without sync at %d", i)
			}
		}
	})
}

// FuzzParseCues: any subtitle text gives cues or an error, never a
// panic; cues that parse have positive durations and text.
func FuzzParseCues(f *testing.F) {
	f.Add([]byte("1\n00:00:01,000 --> 00:00:04,000\n第一句\n\n2\n00:00:05,500 --> 00:00:09,000\n<i>two</i>\n"))
	f.Add([]byte("WEBVTT\n\nNOTE x\n\n00:01.000 --> 00:02.000 align:start\nhi\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cues, err := ParseCues(data)
		if err != nil {
			return
		}
		for _, c := range cues {
			if c.End <= c.Start || c.Text == "" {
				t.Fatalf("bad cue %+v", c)
			}
		}
		if tracks, src, _ := buildTextTracks([]TextTrack{{Lang: "en", Cues: cues}}, 0, time.Duration(math.MaxInt64)); len(tracks) > 1 || src == nil {
			t.Fatal("more than one text track, or no source")
		}
	})
}

// FuzzMergeWebVTT: any two segments give a file or an error, never a
// panic; a merged file parses back into cues that start at 0 or later.
func FuzzMergeWebVTT(f *testing.F) {
	f.Add([]byte("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:00.000\n\n00:00:01.000 --> 00:00:02.000\na\n"),
		[]byte("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:9223372036854775807,LOCAL:99:00:00.000\n\n00:00:01.000 --> 00:00:02.000\nb\n"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		merged, err := MergeWebVTT([][]byte{a, b})
		if err != nil {
			return
		}
		cues, err := ParseCues(merged)
		if err != nil {
			t.Fatalf("the merged file does not parse: %v\n%s", err, merged)
		}
		for _, c := range cues {
			if c.Start < 0 || c.End <= c.Start {
				t.Fatalf("bad cue %+v", c)
			}
		}
	})
}
