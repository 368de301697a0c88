package mux

import (
	"bytes"
	"fmt"
	"math"
)

// tsTrack turns one elementary stream's PES packets into MP4 samples:
// timestamps onto one monotonic clock, access units into sample data in
// a temp file, codec configurations into sample entries.
type tsTrack struct {
	kind, codec string     // "vide"/"soun"; "h264", "hevc", "aac"
	name        string     // the first input, for messages
	sink        sampleSink // where the converted sample bytes go
	off         int64      // sample bytes produced so far
	pesBuf      pesBuffer
	pid         uint16 // where the PMT last put the stream
	mapped      bool
	access      func(*pes) error
	jumps       *jumpLog

	clock    timeline
	started  bool
	firstDTS int64 // 90 kHz, stitched
	lastDTS  int64 // video: 90 kHz
	lastDur  int64 // video: 90 kHz
	minPTS   int64 // video: earliest presentation, 90 kHz
	samples  []sample
	entries  [][]byte // sample entry boxes; a sample's sdi indexes them from 1
	dropped  int      // leading access units that could not be decoded
	damaged  int      // PES dropped because packets of them were lost

	// video: the access unit being collected, its buffer when done, and
	// the parameter sets of the current sample entry
	pending       pes
	hasPending    bool
	spare         []byte
	units, keep   [][]byte // scratch of videoAU
	vps, sps, pps [][]byte
	params        videoParams // of the first entry, for tkhd

	// audio
	cfg   adtsConfig
	rate  int64
	next  int64 // media time (samples) where the next frame starts
	carry []byte
}

// maxEntries bounds how often parameter sets may change: each change is
// a sample description, and a stream that changes them every frame is
// broken or hostile.
const maxEntries = 16

func (t *tsTrack) accessUnit(p *pes) error {
	if t.kind == "soun" {
		return t.audioPES(p)
	}
	// An access unit is a PES with a timestamp and the PES packets without
	// one that follow it (muxers that cap PES length split large frames).
	// HLS and v.qq.com streams have one PES per frame.
	if p.pts < 0 && t.hasPending {
		if len(t.pending.data)+len(p.data) > maxPES {
			return fmt.Errorf("%w: %s: a video frame longer than %d MiB", ErrCorrupt, t.name, maxPES>>20)
		}
		t.pending.data = append(t.pending.data, p.data...)
		return nil
	}
	if err := t.flushPending(); err != nil {
		return err
	}
	t.pending, t.hasPending = *p, true
	if p.buf != nil {
		// Keep the PES where it is: its buffer becomes the access unit's,
		// and the spare one collects the next PES (no copy per frame).
		t.pesBuf.give(t.spare)
		t.spare = nil
	} else {
		t.pending.data, t.pending.buf = append(t.spare[:0], p.data...), nil
	}
	return nil
}

// flushPending converts the access unit being collected, if any.
func (t *tsTrack) flushPending() error {
	if !t.hasPending {
		return nil
	}
	t.hasPending = false
	err := t.videoAU(&t.pending)
	t.spare = t.pending.buf // its buffer serves a later access unit
	if t.spare == nil {
		t.spare = t.pending.data
	}
	t.pending = pes{}
	return err
}

