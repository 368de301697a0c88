package mux

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// TS -> MP4 remux: the elementary streams of MPEG-TS segments (H.264 or
// HEVC video, AAC audio) become the tracks of a regular MP4, without
// decoding anything, laid out by the same join code as every MP4 output
// (interleaving, tags, subtitles, co64). The TS is read twice (see
// remuxsink.go): once to measure the samples, once while writing them,
// so the output is written once and nothing else is. Memory holds the
// sample tables, one PES per stream and what the interleaving waits for.

// RemuxTS writes the streams of TS inputs as one regular MP4 at out.
// Each element of inputs is a list of segments read as one stream (the
// segments of one HLS rendition, or the TS files of a join); a video and
// a separate audio rendition are two lists. Where two lists carry the same
// kind of track, the later one's is used (a rendition chosen for its
// audio). Temp files, if a TS needs them, go to tmpDir and are removed.
func RemuxTS(ctx context.Context, out, tmpDir string, inputs [][]Segment, opts MP4Options) (*Report, error) {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	rep, err := remuxTS(ctx, out, tmpDir, inputs, opts, log, maxQueued)
	if errors.Is(err, errSkew) {
		log.Info("the TS keeps its streams far apart; remuxing through temp files")
		rep, err = remuxTS(ctx, out, tmpDir, inputs, opts, log, 0)
	}
	return rep, err
}

// remuxTS is one remux: streamed (two passes, no temp files, at most
// queueLimit bytes waiting for the writer) or, with queueLimit 0, through
// temp files holding pass 1's samples.
func remuxTS(ctx context.Context, out, tmpDir string, inputs [][]Segment, opts MP4Options, log *slog.Logger, queueLimit int) (*Report, error) {
	type found struct {
		t    *tsTrack
		list int
	}
	var all []*tsTrack
	defer func() {
		for _, t := range all {
			if fs, ok := t.sink.(*fileSink); ok {
				fs.discard()
			}
		}
	}()
	chosen := map[string]found{}
	for i, segs := range inputs {
		if len(segs) == 0 {
			continue
		}
		newSink := func(kind string) (sampleSink, error) { return newFileSink(tmpDir, kind) }
		if queueLimit > 0 {
			newSink = func(string) (sampleSink, error) { return countSink{}, nil }
		}
		st := newTSStream(ctx, segs, log, newSink)
		err := st.run(ctx)
		all = append(all, st.d.tracks...) // temp files are removed by the defer, used or not
		if err != nil {
			return nil, err
		}
		st.r.check.jumps.warn(log, "remuxing on, the timeline split there as at a discontinuity")
		for _, t := range st.d.tracks {
			if t.damaged > 0 {
				log.Warn("dropped frames that lost packets at a continuity-counter jump", "kind", kindName(t.kind), "frames", t.damaged, "file", t.name)
			}
			if len(t.samples) == 0 {
				log.Warn("leaving out a stream without samples", "kind", kindName(t.kind), "codec", t.codec)
				continue
			}
			if t.dropped > 0 {
				log.Warn("dropped leading frames that cannot be decoded (before the first keyframe with its parameter sets, or before any timestamp)",
					"kind", kindName(t.kind), "frames", t.dropped, "file", t.name)
			}
			if prev, ok := chosen[t.kind]; ok {
				log.Info("a later input replaces a track of the same kind", "kind", kindName(t.kind), "dropped", prev.t.codec, "kept", t.codec)
			}
			chosen[t.kind] = found{t, i}
		}
	}
	if len(chosen) == 0 {
		return nil, fmt.Errorf("%w: the MPEG-TS input has no audio or video stream", ErrCorrupt)
	}
	start := int64(1) << 62
	for _, c := range chosen {
		start = min(start, c.t.presentationStart())
	}
	streams := map[int]*tsStream{} // pass 2, one per input list
	defer func() {
		for _, st := range streams {
			st.close()
		}
	}()
	var movies []*movie
	for _, kind := range []string{"vide", "soun"} {
		c, ok := chosen[kind]
		if !ok {
			continue
		}
		var src source
		if fs, ok := c.t.sink.(*fileSink); ok {
			src = fs.f
		} else {
			st := streams[c.list]
			if st == nil {
				list := c.list
				st = newTSStream(ctx, inputs[list], log, func(kind string) (sampleSink, error) {
					if c, ok := chosen[kind]; ok && c.list == list {
						return &queueSink{expect: c.t.samples}, nil
					}
					return countSink{}, nil
				})
				st.limit = queueLimit
				streams[list] = st
			}
			src = &streamSource{name: c.t.name + " (" + kindName(kind) + ")", st: st, kind: kind}
		}
		m, err := c.t.movie(start, src)
		if err != nil {
			return nil, err
		}
		movies = append(movies, m)
	}
	return joinMovies(ctx, out, movies, opts, log)
}

