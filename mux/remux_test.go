package mux

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vdlproject/vdl/internal/testtools"
)

func tsSegs(paths ...string) []Segment {
	segs := make([]Segment, len(paths))
	for i, p := range paths {
		segs[i] = Segment{Path: p}
	}
	return segs
}

func remuxFixture(name string) string { return filepath.Join("..", "testdata", "remux", name) }

func hlsTS(names ...string) []string {
	var out []string
	for _, n := range names {
		out = append(out, fixture("hls-ts", n))
	}
	return out
}

// catFiles writes the files end to end into dir and returns the path: the
// reference a TS decoder reads as one stream.
func catFiles(t *testing.T, dir, name string, files []string) string {
	t.Helper()
	return testtools.ConcatTo(t, filepath.Join(dir, name), files...)
}

// TestRemuxTS remuxes each kind of TS input and checks the MP4 against
// the TS with the real ffmpeg: the same packets, the same decoded
// pictures and sound frame by frame, the duration, the audio/video start
// offset, no decode errors, and a regular (moov-first) layout.
func TestRemuxTS(t *testing.T) {
	testtools.Require(t, "ffprobe")
	testtools.Require(t, "ffmpeg")
	key := mustHex("00112233445566778899aabbccddeeff")
	iv := mustHex("000102030405060708090a0b0c0d0e0f")
	var aes []Segment
	for _, n := range []string{"seg000.ts", "seg001.ts", "seg002.ts", "seg003.ts"} {
		aes = append(aes, Segment{Path: fixture("hls-aes128", n), Key: key, IV: iv})
	}
	all := hlsTS("seg000.ts", "seg001.ts", "seg002.ts", "seg003.ts")
	splitV := []string{"v000.ts", "v001.ts", "v002.ts", "v003.ts"}
	splitA := []string{"a000.ts", "a001.ts", "a002.ts", "a003.ts"}
	for i := range splitV {
		splitV[i] = filepath.Join("..", "testdata", "hls-split-ts", "video", splitV[i])
		splitA[i] = filepath.Join("..", "testdata", "hls-split-ts", "audio", splitA[i])
	}
	tests := []struct {
		name           string
		inputs         [][]Segment
		refV, refA     []string // TS files whose decode is the reference
		video, audio   int
		minDur, maxDur float64
		codec          string
		keepOffset     bool     // the A/V start offset must be the TS's
		tsDuration     bool     // the duration must be the TS's, within a frame
		audioHash      []string // streamhash of the audio packets, when known
		videoEntries   int      // sample descriptions of the video track (default 1)
	}{
		{name: "hls-ts", inputs: [][]Segment{tsSegs(all...)}, refV: all, refA: all, video: 375, audio: 705,
			minDur: 15.0, maxDur: 15.08, codec: "h264", keepOffset: true, tsDuration: true, audioHash: sourceHash[1:]},
		{name: "aes-128", inputs: [][]Segment{aes}, refV: all, refA: all, video: 375, audio: 705,
			minDur: 15.0, maxDur: 15.08, codec: "h264", keepOffset: true, tsDuration: true},
		{name: "parameter sets change (a new sample description)", inputs: [][]Segment{tsSegs(hlsTS("seg000.ts")[0], remuxFixture("res2.ts"))},
			refV: []string{hlsTS("seg000.ts")[0], remuxFixture("res2.ts")}, refA: []string{hlsTS("seg000.ts")[0], remuxFixture("res2.ts")},
			video: 125, audio: 233, minDur: 4.95, maxDur: 5.1, codec: "h264", videoEntries: 2},
		{name: "split video and audio", inputs: [][]Segment{tsSegs(splitV...), tsSegs(splitA...)}, refV: splitV, refA: splitA,
			video: 375, audio: 705, minDur: 15.04, maxDur: 15.12, codec: "h264"},
		{name: "discontinuity forward", inputs: [][]Segment{tsSegs(hlsTS("seg000.ts")[0], remuxFixture("disc-b.ts"))},
			refV: []string{hlsTS("seg000.ts")[0], remuxFixture("disc-b.ts")}, refA: []string{hlsTS("seg000.ts")[0], remuxFixture("disc-b.ts")},
			video: 200, audio: 373, minDur: 7.95, maxDur: 8.1, codec: "h264"},
		{name: "discontinuity backward", inputs: [][]Segment{tsSegs(hlsTS("seg002.ts", "seg000.ts")...)},
			refV: hlsTS("seg002.ts", "seg000.ts"), refA: hlsTS("seg002.ts", "seg000.ts"),
			video: 200, audio: 372, minDur: 7.95, maxDur: 8.1, codec: "h264"},
		{name: "33-bit wrap", inputs: [][]Segment{tsSegs(remuxFixture("wrap.ts"))}, refV: all, refA: all,
			video: 375, audio: 705, minDur: 15.0, maxDur: 15.08, codec: "h264", keepOffset: true},
		{name: "hevc", inputs: [][]Segment{tsSegs(remuxFixture("hevc.ts"))}, refV: []string{remuxFixture("hevc.ts")},
			refA: []string{remuxFixture("hevc.ts")}, video: 125, audio: 217, minDur: 4.98, maxDur: 5.08, codec: "hevc", keepOffset: true, tsDuration: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "out.mp4")
			rep, err := RemuxTS(context.Background(), out, dir, tt.inputs, MP4Options{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Samples["vide"] != tt.video || rep.Samples["soun"] != tt.audio {
				t.Errorf("report %v, want %d video + %d audio samples", rep.Samples, tt.video, tt.audio)
			}
			if left, _ := os.ReadDir(dir); len(left) != 1 {
				t.Errorf("%d entries in the folder, want the output alone (temp files removed)", len(left))
			}
			if p := testtools.Packets(t, out); p["video"] != tt.video || p["audio"] != tt.audio {
				t.Errorf("ffprobe packets %v, want %d video + %d audio", p, tt.video, tt.audio)
			}
			refV := catFiles(t, dir, "ref-v.ts", tt.refV)
			refA := catFiles(t, dir, "ref-a.ts", tt.refA)
			if got, want := testtools.FrameHashes(t, out, "v"), testtools.FrameHashes(t, refV, "v"); !slices.Equal(got, want) {
				t.Errorf("decoded pictures differ from the TS's (%d frames, want %d)", len(got), len(want))
			}
			if got, want := testtools.FrameHashes(t, out, "a"), testtools.FrameHashes(t, refA, "a"); !slices.Equal(got, want) {
				t.Errorf("decoded sound differs from the TS's (%d frames, want %d)", len(got), len(want))
			}
			if d := testtools.Duration(t, out); d < tt.minDur || d > tt.maxDur {
				t.Errorf("duration %.3f s, want [%.2f, %.2f]", d, tt.minDur, tt.maxDur)
			}
			if tt.tsDuration {
				if d, want := testtools.Duration(t, out), testtools.Duration(t, refV); math.Abs(d-want) > 0.04 {
					t.Errorf("duration %.3f s, the TS's %.3f s: more than a frame apart", d, want)
				}
			}
			if e := testtools.DecodeErrors(t, out); e != "" {
				t.Errorf("decode errors: %s", e)
			}
			if tt.keepOffset {
				src, got := testtools.StartTimes(t, refV), testtools.StartTimes(t, out)
				want := src["video"] - src["audio"]
				if tt.name == "33-bit wrap" {
					want = testtools.StartTimes(t, catFiles(t, dir, "all.ts", all))["video"] - testtools.StartTimes(t, catFiles(t, dir, "all.ts", all))["audio"]
				}
				if off := got["video"] - got["audio"]; math.Abs(off-want) > 0.002 {
					t.Errorf("video starts %.4f s after audio, in the TS %.4f s", off, want)
				}
			}
			if tt.audioHash != nil {
				if h := testtools.StreamHash(t, out); len(h) < 2 || h[1] != tt.audioHash[0] {
					t.Errorf("audio packets %v, want %v (the source's raw AAC frames)", h, tt.audioHash)
				}
			}
			streams := testtools.Streams(t, out)
			if len(streams) != 2 || streams[0]["codec_name"] != tt.codec || streams[1]["codec_name"] != "aac" {
				t.Errorf("streams %v, want %s video then aac", streams, tt.codec)
			}
			m, f, err := openMovie(out)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if m.fragmented {
				t.Error("output is fragmented")
			}
			if want := max(tt.videoEntries, 1); len(m.tracks[0].entries) != want {
				t.Errorf("video track has %d sample descriptions, want %d", len(m.tracks[0].entries), want)
			}
			head := make([]byte, 8)
			if _, err := f.ReadAt(head, int64(len(m.ftyp))); err != nil || string(head[4:8]) != "moov" {
				t.Errorf("the box after ftyp is %q, want moov first", head[4:8])
			}
		})
	}
}