// videoAU converts one access unit to a length-prefixed sample. Access unit delimiters are dropped, and so
// are parameter sets, which live in the sample entry: a change of them
// starts a new sample entry.
func (t *tsTrack) videoAU(p *pes) error {
	var vps, sps, pps [][]byte
	keep := t.keep[:0]
	sync, picture := false, false
	t.units = splitAnnexB(t.units[:0], p.data)
	defer func() { t.keep = keep[:0] }() // the units point into p.data: kept only as scratch
	for _, u := range t.units {
		if t.codec == "hevc" {
			if len(u) < 2 {
				continue
			}
			switch typ := hevcType(u); {
			case typ == hevcAUD:
				continue
			case typ == hevcVPS:
				vps = appendSet(vps, u)
				continue
			case typ == hevcSPS:
				sps = appendSet(sps, u)
				continue
			case typ == hevcPPS:
				pps = appendSet(pps, u)
				continue
			case typ < 32:
				picture = true
				sync = sync || hevcIRAP(typ)
			}
		} else {
			switch typ := u[0] & 0x1f; typ {
			case 9: // access unit delimiter
				continue
			case 7:
				sps = appendSet(sps, u)
				continue
			case 8:
				pps = appendSet(pps, u)
				continue
			case 5:
				picture, sync = true, true
			case 1, 2, 3, 4:
				picture = true
			}
		}
		keep = append(keep, u)
	}
	if len(vps)+len(sps)+len(pps) > 0 {
		if err := t.paramSets(vps, sps, pps); err != nil {
			return err
		}
	}
	if !picture {
		return nil // parameter sets or SEI alone: nothing to show
	}
	dts, pts, ok := t.videoTimes(p)
	if len(t.entries) == 0 || !ok || (!t.started && !sync) {
		t.dropped++ // before the first keyframe with its parameter sets: undecodable
		return nil
	}
	off, size := t.off, int64(0)
	for _, u := range keep {
		var n [4]byte
		putU32(n[:], uint32(len(u)))
		if err := t.sink.write(n[:]); err != nil {
			return err
		}
		if err := t.sink.write(u); err != nil {
			return err
		}
		size += 4 + int64(len(u))
	}
	t.off += size
	if err := t.sink.sample(len(t.samples), size); err != nil {
		return err
	}
	if t.started {
		d := max(dts-t.lastDTS, 1)
		t.samples[len(t.samples)-1].dur = uint32(min(d, math.MaxInt32))
		t.lastDur = d
	} else {
		t.started, t.firstDTS, t.minPTS, t.lastDur = true, dts, pts, 3600
	}
	t.minPTS = min(t.minPTS, pts)
	t.lastDTS = dts
	t.samples = append(t.samples, sample{off: off, size: uint32(size), sdi: uint16(len(t.entries)), sync: sync,
		cto: int32(min(pts-dts, math.MaxInt32))})
	return nil
}

// videoTimes maps a PES's DTS and PTS onto the track's clock. A PES
// without timestamps follows the previous one by a frame.
func (t *tsTrack) videoTimes(p *pes) (dts, pts int64, ok bool) {
	if p.dts < 0 {
		if !t.started {
			return 0, 0, false
		}
		return t.lastDTS + t.lastDur, t.lastDTS + t.lastDur, true
	}
	cto := wrap33(p.pts - p.dts)
	if cto < 0 {
		cto = 0 // a PTS before its DTS is broken; show it when decoded
	}
	dts = t.clock.unwrap(p.dts)
	if t.started {
		expected := t.lastDTS + t.lastDur
		if dts <= t.lastDTS || dts > expected+maxGap {
			dts = t.clock.stitch(t, dts, expected, t.lastDTS)
		}
	}
	return dts, dts + cto, true
}

// appendSet adds a parameter set once, as a copy (the PES is not kept).
func appendSet(sets [][]byte, u []byte) [][]byte {
	for _, s := range sets {
		if bytes.Equal(s, u) {
			return sets
		}
	}
	return append(sets, bytes.Clone(u))
}