// tsStream demuxes one list of segments, all at once (run) or on demand
// (step, for pass 2).
type tsStream struct {
	r     *tsReader
	d     *tsDemuxer
	done  bool
	seen  bool // a first packet was read
	limit int  // pass 2: the most bytes its queues may hold
}

// newTSStream reads segs; ctx bounds the decryption ahead (segmentQueue).
func newTSStream(ctx context.Context, segs []Segment, log *slog.Logger, newSink func(kind string) (sampleSink, error)) *tsStream {
	return &tsStream{
		r: &tsReader{segs: newSegmentQueue(ctx, segs), check: newTSCheck(), reuse: true},
		d: &tsDemuxer{log: log, pmtPID: -1, name: segs[0].Path, newSink: newSink},
	}
}

func (s *tsStream) run(ctx context.Context) error {
	defer s.close()
	for !s.done {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.step(); err != nil {
			return err
		}
	}
	return nil
}

// step demuxes up to a few hundred packets.
func (s *tsStream) step() error {
	for n := 0; n < 256 && !s.done; n++ {
		pkt, err := s.r.read()
		if err == io.EOF {
			s.done = true
			if err := s.r.check.finish(); err != nil {
				return err
			}
			return s.d.finish()
		}
		if err != nil {
			return err
		}
		if !s.seen && pkt[0] != 0x47 {
			return fmt.Errorf("%w: %s: not an MPEG-TS segment", ErrCorrupt, s.d.name)
		}
		s.seen = true
		if s.r.check.dup {
			continue // a repeated packet: its payload is already in
		}
		if err := s.d.packet(pkt, s.r.check.jumped); err != nil {
			return err
		}
	}
	return nil
}

// queue is the pass-2 queue of the stream's track of kind, if it has one.
func (s *tsStream) queue(kind string) *queueSink {
	for _, t := range s.d.tracks {
		if q, ok := t.sink.(*queueSink); ok && t.kind == kind {
			return q
		}
	}
	return nil
}

func (s *tsStream) queuedBytes() int {
	n := 0
	for _, t := range s.d.tracks {
		if q, ok := t.sink.(*queueSink); ok {
			n += q.queued()
		}
	}
	return n
}

func (s *tsStream) close() { s.r.close() }

// tsDemuxer follows the PAT and PMT and feeds each chosen stream's PES
// packets to its track.
type tsDemuxer struct {
	newSink     func(kind string) (sampleSink, error)
	name        string
	log         *slog.Logger
	pmtPID      int
	lastPMT     []byte // payload of the PMT packet last applied
	byPID       [0x2000]*tsTrack
	tracks      []*tsTrack
	unsupported map[string][]string // kind -> codec names left out
	jumps       jumpLog
}

// packet demuxes one packet; jumped says its PID's continuity counter
// jumped at it (tsCheck).
func (d *tsDemuxer) packet(pkt []byte, jumped bool) error {
	pid := tsPID(pkt)
	switch {
	case pid == pidPAT && tsPUSI(pkt):
		p, err := parsePAT(pkt)
		if err != nil {
			return err
		}
		d.pmtPID = int(p)
		return nil
	case int(pid) == d.pmtPID && tsPUSI(pkt):
		if bytes.Equal(pkt[4:], d.lastPMT) {
			return nil // the same table again (muxers repeat it many times a second)
		}
		d.lastPMT = append(d.lastPMT[:0], pkt[4:]...)
		pmt, err := parsePMT(pkt)
		if err != nil {
			return err
		}
		return d.program(pmt)
	}
	t := d.byPID[pid]
	if t == nil {
		return nil
	}
	if jumped {
		t.lost(tsPUSI(pkt))
	}
	payload := tsPayload(pkt)
	if payload == nil {
		return nil
	}
	return t.pesBuf.add(payload, tsPUSI(pkt), t.access)
}

