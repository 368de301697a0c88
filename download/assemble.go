package download

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/fetch"
	"github.com/vdlproject/vdl/mux"
)

// assembly maps a format onto files in the work dir: the fetch parts, and
// per stream the downloaded pieces in play order for the join.
type assembly struct {
	parts   []fetch.Part
	streams []streamFiles
	// direct is set when the format is one plain file: the downloaded part
	// is renamed into place, no join.
	direct bool
	// remux is set when MPEG-TS parts become an MP4 (the output's name
	// says .mp4; by default it does).
	remux bool
	out   string // the output the plan is for
}

type streamFiles struct {
	kind      extractors.Kind
	container string
	init      *piece
	segs      []piece
}

type piece struct {
	path string
	key  *extractors.Key
}

// planAssembly lays out the format's segments as parts of one fetch job,
// so that all of them share the connection budget and resume together.
func planAssembly(f *extractors.Format, work, out string) (*assembly, error) {
	if len(f.Streams) == 0 {
		return nil, fmt.Errorf("%w: format %s has no streams", extractors.ErrUnsupported, f.ID)
	}
	c, _, _ := strings.Cut(f.Container, "+")
	a := &assembly{out: out, remux: c == "ts" && mux.MP4Name(out)}
	if directFile(f) {
		st := f.Streams[0]
		seg := st.Segments[0]
		a.direct = true
		a.parts = []fetch.Part{{URL: seg.URL, Mirrors: seg.Mirrors, Header: st.Header, Size: seg.Size, Offset: seg.Offset,
			Length: seg.Length, RangesOK: seg.RangesOK, Path: filepath.Join(work, "data")}}
		// Joined only when not kept as served (keptAsServed): a site's
		// MP4 rewritten as a one-clip join, or one TS remuxed.
		sf := streamFiles{kind: st.Kind, container: "mp4", segs: []piece{{path: a.parts[0].Path}}}
		if a.remux {
			sf.container = "ts"
		}
		a.streams = []streamFiles{sf}
		return a, nil
	}
	for si, st := range f.Streams {
		if len(st.Segments) == 0 {
			return nil, fmt.Errorf("%w: format %s stream %d has no segments", extractors.ErrUnsupported, f.ID, si)
		}
		sf := streamFiles{kind: st.Kind, container: streamContainer(f, st)}
		dir := filepath.Join(work, fmt.Sprintf("s%d", si))
		add := func(seg extractors.Segment, name string) piece {
			p := filepath.Join(dir, name)
			a.parts = append(a.parts, fetch.Part{URL: seg.URL, Mirrors: seg.Mirrors, Header: st.Header, Size: seg.Size, Offset: seg.Offset, Length: seg.Length, Path: p})
			return piece{path: p, key: seg.Key}
		}
		if st.Init != nil {
			p := add(*st.Init, "init")
			sf.init = &p
		}
		for i, seg := range st.Segments {
			sf.segs = append(sf.segs, add(seg, fmt.Sprintf("%06d", i)))
		}
		a.streams = append(a.streams, sf)
	}
	if err := a.joinable(); err != nil {
		return nil, fmt.Errorf("format %s: %w", f.ID, err)
	}
	return a, nil
}

// directFile says the format is one file: downloaded, renamed, no join.
// Unless it is a plain URL's file (Format.Plain: the server's bytes, as
// they are), it is checked first to be the media it claims to be.
func directFile(f *extractors.Format) bool {
	if len(f.Streams) != 1 {
		return false
	}
	st := f.Streams[0]
	return st.Init == nil && len(st.Segments) == 1 && st.Segments[0].Key == nil
}

// keptAsServed says the one downloaded file becomes the output as it is
// (checked first unless f is Plain), not joined: a site's single MP4 is
// rewritten (checked by the parse, moov first, tagged) and a TS named
// .mp4 remuxed.
func (a *assembly) keptAsServed(f *extractors.Format) bool {
	return a.direct && !a.remux && (f.Plain || f.Container != "mp4")
}

