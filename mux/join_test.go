package mux

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

func clips(dir string) []string {
	return []string{fixture(dir, "clip1.mp4"), fixture(dir, "clip2.mp4"), fixture(dir, "clip3.mp4")}
}

// samplesOf returns, per handler, every sample's bytes in decode order:
// the streamhash-equivalent our own reader can compute.
func samplesOf(t *testing.T, path string) map[string][][]byte {
	t.Helper()
	m, f, err := openMovie(path)
	if err != nil {
		t.Fatalf("re-reading %s: %v", path, err)
	}
	defer f.Close()
	out := map[string][][]byte{}
	for _, tr := range m.tracks {
		for _, s := range tr.samples {
			b := make([]byte, s.size)
			if _, err := f.ReadAt(b, s.off); err != nil {
				t.Fatalf("%s: sample at %d: %v", path, s.off, err)
			}
			out[tr.handler] = append(out[tr.handler], b)
		}
	}
	return out
}

// presentationSeconds is the movie duration a player shows (mvhd).
func presentationSeconds(t *testing.T, path string) float64 {
	t.Helper()
	m, f, err := openMovie(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	return float64(m.duration) / float64(m.timescale)
}

func TestJoinMP4(t *testing.T) {
	tests := []struct {
		name         string
		inputs       []string
		video, audio int
		dropped      int     // audio priming samples dropped at joins
		duration     float64 // presentation seconds (mvhd)
		sameAsSource bool    // every sample byte-identical to source.mp4, in order
	}{
		{"mp4-clips (clip2 moov at end)", clips("mp4-clips"), 375, 705, 0, 15.022, true},
		{"mp4-clips-indep (own priming)", clips("mp4-clips-indep"), 375, 706, 2, 15.00, false},
		{"separate-av (fragmented A + V)", []string{fixture("separate-av/video.m4s"), fixture("separate-av/audio.m4s")}, 375, 705, 0, 15.02, true},
		{"audio first, video second", []string{fixture("separate-av/audio.m4s"), fixture("separate-av/video.m4s")}, 375, 705, 0, 15.02, true},
		{"single file rewritten", []string{fixture("source/source.mp4")}, 375, 705, 0, 15.00, true},
	}
	source := samplesOf(t, fixture("source/source.mp4"))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.mp4")
			rep, err := JoinMP4(context.Background(), out, tt.inputs, MP4Options{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Samples["vide"] != tt.video || rep.Samples["soun"] != tt.audio || rep.Dropped["soun"] != tt.dropped {
				t.Errorf("report %+v; want %d video, %d audio, %d dropped", rep, tt.video, tt.audio, tt.dropped)
			}
			checkStructure(t, out)
			got := samplesOf(t, out)
			if len(got["vide"]) != tt.video || len(got["soun"]) != tt.audio {
				t.Fatalf("output has %d video and %d audio samples, want %d and %d", len(got["vide"]), len(got["soun"]), tt.video, tt.audio)
			}
			if d := presentationSeconds(t, out); math.Abs(d-tt.duration) > 0.01 {
				t.Errorf("duration %.3f s, want %.3f", d, tt.duration)
			}
			if tt.sameAsSource {
				for _, kind := range []string{"vide", "soun"} {
					for i := range source[kind] {
						if !bytes.Equal(got[kind][i], source[kind][i]) {
							t.Fatalf("%s sample %d differs from the source", kind, i)
						}
					}
				}
			}
			if _, err := os.Stat(out + ".tmp"); !os.IsNotExist(err) {
				t.Error("temp file left behind")
			}
		})
	}
}

