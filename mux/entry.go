package mux

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// Input is one stream of a join: its pieces in play order. Container
// says what they are: "ts" (MPEG-TS segments), "fmp4" (Init and
// fragments), "mp4" (complete MP4 clips); "" sniffs clear pieces (Detect),
// the first of an fMP4 set being its init segment.
type Input struct {
	Container string
	Init      *Segment
	Segments  []Segment
}

// JoinOptions configure Join.
type JoinOptions struct {
	MP4Options
	// WorkDir takes the intermediate files of a remux or of a join of two
	// fMP4 renditions; "" is the output's folder.
	WorkDir string
}

// Join writes inputs as one file at out, the method chosen from the
// inputs' container and out's name: TS segments become a TS, or with an
// MP4 name (MP4Name) a remuxed MP4; two TS streams (video, audio) are
// merged the same way; an fMP4 stream becomes a regular MP4 (or stays
// fragmented, KeepFragmented); two fMP4 renditions are muxed side by side;
// MP4 clips are joined by their sample tables. Sniffed MP4 inputs cannot
// become a TS. The Kind is what the (first) input was found to be; the Report is
// nil for a TS output.
func Join(ctx context.Context, out string, inputs []Input, opts JoinOptions) (Kind, *Report, error) {
	if len(inputs) == 0 {
		return 0, nil, fmt.Errorf("mux: no inputs")
	}
	if opts.WorkDir == "" {
		opts.WorkDir = filepath.Dir(out)
	}
	kinds := make([]Kind, len(inputs))
	for i := range inputs {
		sniffed := inputs[i].Container == ""
		k, err := inputs[i].resolve()
		if err != nil {
			return 0, nil, err
		}
		if sniffed {
			// Parts a user has: their container, not the caller, decides
			// what out can be.
			if err := checkExt(k, out); err != nil {
				return k, nil, err
			}
		}
		kinds[i] = k
	}
	k := kinds[0]
	switch {
	case len(inputs) == 1:
		rep, err := joinOne(ctx, out, inputs[0], k, opts)
		return k, rep, err
	case len(inputs) == 2 && kinds[1] == k && k == KindTS:
		if MP4Name(out) {
			rep, err := RemuxTS(ctx, out, opts.WorkDir, [][]Segment{inputs[0].Segments, inputs[1].Segments}, opts.MP4Options)
			return k, rep, err
		}
		return k, nil, MergeTS(ctx, out, inputs[0].Segments, inputs[1].Segments)
	case len(inputs) == 2 && kinds[1] == k && k == KindFMP4:
		// Each rendition becomes one fragmented file, then both are muxed
		// side by side into one progressive MP4.
		var tracks []string
		for i, in := range inputs {
			p := filepath.Join(opts.WorkDir, fmt.Sprintf("stream%d.mp4", i))
			if err := JoinFMP4(ctx, p, *in.Init, in.Segments); err != nil {
				return k, nil, err
			}
			defer os.Remove(p)
			tracks = append(tracks, p)
		}
		rep, err := JoinMP4(ctx, out, tracks, opts.MP4Options)
		return k, rep, err
	}
	var names []string
	for _, k := range kinds {
		names = append(names, k.String())
	}
	return k, nil, fmt.Errorf("%w: joining %s into one file", ErrUnsupported, strings.Join(names, " + "))
}

// joinOne joins a single stream of kind k.
func joinOne(ctx context.Context, out string, in Input, k Kind, opts JoinOptions) (*Report, error) {
	switch k {
	case KindTS:
		if MP4Name(out) {
			return RemuxTS(ctx, out, opts.WorkDir, [][]Segment{in.Segments}, opts.MP4Options)
		}
		log := opts.Log
		if log == nil {
			log = slog.New(slog.DiscardHandler)
		}
		return nil, joinTS(ctx, out, in.Segments, log) // warns of continuity-counter jumps
	case KindFMP4:
		return JoinFMP4Regular(ctx, out, *in.Init, in.Segments, opts.MP4Options)
	}
	paths := make([]string, len(in.Segments))
	for i, s := range in.Segments {
		if s.Key != nil {
			return nil, fmt.Errorf("%w: encrypted MP4 clips", ErrUnsupported)
		}
		paths[i] = s.Path
	}
	return JoinMP4(ctx, out, paths, opts.MP4Options)
}

// resolve turns the input's Container into a Kind, sniffing the pieces
// when it is not given (an fMP4 set's first piece becomes its Init).
func (in *Input) resolve() (Kind, error) {
	switch in.Container {
	case "ts":
		return KindTS, nil
	case "mp4":
		return KindMP4, nil
	case "fmp4":
		if in.Init == nil {
			return 0, fmt.Errorf("%w: fMP4 stream without an init segment", ErrCorrupt)
		}
		return KindFMP4, nil
	case "":
	default:
		return 0, fmt.Errorf("%w: joining %s segments", ErrUnsupported, in.Container)
	}
	paths := make([]string, len(in.Segments))
	for i, s := range in.Segments {
		paths[i] = s.Path
	}
	k, err := Detect(paths)
	if err != nil {
		return 0, err
	}
	if k == KindFMP4 {
		init := in.Segments[0]
		in.Init, in.Segments = &init, in.Segments[1:]
	}
	return k, nil
}

// Files is the input of a join of clear files a user has (vdl join): one
// stream, its container sniffed.
func Files(paths []string) []Input {
	segs := make([]Segment, len(paths))
	for i, p := range paths {
		segs[i] = Segment{Path: p}
	}
	return []Input{{Segments: segs}}
}