// TestRemuxRefusesOtherCodecs: MPEG audio (or any codec MP4 output does
// not carry) is refused with one line that says what and what to do;
// nothing is left behind.
func TestRemuxRefusesOtherCodecs(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.mp4")
	_, err := RemuxTS(context.Background(), out, dir, [][]Segment{tsSegs(remuxFixture("mp3audio.ts"))}, MP4Options{})
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "MPEG audio") || !strings.Contains(err.Error(), "--remux ts") {
		t.Fatalf("got %v, want an unsupported-codec error naming MPEG audio and --remux ts", err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("a refused remux left %d files", len(left))
	}
}

// TestRemuxRejectsBadTS: input that is not MPEG-TS, or TS without audio
// or video, is refused as corrupt, without output.
func TestRemuxRejectsBadTS(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.ts")
	os.WriteFile(junk, []byte(strings.Repeat("not a transport stream ", 100)), 0o644)
	tables := filepath.Join(dir, "tables.ts")
	ts, _ := os.ReadFile(hlsTS("seg000.ts")[0])
	os.WriteFile(tables, ts[:2*tsPacket], 0o644) // PAT and PMT only
	for _, in := range []string{junk, tables} {
		out := filepath.Join(dir, "out.mp4")
		if _, err := RemuxTS(context.Background(), out, dir, [][]Segment{tsSegs(in)}, MP4Options{}); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: got %v, want ErrCorrupt", filepath.Base(in), err)
		}
		if _, err := os.Lstat(out); err == nil {
			t.Errorf("%s: output written", filepath.Base(in))
		}
	}
}

