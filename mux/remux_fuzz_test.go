package mux

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// FuzzRemuxTS: any TS input remuxes to an MP4 that parses back, or fails
// with an error; never a panic, and never a file left behind on failure.
func FuzzRemuxTS(f *testing.F) {
	for _, p := range []string{fixture("hls-ts", "seg000.ts"), remuxFixture("hevc.ts")} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data[:60*tsPacket]) // tables and the first frames
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		in := filepath.Join(dir, "in.ts")
		if err := os.WriteFile(in, data, 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "out.mp4")
		rep, err := RemuxTS(context.Background(), out, dir, [][]Segment{{{Path: in}}}, MP4Options{})
		left, _ := os.ReadDir(dir)
		if err != nil {
			if len(left) != 1 {
				t.Fatalf("a failed remux left %d files beside the input", len(left)-1)
			}
			return
		}
		m, fh, err := openMovie(out)
		if err != nil {
			t.Fatalf("remuxed output does not parse: %v", err)
		}
		defer fh.Close()
		n := 0
		for _, tr := range m.tracks {
			n += len(tr.samples)
		}
		if n != rep.Samples["vide"]+rep.Samples["soun"] {
			t.Fatalf("output has %d samples, the report says %v", n, rep.Samples)
		}
	})
}

// FuzzElementaryParsers: NAL splitting, SPS parsing, ADTS headers and PES
// reassembly take any bytes without a panic, and what they return stays
// inside their input.
func FuzzElementaryParsers(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 0x67, 0x4d, 0x40, 0x0d, 0xec, 0xa0, 0xa0, 0x2f, 0xf9, 0x61, 0, 0, 1, 0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0})
	f.Add([]byte{0xff, 0xf1, 0x4c, 0x80, 0x2e, 0x7f, 0xfc, 1, 2, 3})
	f.Add([]byte{0, 0, 1, 0xe0, 0, 0, 0x80, 0xc0, 0x0a, 0x31, 0, 1, 0, 1, 0x11, 0, 1, 0, 1, 9, 9})
	f.Fuzz(func(t *testing.T, data []byte) {
		total := 0
		for _, u := range splitAnnexB(nil, data) {
			if len(u) == 0 || !bytes.Contains(data, u) {
				t.Fatalf("NAL unit %x is not from the input", u)
			}
			total += len(u)
			parseH264SPS(u)
			parseHEVCSPS(u)
		}
		if total > len(data) {
			t.Fatalf("units hold %d bytes of a %d-byte input", total, len(data))
		}
		if un := unescapeRBSP(data); len(un) > len(data) {
			t.Fatal("unescaping grew the input")
		}
		if _, hl, fl, err := parseADTS(data); err == nil && (hl < 7 || fl <= hl) {
			t.Fatalf("ADTS header %d, frame %d accepted", hl, fl)
		}
		var b pesBuffer
		for i := 0; i < len(data); i += 184 {
			chunk := data[i:min(i+184, len(data))]
			err := b.add(chunk, i%368 == 0, func(p *pes) error {
				if len(p.data) > len(data) {
					t.Fatalf("PES payload of %d bytes from %d", len(p.data), len(data))
				}
				return nil
			})
			if err != nil {
				return
			}
		}
		b.finish(func(*pes) error { return nil })
	})
}
