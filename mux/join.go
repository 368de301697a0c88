package mux

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"strings"
	"time"
)

// MP4Options tune JoinMP4.
type MP4Options struct {
	// ForceCo64 writes 64-bit chunk offsets even when 32 bits would do
	// (to exercise and test the path that files past 4 GiB take).
	ForceCo64 bool
	// KeepFragmented leaves an fMP4 join fragmented (moof/mdat per
	// segment, --remux fmp4) instead of rewriting it as a regular MP4.
	KeepFragmented bool
	// Tags, if set, are written into the output's moov (udta/meta/ilst).
	Tags *Tags
	// Subtitles are embedded as text tracks (tx3g), one per language.
	Subtitles []TextTrack
	Log       *slog.Logger
}

// Report says what a join did beyond copying: samples dropped at joins
// (priming hidden behind the previous clip) and gaps bridged.
type Report struct {
	Samples map[string]int // output samples per track kind ("vide", "soun")
	Dropped map[string]int // leading samples dropped at joins, per kind
	Gaps    int            // joins where a gap was bridged by a longer sample
	Bytes   int64          // media bytes copied
}

// outTrack is one track of the output: clip 1's metadata, every clip's samples.
type outTrack struct {
	*track            // metadata template (clip 1's)
	samples  []sample // replaces track.samples
	edits    []edit   // output edit list, output movie timescale
	hasSdtp  bool
	keepGrp  bool
	duration uint64 // tkhd duration, movie timescale
}