// TestRemuxTagsAndSubtitles: a remuxed MP4 carries tags and text tracks
// like every other MP4 output.
func TestRemuxTagsAndSubtitles(t *testing.T) {
	testtools.Require(t, "ffprobe")
	dir := t.TempDir()
	out := filepath.Join(dir, "out.mp4")
	cues := []Cue{{Start: 1e9, End: 2e9, Text: "你好"}, {Start: 3e9, End: 4e9, Text: "world"}}
	opts := MP4Options{Tags: &Tags{Title: "E01", Show: "Show", Season: 1, Episode: 1},
		Subtitles: []TextTrack{{Lang: "zh-cn", Cues: cues}}}
	if _, err := RemuxTS(context.Background(), out, dir, [][]Segment{tsSegs(hlsTS("seg000.ts")...)}, opts); err != nil {
		t.Fatal(err)
	}
	if tags := testtools.FormatTags(t, out); tags["title"] != "E01" || tags["show"] != "Show" || tags["episode_sort"] != "1" {
		t.Errorf("tags %v", tags)
	}
	streams := testtools.Streams(t, out)
	if len(streams) != 3 || streams[2]["codec_name"] != "mov_text" || streams[2]["TAG:language"] != "zho" || streams[2]["nb_read_packets"] == "0" {
		t.Errorf("streams %v, want video, audio and a zho mov_text track", streams)
	}
}