// joinable says up front whether join can handle the streams, so that
// nothing is downloaded for a join that would fail.
func (a *assembly) joinable() error {
	ok := map[string]bool{"ts": true, "fmp4": true, "mp4": true}
	switch {
	case len(a.streams) == 1 && ok[a.streams[0].container]:
		return nil
	case len(a.streams) == 2 && a.streams[0].container == "fmp4" && a.streams[1].container == "fmp4":
		return nil
	case len(a.streams) == 2 && a.streams[0].container == "ts" && a.streams[1].container == "ts":
		return nil
	}
	var kinds []string
	for _, sf := range a.streams {
		kinds = append(kinds, string(sf.kind)+" "+sf.container)
	}
	return fmt.Errorf("%w: joining %s streams into one file", extractors.ErrUnsupported, strings.Join(kinds, " + "))
}

// streamContainer is what one stream's pieces are.
func streamContainer(f *extractors.Format, st extractors.Stream) string {
	if st.Init != nil {
		return "fmp4"
	}
	if c, _, _ := strings.Cut(f.Container, "+"); c == "ts" || c == "mp4" {
		return c
	}
	return f.Container
}

// checkOutputName refuses, before the download, an -o whose container
// the join cannot produce: MP4 sources cannot become TS, and --remux ts
// contradicts an MP4 name.
func (a *assembly) checkOutputName(f *extractors.Format, keepTS bool) error {
	c, _, _ := strings.Cut(f.Container, "+")
	ext := strings.ToLower(filepath.Ext(a.out))
	switch {
	case a.remux && keepTS:
		return fmt.Errorf("%w: %s: --remux ts keeps format %s as MPEG-TS; name it .ts", ErrBadOutput, a.out, f.ID)
	case a.remux && !f.Remuxable():
		return fmt.Errorf("%w: %s: format %s is MPEG-TS with codecs %s, which vdl cannot remux into MP4; name it .ts (or use a format in H.264/HEVC and AAC)",
			ErrBadOutput, a.out, f.ID, f.Codecs)
	case c == "mp4" && !(a.direct && f.Plain) && (ext == ".ts" || ext == ".m2ts"):
		return fmt.Errorf("%w: %s: format %s joins into MP4; use -o NAME.mp4", ErrBadOutput, a.out, f.ID)
	}
	return nil
}

// inputs are the join's streams, the keys (key URI -> bytes) attached to
// their pieces.
func (a *assembly) inputs(keys map[string][]byte) []mux.Input {
	ins := make([]mux.Input, len(a.streams))
	for i, sf := range a.streams {
		in := mux.Input{Container: sf.container, Segments: make([]mux.Segment, len(sf.segs))}
		for j, p := range sf.segs {
			in.Segments[j] = muxSegment(p, keys)
		}
		if sf.init != nil {
			s := muxSegment(*sf.init, keys)
			in.Init = &s
		}
		ins[i] = in
	}
	return ins
}

// join turns the downloaded pieces into out (in the work dir).
func (a *assembly) join(ctx context.Context, out, work string, keys map[string][]byte, opts mux.MP4Options) error {
	_, _, err := mux.Join(ctx, out, a.inputs(keys), mux.JoinOptions{MP4Options: opts, WorkDir: work})
	if err != nil && !errors.Is(err, context.Canceled) {
		return &JoinError{Err: err}
	}
	return err
}

func muxSegment(p piece, keys map[string][]byte) mux.Segment {
	s := mux.Segment{Path: p.path}
	if p.key != nil {
		s.Key, s.IV = keys[p.key.URI], p.key.IV
	}
	return s
}

// keyedStreams reports whether any piece needs a key.
func keyedStreams(f *extractors.Format) bool {
	for _, st := range f.Streams {
		if st.Init != nil && st.Init.Key != nil {
			return true
		}
		for _, s := range st.Segments {
			if s.Key != nil {
				return true
			}
		}
	}
	return false
}