// TestJoinKeepsAVAligned: at every join of independently encoded clips,
// audio and video start together as they did in the clip (priming that
// would push the audio late is dropped).
func TestJoinKeepsAVAligned(t *testing.T) {
	var ms []*movie
	for _, p := range clips("mp4-clips-indep") {
		m, f, err := openMovie(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		ms = append(ms, m)
	}
	rep := &Report{Dropped: map[string]int{}}
	tracks, err := planSequential(ms, rep, nil2log())
	if err != nil {
		t.Fatal(err)
	}
	// pts returns the output presentation time (s) of the first sample that
	// came from clip k.
	pts := func(ot *outTrack, k int) float64 {
		_, mt, _ := ot.track.normalEdit()
		var dts int64
		for _, s := range ot.samples {
			if int(s.src) == k {
				return float64(dts+int64(s.cto)-mt) / float64(ot.timescale)
			}
			dts += int64(s.dur)
		}
		t.Fatalf("no sample from clip %d", k)
		return 0
	}
	video, audio := tracks[0], tracks[1]
	for k := 1; k < len(ms); k++ {
		v, a := pts(video, k), pts(audio, k)
		if math.Abs(v-5*float64(k)) > 0.001 {
			t.Errorf("clip %d video starts at %.4f s, want %d s", k+1, v, 5*k)
		}
		// Half an AAC frame (1024/48000/2 s) is the best a sample-aligned join can do.
		if math.Abs(a-v) > 0.0107 {
			t.Errorf("clip %d: audio starts %.1f ms from video (drift)", k+1, (a-v)*1000)
		}
	}
}

func TestJoinRefusesIncompatible(t *testing.T) {
	dir := t.TempDir()
	// A clip whose SPS differs (one byte of the avcC changed).
	data, err := os.ReadFile(fixture("mp4-clips/clip2.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(data, []byte("avcC"))
	if i < 0 {
		t.Fatal("fixture has no avcC")
	}
	data[i+4+8] ^= 0x01 // inside the SPS bytes
	altered := filepath.Join(dir, "altered.mp4")
	if err := os.WriteFile(altered, data, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, inputs := range map[string][]string{
		"different SPS":        {fixture("mp4-clips/clip1.mp4"), altered},
		"different track sets": {fixture("mp4-clips/clip1.mp4"), fixture("separate-av/video.m4s")},
	} {
		out := filepath.Join(dir, "out.mp4")
		_, err := JoinMP4(context.Background(), out, inputs, MP4Options{})
		if !errors.Is(err, ErrIncompatible) {
			t.Errorf("%s: got %v, want ErrIncompatible", name, err)
		}
		if _, statErr := os.Stat(out); !os.IsNotExist(statErr) {
			t.Errorf("%s: an output was written", name)
		}
	}
}

// TestJoinRejectsCorruptInput truncates a clip at many points: each must
// give an error (never a panic), and no output.
func TestJoinRejectsCorruptInput(t *testing.T) {
	data, err := os.ReadFile(fixture("mp4-clips/clip1.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, n := range []int{0, 7, 8, 31, 32, 100, 1000, 3000, len(data) / 2, len(data) - 1} {
		in := filepath.Join(dir, "cut.mp4")
		if err := os.WriteFile(in, data[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "out.mp4")
		if _, err := JoinMP4(context.Background(), out, []string{in, fixture("mp4-clips/clip2.mp4")}, MP4Options{}); err == nil {
			t.Errorf("clip cut at %d bytes joined without error", n)
		} else if !errors.Is(err, ErrCorrupt) {
			t.Errorf("cut at %d: %v is not ErrCorrupt", n, err)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("cut at %d: output written", n)
		}
	}
}

func TestForceCo64(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.mp4")
	if _, err := JoinMP4(context.Background(), out, clips("mp4-clips"), MP4Options{ForceCo64: true}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	top, err := children(bytes.NewReader(data), 0, int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	moov, ok := find(top, "moov")
	if !ok || top[1].typ != "moov" {
		t.Fatalf("moov is not right after ftyp: %v", top)
	}
	head := data[moov.start:moov.end()]
	if bytes.Count(head, []byte("co64")) != 2 || bytes.Contains(head, []byte("stco")) {
		t.Error("forced co64 output does not use co64 chunk offsets in both tracks")
	}
	checkStructure(t, out)
	got, want := samplesOf(t, out), samplesOf(t, fixture("source/source.mp4"))
	if len(got["vide"]) != 375 || !bytes.Equal(bytes.Join(got["vide"], nil), bytes.Join(want["vide"], nil)) {
		t.Error("co64 output's video samples differ from the source")
	}
}

// TestLayoutPast4GiB plans (without writing) an output whose media
// crosses 4 GiB: chunk offsets switch to co64 and the mdat header to the
// 64-bit form exactly when needed.
func TestLayoutPast4GiB(t *testing.T) {
	const big = 1 << 30 // 1 GiB samples
	src, f, err := openMovie(fixture("source/source.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	makeTracks := func(n int) []*outTrack {
		tr := *src.tracks[0] // real metadata, synthetic samples
		tr.groupType = ""
		ot := newOutTrack(&tr)
		for i := range n {
			// Each sample in its own place in the source so each is a chunk.
			ot.samples = append(ot.samples, sample{off: int64(i) * (big + 1), size: big, dur: 40, sdi: 1, sync: true})
		}
		ot.finish(src.timescale)
		return []*outTrack{ot}
	}
	for _, tt := range []struct {
		samples  int
		co64     bool
		mdatHead int
	}{
		{3, false, 8},  // 3 GiB: every offset fits in 32 bits
		{4, false, 16}, // the last chunk starts below 4 GiB, but mdat exceeds it
		{5, true, 16},  // a chunk starts past 4 GiB
	} {
		lay, err := planLayout(nil, src.timescale, makeTracks(tt.samples), false, nil)
		if err != nil {
			t.Fatal(err)
		}
		if lay.co64 != tt.co64 || len(lay.mdatHeader) != tt.mdatHead {
			t.Errorf("%d GiB: co64=%v mdat header %d bytes; want %v and %d", tt.samples, lay.co64, len(lay.mdatHeader), tt.co64, tt.mdatHead)
		}
		// The offsets in moov must point at each sample in the output.
		m, err := parseMovie(&layoutReader{lay}, int64(len(lay.ftyp)+len(lay.moov)+len(lay.mdatHeader))+lay.mediaBytes, "layout")
		if err != nil {
			t.Fatalf("%d GiB: the planned moov does not parse: %v", tt.samples, err)
		}
		base := int64(len(lay.ftyp) + len(lay.moov) + len(lay.mdatHeader))
		for i, s := range m.tracks[0].samples {
			if want := base + int64(i)*big; s.off != want {
				t.Errorf("%d GiB: sample %d at %d, want %d", tt.samples, i, s.off, want)
			}
		}
	}
}

// layoutReader serves a planned layout's header boxes (media bytes read
// as zeros), enough for parseMovie.
type layoutReader struct{ lay *layout }

func (r *layoutReader) ReadAt(p []byte, off int64) (int, error) {
	head := append(append(append([]byte{}, r.lay.ftyp...), r.lay.moov...), r.lay.mdatHeader...)
	n := 0
	for n < len(p) {
		at := off + int64(n)
		if at < int64(len(head)) {
			n += copy(p[n:], head[at:])
			continue
		}
		if at >= int64(len(head))+r.lay.mediaBytes {
			return n, io.EOF
		}
		p[n] = 0
		n++
	}
	return n, nil
}

func TestDetect(t *testing.T) {
	tests := []struct {
		inputs []string
		want   Kind
		err    error
	}{
		{[]string{fixture("hls-ts/seg000.ts"), fixture("hls-ts/seg001.ts")}, KindTS, nil},
		{[]string{fixture("hls-fmp4/init.mp4"), fixture("hls-fmp4/seg000.m4s")}, KindFMP4, nil},
		{clips("mp4-clips"), KindMP4, nil},
		{[]string{fixture("separate-av/video.m4s"), fixture("separate-av/audio.m4s")}, KindMP4, nil},
		{[]string{fixture("hls-ts/seg000.ts"), fixture("mp4-clips/clip1.mp4")}, 0, ErrIncompatible},
		{[]string{fixture("hls-fmp4/init.mp4")}, 0, ErrCorrupt},
		{[]string{fixture("hls-fmp4/index.m3u8")}, 0, ErrCorrupt},
	}
	for _, tt := range tests {
		got, err := Detect(tt.inputs)
		if got != tt.want || (tt.err == nil) != (err == nil) || tt.err != nil && !errors.Is(err, tt.err) {
			t.Errorf("Detect(%v) = %v, %v; want %v, %v", tt.inputs, got, err, tt.want, tt.err)
		}
	}
	for _, tt := range []struct {
		kind Kind
		out  string
		ok   bool
	}{{KindTS, "x.mp4", true}, {KindTS, "x.ts", true}, {KindMP4, "x.ts", false}, {KindFMP4, "x.m2ts", false}, {KindMP4, "x.mp4", true}} {
		if err := checkExt(tt.kind, tt.out); (err == nil) != tt.ok || err != nil && !errors.Is(err, ErrUnsupported) {
			t.Errorf("checkExt(%v, %s) = %v, want ok=%v", tt.kind, tt.out, err, tt.ok)
		}
	}
}

// TestCancelledJoinLeavesNothing: Ctrl-C during a join (a cancelled
// context) leaves neither the output nor its temp file.
func TestCancelledJoinLeavesNothing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	out := filepath.Join(dir, "out.mp4")
	if _, err := JoinMP4(ctx, out, clips("mp4-clips"), MP4Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("MP4 join: %v, want context.Canceled", err)
	}
	if err := JoinTS(ctx, filepath.Join(dir, "out.ts"), []Segment{{Path: fixture("hls-ts/seg000.ts")}}); !errors.Is(err, context.Canceled) {
		t.Errorf("TS join: %v, want context.Canceled", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("cancelled joins left %d files", len(entries))
	}
}

// TestJoinInterleaves: separate video and audio come out interleaved:
// walking the media in file order, decode time never goes back by more
// than a second, and the tracks alternate throughout.
func TestJoinInterleaves(t *testing.T) {
	out := filepath.Join(t.TempDir(), "av.mp4")
	if _, err := JoinMP4(context.Background(), out, []string{fixture("separate-av/video.m4s"), fixture("separate-av/audio.m4s")}, MP4Options{}); err != nil {
		t.Fatal(err)
	}
	m, f, err := openMovie(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type at struct {
		off   int64
		sec   float64
		track int
	}
	var all []at
	for ti, tr := range m.tracks {
		var dts uint64
		for _, s := range tr.samples {
			all = append(all, at{s.off, float64(dts) / float64(tr.timescale), ti})
			dts += uint64(s.dur)
		}
	}
	sort.Slice(all, func(a, b int) bool { return all[a].off < all[b].off })
	latest, switches := 0.0, 0
	for i, a := range all {
		if latest-a.sec > 1 {
			t.Fatalf("at byte %d decode time goes back %.2f s (from %.2f to %.2f)", a.off, latest-a.sec, latest, a.sec)
		}
		latest = max(latest, a.sec)
		if i > 0 && all[i-1].track != a.track {
			switches++
		}
	}
	if switches < 20 { // 15 s in half-second slots: about 60
		t.Errorf("the tracks switch %d times in file order: not interleaved", switches)
	}
}