// TestRemuxFallback: a TS whose streams are too far apart for the queue
// limit is refused by the streamed remux (errSkew, which RemuxTS answers
// with the temp-file remux), and the temp-file remux writes the same
// bytes as the streamed one, leaving no temp file.
func TestRemuxFallback(t *testing.T) {
	dir := t.TempDir()
	in := [][]Segment{tsSegs(hlsTS("seg000.ts", "seg001.ts")...)}
	streamed, viaFiles, skewed := filepath.Join(dir, "streamed.mp4"), filepath.Join(dir, "files.mp4"), filepath.Join(dir, "skewed.mp4")
	log := slog.New(slog.DiscardHandler)
	if _, err := remuxTS(context.Background(), streamed, dir, in, MP4Options{}, log, maxQueued); err != nil {
		t.Fatal(err)
	}
	if _, err := remuxTS(context.Background(), viaFiles, dir, in, MP4Options{}, log, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := remuxTS(context.Background(), skewed, dir, in, MP4Options{}, log, 1000); !errors.Is(err, errSkew) {
		t.Errorf("a 1000-byte queue: got %v, want errSkew", err)
	}
	a, _ := os.ReadFile(streamed)
	b, _ := os.ReadFile(viaFiles)
	if len(a) == 0 || !slices.Equal(a, b) {
		t.Errorf("streamed (%d bytes) and temp-file (%d bytes) remuxes differ", len(a), len(b))
	}
	if left, _ := os.ReadDir(dir); len(left) != 2 {
		t.Errorf("%d entries in the folder, want the two outputs", len(left))
	}
}

// TestVideoFrameSplitOverPES: a frame whose PES is split in two (the
// second without a timestamp, as muxers that cap PES length write) is
// one sample, the same as when it comes in one PES.
func TestVideoFrameSplitOverPES(t *testing.T) {
	data, err := os.ReadFile(hlsTS("seg000.ts")[0])
	if err != nil {
		t.Fatal(err)
	}
	var frames []pes
	var buf pesBuffer
	for off := 0; off+tsPacket <= len(data) && len(frames) < 3; off += tsPacket {
		pkt := data[off : off+tsPacket]
		if tsPID(pkt) != 0x100 {
			continue
		}
		buf.add(tsPayload(pkt), tsPUSI(pkt), func(p *pes) error {
			frames = append(frames, pes{pts: p.pts, dts: p.dts, data: bytes.Clone(p.data)})
			return nil
		})
	}
	if len(frames) < 3 {
		t.Fatalf("found %d video PES packets", len(frames))
	}
	run := func(split bool) []sample {
		tr := &tsTrack{kind: "vide", codec: "h264", sink: countSink{}, jumps: &jumpLog{}, name: "test"}
		for i, f := range frames {
			if split && i == 0 {
				half := len(f.data) / 2
				first, rest := f, pes{pts: -1, dts: -1, data: f.data[half:]}
				first.data = f.data[:half]
				tr.accessUnit(&first)
				tr.accessUnit(&rest)
				continue
			}
			tr.accessUnit(&f)
		}
		if err := tr.finish(); err != nil {
			t.Fatal(err)
		}
		return tr.samples
	}
	whole, split := run(false), run(true)
	if len(whole) != 3 || !slices.Equal(whole, split) {
		t.Errorf("split frame gave samples %+v, whole %+v", split, whole)
	}
}

// TestRemuxCo64: the remux writes 64-bit chunk offsets when asked (the
// path files past 4 GiB take), and the result still plays.
func TestRemuxCo64(t *testing.T) {
	testtools.Require(t, "ffprobe")
	dir := t.TempDir()
	out := filepath.Join(dir, "out.mp4")
	if _, err := RemuxTS(context.Background(), out, dir, [][]Segment{tsSegs(hlsTS("seg000.ts", "seg001.ts")...)}, MP4Options{ForceCo64: true}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(out)
	if !bytes.Contains(data, []byte("co64")) || bytes.Contains(data, []byte("stco")) {
		t.Error("no co64 box (or an stco left)")
	}
	if p := testtools.Packets(t, out); p["video"] != 200 || p["audio"] != 373 {
		t.Errorf("packets %v, want 200 video + 373 audio", p)
	}
}

// TestRemuxStartsMidGOP: a TS cut inside a GOP loses the frames before
// the next keyframe (undecodable without it) and says so; the rest plays
// without decode errors.
func TestRemuxStartsMidGOP(t *testing.T) {
	testtools.Require(t, "ffmpeg")
	data, err := os.ReadFile(hlsTS("seg000.ts")[0])
	if err != nil {
		t.Fatal(err)
	}
	var cut []byte
	starts := 0
	for off := 0; off+tsPacket <= len(data); off += tsPacket {
		pkt := data[off : off+tsPacket]
		pid := tsPID(pkt)
		if pid == 0x100 && tsPUSI(pkt) {
			starts++
		}
		if starts >= 5 || pid == pidPAT || pid == pidSDT || pid == 0x1000 {
			cut = append(cut, pkt...) // the tables, then everything from the 5th frame on
		}
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "cut.ts"), filepath.Join(dir, "out.mp4")
	os.WriteFile(in, cut, 0o644)
	var logged bytes.Buffer
	opts := MP4Options{Log: slog.New(slog.NewTextHandler(&logged, nil))}
	rep, err := RemuxTS(context.Background(), out, dir, [][]Segment{tsSegs(in)}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Samples["vide"] != 75 {
		t.Errorf("%d video samples, want the 75 from the second keyframe on", rep.Samples["vide"])
	}
	if !strings.Contains(logged.String(), "frames=21") {
		t.Errorf("log %q does not report the 21 dropped frames (the 5th to the 25th)", logged.String())
	}
	if e := testtools.DecodeErrors(t, out); e != "" {
		t.Errorf("decode errors: %s", e)
	}
}
