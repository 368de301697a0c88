package mux

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

func writeTemp(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func box(typ string, payload ...[]byte) []byte {
	body := bytes.Join(payload, nil)
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(body)))
	return append(append(b, typ...), body...)
}

// zeroTkhdInit is the fixture's init segment with every track's tkhd
// payload zeroed and its mdia box renamed to "free" (same sizes).
func zeroTkhdInit(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(fixture("hls-fmp4/init.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	out := append([]byte(nil), data...)
	for _, typ := range []string{"tkhd", "mdia"} {
		for i := 0; ; {
			j := bytes.Index(out[i:], []byte(typ))
			if j < 0 {
				break
			}
			at := i + j
			size := int(binary.BigEndian.Uint32(out[at-4:]))
			if typ == "tkhd" {
				clear(out[at+4 : at-4+size])
			} else {
				copy(out[at:], "free")
			}
			i = at + 4
		}
	}
	return out
}

// TestJoinRefusesHostileParts: parts that only look like media never
// become a "joined" file: exit 6 material (ErrCorrupt), nothing at out.
func TestJoinRefusesHostileParts(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	junk := make([]byte, 4096)
	for i := range junk {
		junk[i] = byte(rng.Uint32())
	}
	syncOnly := append([]byte(nil), junk[:21*tsPacket]...)
	for i := 0; i < len(syncOnly); i += tsPacket {
		syncOnly[i] = 0x47
		syncOnly[i+1] &^= 0x80 // no transport error flag, so later checks are reached
	}
	ts, err := os.ReadFile(fixture("hls-ts", "seg000.ts"))
	if err != nil {
		t.Fatal(err)
	}
	partial := ts[:len(ts)-100]
	nested := box("moof") // 10,000 moof/traf boxes, each inside the last
	for i := range 10000 {
		if i%2 == 0 {
			nested = box("traf", nested)
		} else {
			nested = box("moof", nested)
		}
	}
	init := fixture("hls-fmp4/init.mp4")
	seg := fixture("hls-fmp4/seg000.m4s")

	tests := []struct {
		name   string
		inputs []string
		out    string
	}{
		{"random bytes with sync bytes", []string{writeTemp(t, dir, "sync.ts", syncOnly)}, "a.ts"},
		{"a TS segment cut inside a packet", []string{writeTemp(t, dir, "partial.ts", partial)}, "c.ts"},
		{"init with zeroed tkhd and no mdia", []string{writeTemp(t, dir, "zinit.mp4", zeroTkhdInit(t)), seg}, "d.mp4"},
		{"nested moof/traf fragments", []string{init, writeTemp(t, dir, "nested.m4s", nested)}, "e.mp4"},
		{"a junk fragment", []string{init, seg, writeTemp(t, dir, "junk.m4s", append(box("moof", box("junk", junk[:64])), box("mdat", junk)...))}, "f.mp4"},
		{"a clip of junk after a moov-looking box", []string{writeTemp(t, dir, "clip.mp4", append(box("moov", box("mvhd", junk[:100])), box("mdat", junk)...))}, "g.mp4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(dir, tt.out)
			_, _, err := Join(context.Background(), out, Files(tt.inputs), JoinOptions{})
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("got %v, want ErrCorrupt", err)
			}
			if _, err := os.Lstat(out); err == nil {
				t.Error("a refused join left its output")
			}
			if left, _ := filepath.Glob(filepath.Join(dir, "."+tt.out+"*")); len(left) > 0 {
				t.Errorf("temp files left: %v", left)
			}
		})
	}
}

// TestTSCheckAcceptsTheFixtures: the checks pass real segments, joined
// one after another (counters restart per segment).
func TestTSCheckAcceptsTheFixtures(t *testing.T) {
	var segs []Segment
	for i := range 4 {
		segs = append(segs, Segment{Path: fixture("hls-ts", "seg00"+string(rune('0'+i))+".ts")})
	}
	segs = append(segs, segs[0]) // counters jump at a segment boundary: allowed
	if err := JoinTS(context.Background(), filepath.Join(t.TempDir(), "out.ts"), segs); err != nil {
		t.Fatal(err)
	}
}
