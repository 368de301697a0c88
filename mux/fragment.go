package mux

import "io"

// parseMvex reads the per-track sample defaults of a fragmented movie.
func parseMvex(r io.ReaderAt, mvex boxHeader) (map[uint32]trexDefaults, error) {
	kids, err := children(r, mvex.payloadOff, mvex.end())
	if err != nil {
		return nil, err
	}
	out := map[uint32]trexDefaults{}
	for _, b := range kids {
		if b.typ != "trex" {
			continue
		}
		p, err := readPayload(r, b)
		if err != nil {
			return nil, err
		}
		c := newCursor("trex", p)
		c.fullBox()
		id := c.u32()
		d := trexDefaults{sdi: c.u32(), dur: c.u32(), size: c.u32(), flags: c.u32()}
		if c.err != nil {
			return nil, c.err
		}
		out[id] = d
	}
	return out, nil
}

// tfhd flags and trun flags (ISO/IEC 14496-12 §8.8.7, §8.8.8).
const (
	tfhdBaseOffset      = 0x000001
	tfhdSDI             = 0x000002
	tfhdDefaultDur      = 0x000008
	tfhdDefaultSize     = 0x000010
	tfhdDefaultFlags    = 0x000020
	tfhdDefaultBaseMoof = 0x020000

	trunDataOffset = 0x000001
	trunFirstFlags = 0x000004
	trunDuration   = 0x000100
	trunSize       = 0x000200
	trunFlags      = 0x000400
	trunCTO        = 0x000800
	sampleNonSync  = 0x00010000
)

// readFragments appends the samples of every moof to the tracks. A tfdt
// ahead of the running decode time becomes a longer previous sample (a
// gap); the timeline is otherwise the concatenation of the fragments.
func (m *movie) readFragments(r io.ReaderAt, top []boxHeader) error {
	byID := map[uint32]*track{}
	for _, t := range m.tracks {
		byID[t.id] = t
	}
	next := map[uint32]uint64{} // running decode time per track
	for _, moof := range top {
		if moof.typ != "moof" {
			continue
		}
		kids, err := children(r, moof.payloadOff, moof.end())
		if err != nil {
			return err
		}
		prevEnd := moof.start // data of a traf without an explicit base follows the previous one
		before := m.sampleCount()
		for _, traf := range kids {
			if traf.typ != "traf" {
				continue
			}
			end, err := m.readTraf(r, traf, moof.start, prevEnd, byID, next)
			if err != nil {
				return err
			}
			prevEnd = end
		}
		if m.sampleCount() == before {
			// Real fragments carry samples; an empty or junk moof is not media.
			return corrupt("the fragment at byte %d holds no samples", moof.start)
		}
	}
	return nil
}

func (m *movie) sampleCount() int {
	n := 0
	for _, t := range m.tracks {
		n += len(t.samples)
	}
	return n
}

func (m *movie) readTraf(r io.ReaderAt, traf boxHeader, moofStart, prevEnd int64, byID map[uint32]*track, next map[uint32]uint64) (int64, error) {
	kids, err := children(r, traf.payloadOff, traf.end())
	if err != nil {
		return 0, err
	}
	hb, ok := find(kids, "tfhd")
	if !ok {
		return 0, corrupt("traf without tfhd")
	}
	p, err := readPayload(r, hb)
	if err != nil {
		return 0, err
	}
	c := newCursor("tfhd", p)
	_, flags := c.fullBox()
	t, ok := byID[c.u32()]
	if c.err != nil {
		return 0, c.err
	}
	if !ok {
		return 0, corrupt("traf names an unknown track")
	}
	d := t.trex
	base := prevEnd
	if flags&tfhdDefaultBaseMoof != 0 {
		base = moofStart
	}
	if flags&tfhdBaseOffset != 0 {
		base = int64(c.u64())
	}
	if flags&tfhdSDI != 0 {
		d.sdi = c.u32()
	}
	if flags&tfhdDefaultDur != 0 {
		d.dur = c.u32()
	}
	if flags&tfhdDefaultSize != 0 {
		d.size = c.u32()
	}
	if flags&tfhdDefaultFlags != 0 {
		d.flags = c.u32()
	}
	if c.err != nil {
		return 0, c.err
	}
	if d.sdi == 0 || d.sdi > uint32(len(t.entries)) {
		d.sdi = 1
	}

	if b, ok := find(kids, "tfdt"); ok {
		p, err := readPayload(r, b)
		if err != nil {
			return 0, err
		}
		c := newCursor("tfdt", p)
		var bmdt uint64
		if v, _ := c.fullBox(); v == 1 {
			bmdt = c.u64()
		} else {
			bmdt = uint64(c.u32())
		}
		if c.err != nil {
			return 0, c.err
		}
		if cur := next[t.id]; bmdt > cur && len(t.samples) > 0 && bmdt-cur < 1<<31 {
			t.samples[len(t.samples)-1].dur += uint32(bmdt - cur)
			next[t.id] = bmdt
		}
	}

	pos := base
	for _, b := range kids {
		if b.typ != "trun" {
			continue
		}
		if pos, err = m.readTrun(r, b, t, d, base, pos, next); err != nil {
			return 0, err
		}
	}
	return pos, nil
}

func (m *movie) readTrun(r io.ReaderAt, b boxHeader, t *track, d trexDefaults, base, pos int64, next map[uint32]uint64) (int64, error) {
	p, err := readPayload(r, b)
	if err != nil {
		return 0, err
	}
	c := newCursor("trun", p)
	_, flags := c.fullBox()
	per := 0
	for _, f := range []uint32{trunDuration, trunSize, trunFlags, trunCTO} {
		if flags&f != 0 {
			per += 4
		}
	}
	n := c.count(max(per, 0))
	if flags&trunDataOffset != 0 {
		pos = base + int64(int32(c.u32()))
	}
	firstFlags, hasFirst := uint32(0), flags&trunFirstFlags != 0
	if hasFirst {
		firstFlags = c.u32()
	}
	if c.err != nil {
		return 0, c.err
	}
	if len(t.samples)+n > sampleBudget(m.size) {
		return 0, corrupt("track %d: %d samples is implausible for the file", t.id, len(t.samples)+n)
	}
	for i := range n {
		s := sample{dur: d.dur, size: d.size, sdi: uint16(d.sdi)}
		sflags := d.flags
		if i == 0 && hasFirst {
			sflags = firstFlags
		}
		if flags&trunDuration != 0 {
			s.dur = c.u32()
		}
		if flags&trunSize != 0 {
			s.size = c.u32()
		}
		if flags&trunFlags != 0 {
			sflags = c.u32()
		}
		if flags&trunCTO != 0 {
			s.cto = int32(c.u32())
		}
		s.sync = sflags&sampleNonSync == 0
		if pos < 0 || pos+int64(s.size) > m.size {
			return 0, corrupt("track %d: fragment sample outside the file", t.id)
		}
		s.off = pos
		pos += int64(s.size)
		t.samples = append(t.samples, s)
		next[t.id] += uint64(s.dur)
	}
	return pos, c.err
}