// program maps the PMT's streams to tracks: the first supported video
// and audio stream; a stream on a new PID (after a discontinuity) goes on
// the track of its kind.
func (d *tsDemuxer) program(pmt *pmtInfo) error {
	seen := map[string]bool{}
	for _, es := range pmt.streams {
		kind, codec, ok := tsStreamCodec(es)
		if kind == "" {
			continue // data: ID3 timed metadata, SCTE-35, ...
		}
		if !ok {
			if d.unsupported == nil {
				d.unsupported = map[string][]string{}
			}
			d.unsupported[kind] = append(d.unsupported[kind], codec)
			continue
		}
		if seen[kind] {
			continue // one track per kind: the first
		}
		seen[kind] = true
		var t *tsTrack
		for _, have := range d.tracks {
			if have.kind == kind {
				t = have
			}
		}
		switch {
		case t == nil:
			sink, err := d.newSink(kind)
			if err != nil {
				return err
			}
			t = &tsTrack{kind: kind, codec: codec, sink: sink, jumps: &d.jumps, name: d.name}
			t.access = t.accessUnit
			d.tracks = append(d.tracks, t)
		case t.codec != codec:
			return fmt.Errorf("%w: the %s stream changes codec mid-stream (%s, then %s)", ErrUnsupported, kindName(kind), t.codec, codec)
		}
		pid := es.pid & 0x1fff
		if t.mapped && t.pid != pid {
			d.byPID[t.pid] = nil // the stream moved to another PID
		}
		t.pid, t.mapped = pid, true
		d.byPID[pid] = t
	}
	return nil
}

// finish ends every stream and refuses inputs whose audio or video is in
// a codec the remux cannot carry.
func (d *tsDemuxer) finish() error {
	var refused []string
	for _, kind := range []string{"vide", "soun"} {
		codecs := d.unsupported[kind]
		if len(codecs) == 0 {
			continue
		}
		has := false
		for _, t := range d.tracks {
			has = has || t.kind == kind
		}
		if has {
			d.log.Warn("leaving out a stream in a codec MP4 output does not carry", "kind", kindName(kind), "codec", strings.Join(dedupe(codecs), ","))
			continue
		}
		refused = append(refused, fmt.Sprintf("%s in %s", kindName(kind), strings.Join(dedupe(codecs), "/")))
	}
	if len(refused) > 0 {
		return fmt.Errorf("%w: cannot remux MPEG-TS with %s to MP4 (vdl remuxes H.264, HEVC and AAC): use --remux ts or --ffmpeg",
			ErrUnsupported, strings.Join(refused, " and "))
	}
	var errs []error
	for _, t := range d.tracks {
		errs = append(errs, t.finish())
	}
	return errors.Join(errs...)
}

func kindName(kind string) string {
	if kind == "vide" {
		return "video"
	}
	return "audio"
}

// tsStreamCodec classifies a PMT entry: its kind ("vide", "soun", or ""
// for data), a codec name, and whether the remux supports it.
func tsStreamCodec(es esInfo) (kind, codec string, ok bool) {
	switch es.streamType {
	case 0x1b:
		return "vide", "h264", true
	case 0x24:
		return "vide", "hevc", true
	case 0x0f:
		return "soun", "aac", true
	case 0x01, 0x02:
		return "vide", "MPEG-2 video", false
	case 0x10:
		return "vide", "MPEG-4 video", false
	case 0x42:
		return "vide", "AVS video", false
	case 0xea:
		return "vide", "VC-1", false
	case 0x03, 0x04:
		return "soun", "MPEG audio (MP2/MP3)", false
	case 0x11:
		return "soun", "AAC in LATM", false
	case 0x81, 0x6a:
		return "soun", "AC-3", false
	case 0x87:
		return "soun", "E-AC-3", false
	case 0x82, 0x85: // DTS (0x86 is SCTE-35 cue data)
		return "soun", "DTS", false
	case 0x06:
		// Private PES: the descriptors say whether it is audio.
		for d := es.desc; len(d) >= 2 && 2+int(d[1]) <= len(d); d = d[2+int(d[1]):] {
			switch d[0] {
			case 0x6a:
				return "soun", "AC-3", false
			case 0x7a:
				return "soun", "E-AC-3", false
			case 0x7b:
				return "soun", "DTS", false
			}
		}
	}
	return "", "", false
}