func sameSets(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// paramSets takes the parameter sets an access unit carries; sets it
// does not repeat stay as they were. New values start a sample entry.
func (t *tsTrack) paramSets(vps, sps, pps [][]byte) error {
	if len(vps) == 0 {
		vps = t.vps
	}
	if len(sps) == 0 {
		sps = t.sps
	}
	if len(pps) == 0 {
		pps = t.pps
	}
	if sameSets(vps, t.vps) && sameSets(sps, t.sps) && sameSets(pps, t.pps) {
		return nil
	}
	t.vps, t.sps, t.pps = vps, sps, pps
	if len(sps) == 0 || len(pps) == 0 || (t.codec == "hevc" && len(vps) == 0) {
		return nil // the rest of the sets comes with a later unit
	}
	if len(t.entries) >= maxEntries {
		return fmt.Errorf("%w: %s: the %s parameter sets change more than %d times", ErrUnsupported, t.name, t.codec, maxEntries)
	}
	var entry []byte
	var params videoParams
	if t.codec == "hevc" {
		info, err := parseHEVCSPS(sps[0])
		if err != nil {
			return fmt.Errorf("%w: %s: unreadable HEVC sequence parameter set: %v", ErrCorrupt, t.name, err)
		}
		params = info.videoParams
		entry = visualEntry("hvc1", params, "hvcC", hvcCRecord(info, vps, sps, pps))
	} else {
		p, err := parseH264SPS(sps[0])
		if err != nil {
			return fmt.Errorf("%w: %s: unreadable H.264 sequence parameter set: %v", ErrCorrupt, t.name, err)
		}
		params = p
		entry = visualEntry("avc1", params, "avcC", avcCRecord(p, sps, pps))
	}
	if len(t.entries) == 0 {
		t.params = params
	}
	t.entries = append(t.entries, entry)
	return nil
}

// audioPES splits a PES into its ADTS frames, one AAC sample each. Times
// come from counting frames; the PES timestamps only place the first
// frame, bridge gaps and stitch discontinuities.
func (t *tsTrack) audioPES(p *pes) error {
	data := p.data
	if len(t.carry) > 0 {
		data = append(t.carry, data...)
		t.carry = nil
	}
	at, timed := int64(0), p.pts >= 0
	if timed {
		at = t.clock.unwrap(p.pts)
		if t.started {
			expected := t.firstDTS + t.next*90000/t.rate
			frame := 1024 * 90000 / t.rate
			if at < expected-frame || at > expected+maxGap {
				at = t.clock.stitch(t, at, expected, expected-frame)
			}
			if pos := (at - t.firstDTS) * t.rate / 90000; pos-t.next > 512 && len(t.samples) > 0 {
				t.samples[len(t.samples)-1].dur += uint32(pos - t.next) // a gap: the frame before lasts until this one
				t.next = pos
			}
		}
	}
	for len(data) > 0 {
		cfg, hl, fl, err := parseADTS(data)
		if err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
		if fl > len(data) {
			t.carry = bytes.Clone(data) // the frame goes on in the next PES
			return nil
		}
		switch {
		case !t.started && !timed:
			data = data[fl:] // a frame before any timestamp cannot be placed
			t.dropped++
			continue
		case !t.started:
			t.started, t.cfg, t.rate, t.firstDTS = true, cfg, int64(cfg.rate()), at
			t.entries = append(t.entries, mp4aEntry(cfg, 0))
		case cfg != t.cfg:
			if int64(cfg.rate()) != t.rate {
				return fmt.Errorf("%w: %s: the AAC sampling rate changes mid-stream (%d Hz, then %d Hz)", ErrUnsupported, t.name, t.rate, cfg.rate())
			}
			if len(t.entries) >= maxEntries {
				return fmt.Errorf("%w: %s: the AAC configuration changes more than %d times", ErrUnsupported, t.name, maxEntries)
			}
			t.cfg = cfg
			t.entries = append(t.entries, mp4aEntry(cfg, 0))
		}
		if err := t.sink.write(data[hl:fl]); err != nil {
			return err
		}
		if err := t.sink.sample(len(t.samples), int64(fl-hl)); err != nil {
			return err
		}
		t.samples = append(t.samples, sample{off: t.off, size: uint32(fl - hl), dur: 1024, sdi: uint16(len(t.entries)), sync: true})
		t.off += int64(fl - hl)
		t.next += 1024
		data = data[fl:]
	}
	return nil
}

// lost is called before the packet at which the stream's continuity
// counter jumped: what the missing packets broke is dropped (the PES being
// collected, an ADTS frame waiting for its tail). The timestamps after the
// jump are then placed as after any discontinuity (videoTimes, audioPES):
// a step forward of less than maxGap is a gap, anything else is stitched.
func (t *tsTrack) lost(start bool) {
	if t.pesBuf.lost(start) {
		t.damaged++
	}
	if len(t.carry) > 0 {
		t.carry = nil
		t.damaged++
	}
}

// finish emits the last PES and completes the sample data.
func (t *tsTrack) finish() error {
	if err := t.pesBuf.finish(t.access); err != nil {
		return err
	}
	if err := t.flushPending(); err != nil {
		return err
	}
	if n := len(t.samples); n > 0 && t.kind == "vide" {
		t.samples[n-1].dur = uint32(t.lastDur) // the last frame lasts as long as the one before
	}
	return t.sink.flush()
}

// presentationStart is when the track's first sample is shown, on the
// shared 90 kHz clock.
func (t *tsTrack) presentationStart() int64 {
	if t.kind == "vide" {
		return t.minPTS
	}
	return t.firstDTS
}
