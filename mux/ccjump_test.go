package mux

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vdlproject/vdl/internal/testtools"
)

// cutPES removes packets of one PES of pid from the TS in data: of the
// n-th PES (from 0) spanning at least three packets, its second packet
// (damaged: packets lost inside a PES) or all of them (whole: what the
// remux of damaged must equal). at is the 1-based number of the packet
// where damaged's counter jumps.
func cutPES(t *testing.T, data []byte, pid uint16, n int) (damaged, whole []byte, at int64) {
	t.Helper()
	var pes [][]int // packet indexes of each PES of pid
	for i := 0; (i+1)*tsPacket <= len(data); i++ {
		pkt := data[i*tsPacket : (i+1)*tsPacket]
		switch {
		case tsPID(pkt) != pid:
		case tsPUSI(pkt):
			pes = append(pes, []int{i})
		case len(pes) > 0:
			pes[len(pes)-1] = append(pes[len(pes)-1], i)
		}
	}
	for _, p := range pes {
		if len(p) < 3 {
			continue
		}
		if n--; n >= 0 {
			continue
		}
		drop := func(skip func(i int) bool) []byte {
			var out []byte
			for i := 0; (i+1)*tsPacket <= len(data); i++ {
				if !skip(i) {
					out = append(out, data[i*tsPacket:(i+1)*tsPacket]...)
				}
			}
			return out
		}
		damaged = drop(func(i int) bool { return i == p[1] })
		whole = drop(func(i int) bool { return slices.Contains(p, i) })
		return damaged, whole, int64(p[1]) + 1
	}
	t.Fatalf("no PES %d of PID %d spans three packets", n, pid)
	return nil, nil, 0
}

// TestRemuxCCJump: a TS whose continuity counters jump (segments written
// end to end by `cat`, packets lost in a recording) is remuxed, with one
// warning that counts the jumps and says where the first is. Spliced
// segments give the very MP4 that remuxing them as segments gives; lost
// packets cost exactly the PES they were part of: the MP4 is the one of
// the TS without those PES, and ffmpeg decodes the same pictures and
// sound from both.
func TestRemuxCCJump(t *testing.T) {
	testtools.Require(t, "ffprobe")
	testtools.Require(t, "ffmpeg")
	dir := t.TempDir()
	seg := func(n string) string { return fixture("hls-ts", n) }
	all := testtools.Concat(t, seg("seg000.ts"), seg("seg001.ts"), seg("seg002.ts"), seg("seg003.ts"))
	lostV, wholeV, atV := cutPES(t, all, 0x100, 30) // inside the second GOP
	lostAV, _, _ := cutPES(t, lostV, 0x101, 20)
	_, wholeAV, _ := cutPES(t, wholeV, 0x101, 20) // the same PES: cutting video moved no audio packet

	tests := []struct {
		name    string
		input   []byte
		same    []Segment // remuxed as these, the output is the same bytes
		ffRef   []byte    // ffmpeg's decode of this TS is the output's
		video   int
		audio   int
		jumps   int
		first   string // the first jump, in the warning
		damaged int    // PES dropped per kind
	}{
		{name: "cat of segments, the clock moved on", input: testtools.Concat(t, seg("seg000.ts"), remuxFixture("disc-b.ts")),
			same: tsSegs(seg("seg000.ts"), remuxFixture("disc-b.ts")), video: 200, audio: 373,
			jumps: 4, first: "in.ts packet 520 (byte 97572) PID 0 3->0"},
		{name: "cat of segments, the clock back", input: testtools.Concat(t, seg("seg002.ts"), seg("seg000.ts")),
			same: tsSegs(seg("seg002.ts"), seg("seg000.ts")), video: 200, audio: 372, jumps: 5, first: "in.ts packet 467 (byte 87608) PID 17 2->0"},
		{name: "packets lost inside a video and an audio PES", input: lostAV, same: tsSegs(writeTemp(t, dir, "whole.ts", wholeAV)),
			ffRef: wholeAV, video: 374, jumps: 2, first: "in.ts packet " + itoa(atV) + " (byte " + itoa((atV-1)*tsPacket) + ") PID 256 ", damaged: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			in := writeTemp(t, dir, "in.ts", tt.input)
			out, ref := filepath.Join(dir, "out.mp4"), filepath.Join(dir, "ref.mp4")
			var logged bytes.Buffer
			rep, err := RemuxTS(context.Background(), out, dir, [][]Segment{tsSegs(in)}, MP4Options{Log: slog.New(slog.NewTextHandler(&logged, nil))})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := RemuxTS(context.Background(), ref, dir, [][]Segment{tt.same}, MP4Options{}); err != nil {
				t.Fatal(err)
			}
			if a, b := testtools.Concat(t, out), testtools.Concat(t, ref); !bytes.Equal(a, b) {
				t.Errorf("the MP4 (%d bytes) differs from the reference remux (%d bytes)", len(a), len(b))
			}
			log := logged.String()
			if strings.Count(log, "continuity counter jumps") != 1 || !strings.Contains(log, " jumps="+itoa(int64(tt.jumps))+" ") ||
				!strings.Contains(log, "/"+tt.first) {
				t.Errorf("log %q: want one warning of %d jumps, the first at %q", log, tt.jumps, tt.first)
			}
			if got := strings.Count(log, "frames="+itoa(int64(tt.damaged))+" file="); tt.damaged > 0 && got != 2 {
				t.Errorf("log %q: want a warning of %d dropped frames for each kind", log, tt.damaged)
			}
			ffRef := in
			if tt.ffRef != nil {
				ffRef = writeTemp(t, dir, "ffref.ts", tt.ffRef)
			}
			p := testtools.Packets(t, ffRef)
			if tt.audio == 0 {
				tt.audio = p["audio"]
			}
			if rep.Samples["vide"] != tt.video || rep.Samples["soun"] != tt.audio || p["video"] != tt.video {
				t.Errorf("samples %v, want %d video + %d audio (the TS ffmpeg reads has %v)", rep.Samples, tt.video, tt.audio, p)
			}
			for _, s := range []string{"v", "a"} {
				if got, want := testtools.FrameHashes(t, out, s), testtools.FrameHashes(t, ffRef, s); len(got) == 0 || !slices.Equal(got, want) {
					t.Errorf("%s: decoded frames differ from ffmpeg's decode of the TS (%d frames, want %d)", s, len(got), len(want))
				}
			}
		})
	}
}

// TestJoinTSKeepsCCJumps: a TS join copies packets across a counter jump
// as they are, and warns where the jump is.
func TestJoinTSKeepsCCJumps(t *testing.T) {
	dir := t.TempDir()
	ts := testtools.Concat(t, fixture("hls-ts", "seg000.ts"))
	lost := append(append([]byte(nil), ts[:40*tsPacket]...), ts[41*tsPacket:]...)
	in, out := writeTemp(t, dir, "lost.ts", lost), filepath.Join(dir, "out.ts")
	var logged bytes.Buffer
	if err := joinTS(context.Background(), out, tsSegs(in), slog.New(slog.NewTextHandler(&logged, nil))); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(testtools.Concat(t, out), lost) {
		t.Error("the joined TS is not the input's packets")
	}
	if want := "jumps=1 at=\"" + in + " packet 41 (byte 7520) PID 256"; !strings.Contains(logged.String(), want) {
		t.Errorf("log %q, want %q", logged.String(), want)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