// JoinMP4 joins MP4 inputs into one progressive MP4 at out (moov first).
// Inputs with the same tracks are joined one after another (clips);
// inputs with different single kinds (a video-only and an audio-only
// file, fragmented or not) are muxed side by side. A single input is
// rewritten (which also defragments a fragmented file).
func JoinMP4(ctx context.Context, out string, inputs []string, opts MP4Options) (*Report, error) {
	if len(inputs) == 0 {
		return nil, fmt.Errorf("mux: no inputs")
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	movies := make([]*movie, len(inputs))
	for i, in := range inputs {
		m, f, err := openMovie(in)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		movies[i] = m
	}
	return joinMovies(ctx, out, movies, opts, log)
}

// source is what a join copies media from: a file, or segments read as
// one (concatFile).
type source interface {
	io.ReaderAt
	Name() string
}

// joinMovies writes parsed movies as one progressive MP4 (see JoinMP4).
func joinMovies(ctx context.Context, out string, movies []*movie, opts MP4Options, log *slog.Logger) (*Report, error) {
	rep := &Report{Samples: map[string]int{}, Dropped: map[string]int{}}
	var tracks []*outTrack
	var err error
	if sideBySide(movies) {
		tracks, err = planSideBySide(movies)
	} else {
		tracks, err = planSequential(movies, rep, log)
	}
	if err != nil {
		return nil, err
	}
	for _, t := range tracks {
		if len(t.samples) == 0 {
			return nil, fmt.Errorf("%w: the %s track (ID %d) has no samples", ErrCorrupt, t.handler, t.id)
		}
		rep.Samples[t.handler] += len(t.samples)
	}
	srcs := make([]source, 0, len(movies)+1)
	for _, m := range movies {
		srcs = append(srcs, m.src.(source))
	}
	if len(opts.Subtitles) > 0 {
		text, src, past := buildTextTracks(opts.Subtitles, uint16(len(srcs)), avEnd(tracks, movies[0].timescale))
		if past > 0 {
			log.Warn("subtitle cues after the video's end: dropped (or cut at the end)", "cues", past)
		}
		for _, t := range text {
			t.finish(movies[0].timescale)
		}
		tracks = append(tracks, text...)
		srcs = append(srcs, src)
	}
	lay, err := planLayout(movies[0].ftyp, movies[0].timescale, tracks, opts.ForceCo64, opts.Tags)
	if err != nil {
		return nil, err
	}
	rep.Bytes = lay.mediaBytes
	if err := writeMP4(ctx, out, lay, srcs); err != nil {
		return nil, err
	}
	return rep, nil
}

// avEnd is when the last audio or video track ends (its edit list
// included): where text tracks must end too.
func avEnd(tracks []*outTrack, movieTS uint32) time.Duration {
	var end uint64
	for _, t := range tracks {
		end = max(end, t.duration)
	}
	if movieTS == 0 {
		return 0
	}
	return time.Duration(float64(end) / float64(movieTS) * float64(time.Second))
}

// kinds lists a movie's audio/video track handlers in order.
func kinds(m *movie) []string {
	var k []string
	for _, t := range m.tracks {
		if t.handler == "vide" || t.handler == "soun" {
			k = append(k, t.handler)
		}
	}
	return k
}

// sideBySide reports whether the inputs are separate streams of one
// video (each kind in exactly one input) rather than clips to append.
func sideBySide(ms []*movie) bool {
	if len(ms) < 2 {
		return false
	}
	seen := map[string]bool{}
	for _, m := range ms {
		for _, k := range kinds(m) {
			if seen[k] {
				return false
			}
			seen[k] = true
		}
	}
	return true
}

// planSideBySide makes one output track per input track, video first.
func planSideBySide(ms []*movie) ([]*outTrack, error) {
	var out []*outTrack
	for _, want := range []string{"vide", "soun"} {
		for i, m := range ms {
			for _, t := range m.tracks {
				if t.handler != want {
					continue
				}
				ot := newOutTrack(t)
				ot.samples = withSource(t.samples, i)
				ot.edits = convertEdits(t.edits, m.timescale, ms[0].timescale)
				ot.finish(ms[0].timescale)
				out = append(out, ot)
			}
		}
	}
	return out, nil
}

func newOutTrack(t *track) *outTrack {
	return &outTrack{track: t, hasSdtp: t.hasSdtp, keepGrp: t.groupType != ""}
}

func withSource(s []sample, src int) []sample {
	out := make([]sample, len(s))
	for i, x := range s {
		x.src = uint16(src)
		out[i] = x
	}
	return out
}

// convertEdits rescales edit durations from one movie timescale to another.
func convertEdits(es []edit, from, to uint32) []edit {
	out := make([]edit, len(es))
	for i, e := range es {
		e.dur = rescale(e.dur, from, to)
		out[i] = e
	}
	return out
}

func rescale(v uint64, from, to uint32) uint64 {
	if from == to || from == 0 {
		return v
	}
	// v*to can overflow for 64-bit durations; float is exact enough here.
	return uint64(math.Round(float64(v) * float64(to) / float64(from)))
}

// planSequential appends every clip's tracks to clip 1's, applying the
// timeline policy of docs/mux.md §2.4 at each join.
func planSequential(ms []*movie, rep *Report, log *slog.Logger) ([]*outTrack, error) {
	first := ms[0]
	for _, h := range first.skipped {
		log.Warn("dropping a track that is neither audio nor video", "file", first.name, "handler", h)
	}
	var tracks []*outTrack
	for _, t := range first.tracks {
		if t.handler == "vide" || t.handler == "soun" {
			tracks = append(tracks, newOutTrack(t))
		} else {
			log.Warn("dropping a track that is neither audio nor video", "file", first.name, "handler", t.handler)
		}
	}
	if len(tracks) == 0 {
		return nil, fmt.Errorf("%w: %s has no audio or video track", ErrUnsupported, first.name)
	}
	want := strings.Join(kinds(first), "+")
	// clipStart is T_k: where clip k starts in presentation time, in seconds.
	clipStart := 0.0
	for k, m := range ms {
		if got := strings.Join(kinds(m), "+"); got != want {
			return nil, fmt.Errorf("%w: %s has tracks %s, %s has %s", ErrIncompatible, first.name, want, m.name, got)
		}
		src := avTracks(m)
		for ti, ot := range tracks {
			t := src[ti]
			if err := compatible(ot.track, t, first.name, m.name); err != nil {
				return nil, err
			}
			if k == 0 {
				ot.samples = withSource(t.samples, 0)
				continue
			}
			dropped, gap := ot.appendClip(t, k, clipStart, ms[0], m)
			rep.Dropped[t.handler] += dropped
			if gap {
				rep.Gaps++
			}
			ot.hasSdtp = ot.hasSdtp && t.hasSdtp
			ot.keepGrp = ot.keepGrp && t.groupType == ot.groupType && bytes.Equal(t.sgpd, ot.sgpd)
		}
		clipStart += movieSeconds(m)
	}
	for _, ot := range tracks {
		ot.edits = ot.joinedEdits(first)
	}
	trimCommonDelay(tracks)
	for _, ot := range tracks {
		ot.finish(first.timescale)
	}
	return tracks, nil
}

// trimCommonDelay removes leading empty time that every track has (clip
// cutters leave such edits: 80 ms video / 58 ms audio in the fixtures).
// It only delays the whole picture and sound; removing the common part
// keeps their relative offset, so A/V sync is unchanged.
func trimCommonDelay(tracks []*outTrack) {
	common := uint64(math.MaxUint64)
	for _, ot := range tracks {
		empty, _, _ := normalEditOf(ot.edits)
		common = min(common, empty)
	}
	if common == 0 || common == math.MaxUint64 {
		return
	}
	for _, ot := range tracks {
		left := common
		var kept []edit
		for _, e := range ot.edits {
			if e.mediaTime == -1 && left > 0 {
				cut := min(e.dur, left)
				e.dur -= cut
				left -= cut
				if e.dur == 0 {
					continue
				}
			}
			kept = append(kept, e)
		}
		ot.edits = kept
	}
}

// movieSeconds is a clip's presentation length: mvhd's duration, or the
// longest track if mvhd says 0.
func movieSeconds(m *movie) float64 {
	if m.duration > 0 {
		return float64(m.duration) / float64(m.timescale)
	}
	longest := 0.0
	for _, t := range m.tracks {
		longest = max(longest, float64(t.mediaDuration())/float64(t.timescale))
	}
	return longest
}

func avTracks(m *movie) []*track {
	var out []*track
	for _, t := range m.tracks {
		if t.handler == "vide" || t.handler == "soun" {
			out = append(out, t)
		}
	}
	return out
}

// compatible checks that clip b's track can continue clip a's: same
// timescale and the same codec configurations (not the same stsd bytes:
// bitrate fields differ between clips of one encode).
func compatible(a, b *track, aName, bName string) error {
	if a.timescale != b.timescale {
		return fmt.Errorf("%w: %s track timescale %d in %s, %d in %s", ErrIncompatible, a.handler, a.timescale, aName, b.timescale, bName)
	}
	if len(a.entries) != len(b.entries) {
		return fmt.Errorf("%w: %s has %d sample descriptions, %s has %d", ErrIncompatible, aName, len(a.entries), bName, len(b.entries))
	}
	for i := range a.entries {
		if a.entries[i].config != b.entries[i].config {
			return fmt.Errorf("%w: %s codec configuration differs between %s and %s (%s vs %s)", ErrIncompatible,
				a.entries[i].codec, aName, bName, shorten(a.entries[i].config), shorten(b.entries[i].config))
		}
	}
	return nil
}

func shorten(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// appendClip adds clip k's samples after the output's current end. It
// drops leading samples that would end before the previous clip's end
// (encoder priming; only in all-sync tracks such as audio, never video
// frames others depend on) and bridges a gap larger than half a sample by
// lengthening the previous sample.
func (ot *outTrack) appendClip(t *track, k int, clipStart float64, first, m *movie) (dropped int, gapBridged bool) {
	ts := float64(t.timescale)
	empty1, mt1, _ := ot.track.normalEdit()
	emptyK, mtK, _ := t.normalEdit()
	ideal := int64(math.Round(clipStart*ts)) +
		int64(math.Round(float64(emptyK)/float64(m.timescale)*ts)) - mtK -
		int64(math.Round(float64(empty1)/float64(first.timescale)*ts)) + mt1
	var end int64
	for _, s := range ot.samples {
		end += int64(s.dur)
	}
	allSync := true
	for _, s := range t.samples {
		allSync = allSync && s.sync
	}
	i, at := 0, ideal
	for allSync && i < len(t.samples) && at+int64(t.samples[i].dur)/2 <= end {
		at += int64(t.samples[i].dur)
		i++
	}
	if i < len(t.samples) && len(ot.samples) > 0 {
		half := int64(t.samples[i].dur) / 2
		if gap := at - end; gap > half && gap < math.MaxUint32/2 {
			ot.samples[len(ot.samples)-1].dur += uint32(gap)
			gapBridged = true
		}
	}
	ot.samples = append(ot.samples, withSource(t.samples[i:], k)...)
	return i, gapBridged
}

// joinedEdits is clip 1's edit list with its normal edit stretched over
// the whole output, up to the last composition end (not the last decode
// time: with B-frames the last frames are shown after it).
func (ot *outTrack) joinedEdits(first *movie) []edit {
	_, mt1, ok := ot.track.normalEdit()
	if !ok {
		return nil
	}
	var dts, compEnd int64
	for _, s := range ot.samples {
		compEnd = max(compEnd, dts+int64(s.cto)+int64(s.dur))
		dts += int64(s.dur)
	}
	var out []edit
	for _, e := range ot.track.edits {
		if e.mediaTime == -1 {
			out = append(out, e)
			continue
		}
		e.dur = rescale(uint64(max(compEnd-mt1, 0)), ot.timescale, first.timescale)
		return append(out, e)
	}
	return out
}

// finish computes the track's duration in the output movie timescale.
func (ot *outTrack) finish(movieTS uint32) {
	if len(ot.edits) > 0 {
		for _, e := range ot.edits {
			ot.duration += e.dur
		}
		return
	}
	var d uint64
	for _, s := range ot.samples {
		d += uint64(s.dur)
	}
	ot.duration = rescale(d, ot.timescale, movieTS)
}
