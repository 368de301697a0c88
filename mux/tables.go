package mux

import (
	"io"
)

// maxSamples bounds a track's sample count (24 h at 120 fps is 10M).
const maxSamples = 50_000_000

// parseStbl expands the sample tables of a progressive track into
// per-sample records. A fragmented track has empty tables here; its
// samples come from the fragments.
func (t *track) parseStbl(r io.ReaderAt, stbl boxHeader, fragmented bool, fileSize int64) error {
	kids, err := children(r, stbl.payloadOff, stbl.end())
	if err != nil {
		return err
	}
	payload := func(typ string) ([]byte, bool, error) {
		b, ok := find(kids, typ)
		if !ok {
			return nil, false, nil
		}
		p, err := readPayload(r, b)
		return p, true, err
	}
	stsd, ok := find(kids, "stsd")
	if !ok {
		return corrupt("stbl has no stsd")
	}
	if t.stsd, err = readBox(r, stsd); err != nil {
		return err
	}
	if t.entries, err = parseStsd(t.stsd); err != nil {
		return err
	}

	stsz, hasStsz, err := payload("stsz")
	if err != nil {
		return err
	}
	var sizes []uint32
	switch {
	case hasStsz:
		sizes, err = expandStsz(stsz, sampleBudget(fileSize))
	default:
		stz2, has, err2 := payload("stz2")
		if err2 != nil {
			return err2
		}
		if !has {
			if fragmented {
				return nil
			}
			return corrupt("stbl has neither stsz nor stz2")
		}
		sizes, err = expandStz2(stz2, sampleBudget(fileSize))
	}
	if err != nil {
		return err
	}
	n := len(sizes)
	if n == 0 {
		return nil
	}
	t.samples = make([]sample, n)
	for i, s := range sizes {
		t.samples[i].size = s
		t.samples[i].sync = true
		t.samples[i].sdi = 1
	}

	stts, has, err := payload("stts")
	if err != nil || !has {
		return firstErr(err, corrupt("stbl has no stts"))
	}
	if err := t.applyStts(stts); err != nil {
		return err
	}
	if ctts, has, err := payload("ctts"); err != nil {
		return err
	} else if has {
		if err := t.applyCtts(ctts); err != nil {
			return err
		}
	}
	if stss, has, err := payload("stss"); err != nil {
		return err
	} else if has {
		if err := t.applyStss(stss); err != nil {
			return err
		}
	}
	if sdtp, has, err := payload("sdtp"); err != nil {
		return err
	} else if has && len(sdtp) >= 4+n {
		t.hasSdtp = true
		for i := range t.samples {
			t.samples[i].dep = sdtp[4+i]
		}
	}
	if err := t.applyChunks(kids, r); err != nil {
		return err
	}
	for i, s := range t.samples {
		if s.off < 0 || s.off+int64(s.size) > fileSize {
			return corrupt("sample %d lies outside the file (offset %d, size %d)", i+1, s.off, s.size)
		}
	}
	return t.applyGroups(kids, r)
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func expandStsz(p []byte, budget int) ([]uint32, error) {
	c := newCursor("stsz", p)
	c.fullBox()
	constant := c.u32()
	n := c.u32()
	if c.err != nil {
		return nil, c.err
	}
	if uint64(n) > uint64(budget) {
		return nil, corrupt("stsz: %d samples is implausible for the file", n)
	}
	if constant == 0 && uint64(n)*4 > uint64(len(p)-12) {
		return nil, corrupt("stsz: %d sizes exceed the box", n)
	}
	sizes := make([]uint32, n)
	for i := range sizes {
		if constant != 0 {
			sizes[i] = constant
		} else {
			sizes[i] = c.u32()
		}
	}
	return sizes, c.err
}

func expandStz2(p []byte, budget int) ([]uint32, error) {
	c := newCursor("stz2", p)
	c.fullBox()
	c.take(3)
	field := c.u8()
	n := c.u32()
	if c.err != nil {
		return nil, c.err
	}
	if field != 4 && field != 8 && field != 16 {
		return nil, corrupt("stz2: field size %d", field)
	}
	if uint64(n) > uint64(budget) || uint64(n)*uint64(field) > uint64(len(p)-12)*8 {
		return nil, corrupt("stz2: %d sizes exceed the box", n)
	}
	sizes := make([]uint32, n)
	for i := range sizes {
		switch field {
		case 16:
			sizes[i] = uint32(c.u16())
		case 8:
			sizes[i] = uint32(c.u8())
		case 4:
			b := p[12+i/2]
			if i%2 == 0 {
				sizes[i] = uint32(b >> 4)
			} else {
				sizes[i] = uint32(b & 0xf)
			}
		}
	}
	return sizes, c.err
}

// applyStts sets each sample's decode duration from (count, delta) runs.
func (t *track) applyStts(p []byte) error {
	return t.applyRuns("stts", p, func(s *sample, v uint32) { s.dur = v })
}

// applyCtts sets composition offsets. The field is read as signed in both
// versions: some muxers write negative offsets in version 0.
func (t *track) applyCtts(p []byte) error {
	return t.applyRuns("ctts", p, func(s *sample, v uint32) { s.cto = int32(v) })
}

// applyRuns expands a table of (count, value) runs that must cover every
// sample exactly once.
func (t *track) applyRuns(box string, p []byte, set func(*sample, uint32)) error {
	c := newCursor(box, p)
	c.fullBox()
	runs := c.count(8)
	i := 0
	for range runs {
		count, v := int(c.u32()), c.u32()
		if count > len(t.samples)-i {
			return corrupt("%s covers more than %d samples", box, len(t.samples))
		}
		for k := 0; k < count; k++ {
			set(&t.samples[i], v)
			i++
		}
	}
	if c.err == nil && i != len(t.samples) {
		return corrupt("%s covers %d of %d samples", box, i, len(t.samples))
	}
	return c.err
}

// applyStss marks sync samples; without stss every sample is sync.
func (t *track) applyStss(p []byte) error {
	c := newCursor("stss", p)
	c.fullBox()
	n := c.count(4)
	for i := range t.samples {
		t.samples[i].sync = false
	}
	for range n {
		k := c.u32()
		if c.err == nil && (k == 0 || int(k) > len(t.samples)) {
			return corrupt("stss names sample %d of %d", k, len(t.samples))
		}
		if c.err == nil {
			t.samples[k-1].sync = true
		}
	}
	return c.err
}

// applyChunks places every sample in its file from stsc + stco/co64.
func (t *track) applyChunks(kids []boxHeader, r io.ReaderAt) error {
	offsets, err := chunkOffsets(kids, r)
	if err != nil {
		return err
	}
	b, ok := find(kids, "stsc")
	if !ok {
		return corrupt("stbl has no stsc")
	}
	p, err := readPayload(r, b)
	if err != nil {
		return err
	}
	c := newCursor("stsc", p)
	c.fullBox()
	n := c.count(12)
	type run struct{ first, per, sdi uint32 }
	runs := make([]run, n)
	for i := range runs {
		runs[i] = run{c.u32(), c.u32(), c.u32()}
	}
	if c.err != nil {
		return c.err
	}
	s := 0
	for ri, rn := range runs {
		last := uint32(len(offsets)) // chunks of this run: [first, nextFirst)
		if ri+1 < len(runs) {
			last = runs[ri+1].first - 1
		}
		if rn.first == 0 || rn.first-1 > last || rn.sdi == 0 || rn.sdi > uint32(len(t.entries)) {
			return corrupt("stsc run %d is invalid", ri)
		}
		for ch := rn.first; ch <= last; ch++ {
			if int(ch) > len(offsets) {
				return corrupt("stsc names chunk %d of %d", ch, len(offsets))
			}
			off := int64(offsets[ch-1])
			for k := uint32(0); k < rn.per; k++ {
				if s >= len(t.samples) {
					return corrupt("stsc places more than %d samples", len(t.samples))
				}
				t.samples[s].off = off
				t.samples[s].sdi = uint16(rn.sdi)
				off += int64(t.samples[s].size)
				s++
			}
		}
	}
	if s != len(t.samples) {
		return corrupt("stsc places %d of %d samples", s, len(t.samples))
	}
	return nil
}

// applyGroups keeps the first sample grouping that has both an sgpd and an
// sbgp (AAC "roll", H.264 "rap "/"sync"); others are dropped.
func (t *track) applyGroups(kids []boxHeader, r io.ReaderAt) error {
	for _, b := range kids {
		if b.typ != "sbgp" {
			continue
		}
		p, err := readPayload(r, b)
		if err != nil {
			return err
		}
		c := newCursor("sbgp", p)
		v, _ := c.fullBox()
		gtype := string(c.take(4))
		if v == 1 {
			c.u32() // grouping_type_parameter
		}
		n := c.count(8)
		if c.err != nil {
			return c.err
		}
		var sgpd []byte
		for _, g := range kids {
			if g.typ == "sgpd" && g.payloadLen() >= 8 {
				raw, err := readBox(r, g)
				if err != nil {
					return err
				}
				if string(raw[12:16]) == gtype {
					sgpd = raw
					break
				}
			}
		}
		if sgpd == nil {
			continue
		}
		i := 0
		for range n {
			count, idx := int(c.u32()), c.u32()
			if count > len(t.samples)-i {
				return corrupt("sbgp covers more than %d samples", len(t.samples))
			}
			for k := 0; k < count; k++ {
				t.samples[i].group = idx
				i++
			}
		}
		t.groupType, t.sgpd = gtype, sgpd
		return c.err
	}
	return nil
}

// chunkOffsets reads stco (32-bit) or co64 (64-bit) chunk offsets.
func chunkOffsets(kids []boxHeader, r io.ReaderAt) ([]uint64, error) {
	for _, box := range []struct {
		typ   string
		width int
	}{{"stco", 4}, {"co64", 8}} {
		b, ok := find(kids, box.typ)
		if !ok {
			continue
		}
		p, err := readPayload(r, b)
		if err != nil {
			return nil, err
		}
		c := newCursor(box.typ, p)
		c.fullBox()
		offsets := make([]uint64, c.count(box.width))
		for i := range offsets {
			if box.width == 4 {
				offsets[i] = uint64(c.u32())
			} else {
				offsets[i] = c.u64()
			}
		}
		return offsets, c.err
	}
	return nil, corrupt("stbl has no stco or co64")
}
