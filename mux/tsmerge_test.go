package mux

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/vdlproject/vdl/internal/testtools"
)

// splitSegments lists testdata/hls-split-ts: the source's video and
// audio as separate TS renditions, both on PID 0x100 (as ffmpeg writes).
func splitSegments(kind string) []Segment {
	var segs []Segment
	for i := range 4 {
		segs = append(segs, Segment{Path: filepath.Join("..", "testdata", "hls-split-ts", kind, fmt.Sprintf("%c%03d.ts", kind[0], i))})
	}
	return segs
}

// pidCounts counts the packets of a TS file per PID.
func pidCounts(t *testing.T, paths ...string) map[uint16]int {
	t.Helper()
	counts := map[uint16]int{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(b)%tsPacket != 0 {
			t.Fatalf("%s: %d bytes is not whole packets", p, len(b))
		}
		for i := 0; i < len(b); i += tsPacket {
			counts[tsPID(b[i:])]++
		}
	}
	return counts
}

func TestMergeTS(t *testing.T) {
	video, audio := splitSegments("video"), splitSegments("audio")
	out := filepath.Join(t.TempDir(), "out.ts")
	if err := MergeTS(context.Background(), out, video, audio); err != nil {
		t.Fatal(err)
	}
	var vpaths, apaths []string
	for i := range video {
		vpaths, apaths = append(vpaths, video[i].Path), append(apaths, audio[i].Path)
	}
	vin, ain, got := pidCounts(t, vpaths...), pidCounts(t, apaths...), pidCounts(t, out)
	// Every elementary-stream packet of both inputs is in the output: the
	// video's on 0x100, the audio's renumbered to the first free PID.
	if got[0x100] != vin[0x100] || got[0x101] != ain[0x100] {
		t.Errorf("ES packets: video %d (want %d), audio %d on 0x101 (want %d)", got[0x100], vin[0x100], got[0x101], ain[0x100])
	}
	// One PAT/PMT pair per video table (plus the leading pair), none of the audio's.
	if got[pidPAT] != vin[pidPAT]+1 || got[0x1000] != vin[0x1000]+1 {
		t.Errorf("tables: %d PAT, %d PMT; want %d, %d", got[pidPAT], got[0x1000], vin[pidPAT]+1, vin[0x1000]+1)
	}
	// The merged PMT, read back, lists both streams and checks out (CRC).
	b, _ := os.ReadFile(out)
	pmt, err := parsePMT(b[tsPacket : 2*tsPacket])
	if err != nil {
		t.Fatal(err)
	}
	if len(pmt.streams) != 2 || pmt.streams[0].streamType != 0x1b || pmt.streams[1].streamType != 0x0f || pmt.streams[1].pid != 0x101 {
		t.Errorf("merged PMT streams = %+v", pmt.streams)
	}
	sec, _ := psiSection(b[tsPacket:2*tsPacket], "PMT")
	if crc32MPEG(sec) != 0 {
		t.Error("merged PMT: CRC does not check")
	}

	testtools.Require(t, "ffprobe")
	if p := testtools.Packets(t, out); p["video"] != 375 || p["audio"] != 705 {
		t.Errorf("packets %v, want 375 video + 705 audio", p)
	}
	// ffmpeg's audio-only HLS mux starts the audio at 1.400 s, the video at
	// 1.480 s; both end 15 s later: 15.08 s from the first to the last.
	if d := testtools.Duration(t, out); math.Abs(d-15.08) > 0.03 {
		t.Errorf("duration %.3f, want 15.08", d)
	}
	if errs := testtools.DecodeErrors(t, out); errs != "" {
		t.Errorf("decode errors: %s", errs)
	}
}

// TestCRC32MPEG checks the CRC against the tables ffmpeg wrote.
func TestCRC32MPEG(t *testing.T) {
	b, err := os.ReadFile(fixture("hls-ts", "seg000.ts"))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for i := 0; i < len(b) && checked < 2; i += tsPacket {
		pkt := b[i : i+tsPacket]
		if pid := tsPID(pkt); pid != pidPAT && pid != 0x1000 {
			continue
		}
		sec, err := psiSection(pkt, "table")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := crc32MPEG(sec[:len(sec)-4]), binary.BigEndian.Uint32(sec[len(sec)-4:]); got != want {
			t.Errorf("PID %#x: CRC %08x, ffmpeg wrote %08x", tsPID(pkt), got, want)
		}
		checked++
	}
	if checked != 2 {
		t.Fatalf("found %d tables, want a PAT and a PMT", checked)
	}
}

func TestMergeTSRefusesNonTS(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.ts")
	os.WriteFile(junk, []byte("<html>not a segment</html>"), 0o644)
	out := filepath.Join(dir, "out.ts")
	err := MergeTS(context.Background(), out, []Segment{{Path: junk}}, splitSegments("audio"))
	if !errors.Is(err, ErrCorrupt) {
		t.Errorf("err = %v, want ErrCorrupt", err)
	}
	if _, serr := os.Stat(out); serr == nil {
		t.Error("a failed merge left an output")
	}
}
