package mux

import (
	"fmt"
	"math"
)

// The boxes of a remuxed track: what a parsed MP4 input would have given
// joinMovies (handler, media header, sample descriptions, edit list).

// remuxTimescale is the movie timescale of remuxed output (ffmpeg's too).
const remuxTimescale = 1000

// movie presents the track as a one-track movie whose samples live in
// its temp file. start is the earliest presentation time of all tracks
// (90 kHz): a track that starts later begins with an empty edit, so that
// audio and video keep the offset they had in the TS.
func (t *tsTrack) movie(start int64, src source) (*movie, error) {
	tr := &track{handler: t.kind, mdhdLang: isoLang("und"), samples: t.samples}
	stsd := &builder{}
	stsd.startFull("stsd", 0, 0)
	stsd.u32(uint32(len(t.entries)))
	for _, raw := range t.entries {
		e, err := parseSampleEntry(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: built a bad sample entry: %w", t.name, err)
		}
		tr.entries = append(tr.entries, e)
		stsd.bytes(raw)
	}
	stsd.end()
	tr.stsd = stsd.buf
	tr.tkhd.matrix = unityMatrix()
	mediaTime := int64(0)
	if t.kind == "vide" {
		tr.timescale = 90000
		tr.hdlr = handlerBox("vide", "VideoHandler")
		tr.mediaHdr = boxOf(func(b *builder) { b.startFull("vmhd", 0, 1); b.zeros(8); b.end() })
		tr.tkhd.width, tr.tkhd.height = t.params.width<<16, t.params.height<<16
		mediaTime = t.minPTS - t.firstDTS
	} else {
		tr.timescale = uint32(t.rate)
		tr.hdlr = handlerBox("soun", "SoundHandler")
		tr.mediaHdr = boxOf(func(b *builder) { b.startFull("smhd", 0, 0); b.zeros(4); b.end() })
		tr.tkhd.volume = 0x0100
		tr.tkhd.altGroup = 1
	}
	var dts, compEnd int64
	for _, s := range t.samples {
		compEnd = max(compEnd, dts+int64(s.cto)+int64(s.dur))
		dts += int64(s.dur)
	}
	if empty := t.presentationStart() - start; empty > 0 {
		tr.edits = append(tr.edits, edit{dur: rescale(uint64(empty), 90000, remuxTimescale), mediaTime: -1, rate: 1 << 16})
	}
	shown := rescale(uint64(max(compEnd-mediaTime, 0)), tr.timescale, remuxTimescale)
	tr.edits = append(tr.edits, edit{dur: shown, mediaTime: mediaTime, rate: 1 << 16})
	var total uint64
	for _, e := range tr.edits {
		total += e.dur
	}
	if len(tr.samples) > math.MaxUint32 {
		return nil, fmt.Errorf("%w: %s: too many samples", ErrUnsupported, t.name)
	}
	return &movie{name: t.name, src: src, size: t.off, timescale: remuxTimescale, duration: total, tracks: []*track{tr}}, nil
}

func handlerBox(kind, name string) []byte {
	return boxOf(func(b *builder) {
		b.startFull("hdlr", 0, 0)
		b.u32(0)
		b.bytes([]byte(kind))
		b.zeros(12)
		b.bytes(append([]byte(name), 0))
		b.end()
	})
}

func unityMatrix() (m [36]byte) {
	for i, v := range []uint32{0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000} {
		putU32(m[i*4:], v)
	}
	return m
}

// visualEntry builds an avc1/hvc1 sample entry around its configuration
// record.
func visualEntry(format string, p videoParams, cfgType string, cfg []byte) []byte {
	return boxOf(func(b *builder) {
		b.start(format)
		b.zeros(6)
		b.u16(1) // data reference index
		b.zeros(16)
		b.u16(uint16(p.width))
		b.u16(uint16(p.height))
		b.u32(0x00480000) // 72 dpi
		b.u32(0x00480000)
		b.u32(0)
		b.u16(1) // frames per sample
		b.zeros(32)
		b.u16(0x18)   // depth
		b.u16(0xffff) // pre_defined -1
		b.start(cfgType)
		b.bytes(cfg)
		b.end()
		b.end()
	})
}
