package mux

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
)

// TS -> MP4 remux: the elementary streams of MPEG-TS segments (H.264 or
// HEVC video, AAC audio) become the tracks of a regular MP4, without
// decoding anything. Each track's converted samples go to a temp file of
// its own while the TS is read once; the tracks are then laid out by the
// same join code as every MP4 output (interleaving, tags, subtitles,
// co64). Memory holds the sample tables and one PES per stream, whatever
// the size of the input.

// RemuxTS writes the streams of TS inputs as one regular MP4 at out.
// Each element of inputs is a list of segments read as one stream (the
// segments of one HLS rendition, or the TS files of a join); a video and
// a separate audio rendition are two lists. Where two lists carry the same
// kind of track, the later one's is used (a rendition chosen for its
// audio). Temp files go to tmpDir and are removed.
func RemuxTS(ctx context.Context, out, tmpDir string, inputs [][]Segment, opts MP4Options) (*Report, error) {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var tracks []*tsTrack
	defer func() {
		for _, t := range tracks {
			t.discard()
		}
	}()
	for _, segs := range inputs {
		if len(segs) == 0 {
			continue
		}
		got, err := demuxTS(ctx, tmpDir, segs, log)
		tracks = append(tracks, got...) // discarded by the defer, used or not
		if err != nil {
			return nil, err
		}
	}
	chosen := map[string]*tsTrack{}
	for _, t := range tracks {
		if prev := chosen[t.kind]; prev != nil {
			log.Info("a later input replaces a track of the same kind", "kind", t.kind, "dropped", prev.codec, "kept", t.codec)
		}
		chosen[t.kind] = t
	}
	if len(chosen) == 0 {
		return nil, fmt.Errorf("%w: the MPEG-TS input has no audio or video stream", ErrCorrupt)
	}
	var movies []*movie
	start := int64(1) << 62
	for _, kind := range []string{"vide", "soun"} {
		if t := chosen[kind]; t != nil {
			start = min(start, t.presentationStart())
		}
	}
	for _, kind := range []string{"vide", "soun"} {
		if t := chosen[kind]; t != nil {
			m, err := t.movie(start)
			if err != nil {
				return nil, err
			}
			movies = append(movies, m)
		}
	}
	return joinMovies(ctx, out, movies, opts, log)
}

// demuxTS reads one list of segments and returns its tracks, their
// samples written to temp files in tmpDir.
func demuxTS(ctx context.Context, tmpDir string, segs []Segment, log *slog.Logger) ([]*tsTrack, error) {
	r := &tsReader{segs: segs, check: newTSCheck()}
	defer r.close()
	d := &tsDemuxer{tmpDir: tmpDir, log: log, byPID: map[uint16]*tsTrack{}, pmtPID: -1, name: segs[0].Path}
	first := true
	for n := 0; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return d.tracks, ctx.Err()
		}
		pkt, err := r.read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return d.tracks, err
		}
		if first && pkt[0] != 0x47 {
			return d.tracks, fmt.Errorf("%w: %s: not an MPEG-TS segment", ErrCorrupt, segs[0].Path)
		}
		first = false
		if err := d.packet(pkt); err != nil {
			return d.tracks, err
		}
	}
	if err := r.check.finish(); err != nil {
		return d.tracks, err
	}
	return d.tracks, d.finish()
}

// tsDemuxer follows the PAT and PMT and feeds each chosen stream's PES
// packets to its track.
type tsDemuxer struct {
	tmpDir      string
	name        string
	log         *slog.Logger
	pmtPID      int
	byPID       map[uint16]*tsTrack
	tracks      []*tsTrack
	unsupported map[string][]string // kind -> codec names left out
	jumps       jumpLog
}

func (d *tsDemuxer) packet(pkt []byte) error {
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
			f, err := os.CreateTemp(d.tmpDir, ".vdl-remux-*."+kind)
			if err != nil {
				return err
			}
			t = &tsTrack{kind: kind, codec: codec, file: f, data: bufio.NewWriterSize(f, 1<<20), jumps: &d.jumps, name: d.name}
			t.access = t.accessUnit
			d.tracks = append(d.tracks, t)
		case t.codec != codec:
			return fmt.Errorf("%w: the %s stream changes codec mid-stream (%s, then %s)", ErrUnsupported, kindName(kind), t.codec, codec)
		}
		for p, other := range d.byPID {
			if other == t && p != es.pid {
				delete(d.byPID, p)
			}
		}
		d.byPID[es.pid] = t
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
