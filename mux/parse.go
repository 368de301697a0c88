package mux

import (
	"fmt"
	"io"
	"os"
)

// openMovie opens and parses path. The caller closes the returned file.
func openMovie(path string) (*movie, *os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	m, err := parseMovie(f, st.Size(), path)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, f, nil
}

// parseMovie reads the box structure of an MP4 (moov anywhere; progressive
// or fragmented) and expands every track's samples.
func parseMovie(r io.ReaderAt, size int64, name string) (*movie, error) {
	if size == 0 {
		return nil, corrupt("empty file")
	}
	top, err := children(r, 0, size)
	if err != nil {
		return nil, err
	}
	if len(top) == 0 {
		return nil, corrupt("not an MP4 file")
	}
	m := &movie{name: name, src: r, size: size}
	if b, ok := find(top, "ftyp"); ok {
		if m.ftyp, err = readBox(r, b); err != nil {
			return nil, err
		}
	}
	moovBox, ok := find(top, "moov")
	if !ok {
		if _, hasMdat := find(top, "mdat"); hasMdat || len(m.ftyp) > 0 {
			return nil, corrupt("no moov box (an incomplete download?)")
		}
		return nil, corrupt("not an MP4 file (first box %q)", top[0].typ)
	}
	moov, err := children(r, moovBox.payloadOff, moovBox.end())
	if err != nil {
		return nil, err
	}
	if err := m.parseMvhd(r, moov); err != nil {
		return nil, err
	}
	var trex map[uint32]trexDefaults
	if mvex, ok := find(moov, "mvex"); ok {
		m.fragmented = true
		if trex, err = parseMvex(r, mvex); err != nil {
			return nil, err
		}
	}
	for _, b := range moov {
		if b.typ != "trak" {
			continue
		}
		t, err := parseTrak(r, b, m.fragmented, size)
		if err != nil {
			return nil, err
		}
		if t.other {
			m.skipped = append(m.skipped, t.handler)
			continue
		}
		for _, o := range m.tracks {
			if o.id == t.id {
				return nil, corrupt("two tracks with ID %d", t.id)
			}
		}
		t.trex = trex[t.id]
		m.tracks = append(m.tracks, t)
	}
	if len(m.tracks) == 0 && len(m.skipped) == 0 {
		return nil, corrupt("moov has no tracks")
	}
	if m.fragmented {
		if err := m.readFragments(r, top); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *movie) parseMvhd(r io.ReaderAt, moov []boxHeader) error {
	b, ok := find(moov, "mvhd")
	if !ok {
		return corrupt("moov has no mvhd")
	}
	p, err := readPayload(r, b)
	if err != nil {
		return err
	}
	c := newCursor("mvhd", p)
	if v, _ := c.fullBox(); v == 1 {
		c.take(16)
		m.timescale = c.u32()
		m.duration = c.u64()
	} else {
		c.take(8)
		m.timescale = c.u32()
		m.duration = uint64(c.u32())
	}
	if c.err == nil && m.timescale == 0 {
		return corrupt("mvhd timescale is 0")
	}
	return c.err
}

func parseTrak(r io.ReaderAt, trak boxHeader, fragmented bool, fileSize int64) (*track, error) {
	kids, err := children(r, trak.payloadOff, trak.end())
	if err != nil {
		return nil, err
	}
	t := &track{}
	tkhd, ok := find(kids, "tkhd")
	if !ok {
		return nil, corrupt("trak without tkhd")
	}
	if err := t.parseTkhd(r, tkhd); err != nil {
		return nil, err
	}
	if edts, ok := find(kids, "edts"); ok {
		if err := t.parseEdts(r, edts); err != nil {
			return nil, err
		}
	}
	mdia, ok := find(kids, "mdia")
	if !ok {
		return nil, corrupt("track %d has no mdia", t.id)
	}
	mk, err := children(r, mdia.payloadOff, mdia.end())
	if err != nil {
		return nil, err
	}
	if err := t.parseMdhd(r, mk); err != nil {
		return nil, err
	}
	hdlr, ok := find(mk, "hdlr")
	if !ok {
		return nil, corrupt("track %d has no hdlr", t.id)
	}
	if t.hdlr, err = readBox(r, hdlr); err != nil {
		return nil, err
	}
	if len(t.hdlr) < 20 {
		return nil, corrupt("track %d: hdlr truncated", t.id)
	}
	t.handler = string(t.hdlr[16:20])
	if t.handler != "vide" && t.handler != "soun" && !fragmented {
		// Neither audio nor video (subtitles, timecode, hints): no output
		// carries it, so its codec and tables are not read at all.
		t.other = true
		return t, nil
	}
	minf, ok := find(mk, "minf")
	if !ok {
		return nil, corrupt("track %d has no minf", t.id)
	}
	nk, err := children(r, minf.payloadOff, minf.end())
	if err != nil {
		return nil, err
	}
	for _, b := range nk {
		switch b.typ {
		case "vmhd", "smhd", "nmhd", "sthd", "hmhd":
			if t.mediaHdr, err = readBox(r, b); err != nil {
				return nil, err
			}
		case "dinf":
			if t.dinf, err = readBox(r, b); err != nil {
				return nil, err
			}
			if err := checkSelfContained(r, b); err != nil {
				return nil, fmt.Errorf("track %d: %w", t.id, err)
			}
		}
	}
	stbl, ok := find(nk, "stbl")
	if !ok {
		return nil, corrupt("track %d has no stbl", t.id)
	}
	if err := t.parseStbl(r, stbl, fragmented, fileSize); err != nil {
		return nil, fmt.Errorf("track %d: %w", t.id, err)
	}
	return t, nil
}

func (t *track) parseTkhd(r io.ReaderAt, b boxHeader) error {
	p, err := readPayload(r, b)
	if err != nil {
		return err
	}
	c := newCursor("tkhd", p)
	v, flags := c.fullBox()
	t.tkhd.flags = flags
	if v == 1 {
		c.take(16)
		t.id = c.u32()
		c.take(4 + 8)
	} else {
		c.take(8)
		t.id = c.u32()
		c.take(4 + 4)
	}
	c.take(8)
	t.tkhd.layer, t.tkhd.altGroup, t.tkhd.volume = c.u16(), c.u16(), c.u16()
	c.take(2)
	copy(t.tkhd.matrix[:], c.take(36))
	t.tkhd.width, t.tkhd.height = c.u32(), c.u32()
	if c.err == nil && t.id == 0 {
		return corrupt("tkhd has track ID 0")
	}
	return c.err
}

func (t *track) parseEdts(r io.ReaderAt, edts boxHeader) error {
	kids, err := children(r, edts.payloadOff, edts.end())
	if err != nil {
		return err
	}
	elst, ok := find(kids, "elst")
	if !ok {
		return nil
	}
	p, err := readPayload(r, elst)
	if err != nil {
		return err
	}
	c := newCursor("elst", p)
	v, _ := c.fullBox()
	entry := 12
	if v == 1 {
		entry = 20
	}
	n := c.count(entry)
	for range n {
		var e edit
		if v == 1 {
			e.dur, e.mediaTime = c.u64(), int64(c.u64())
		} else {
			e.dur, e.mediaTime = uint64(c.u32()), int64(int32(c.u32()))
		}
		e.rate = c.u32()
		t.edits = append(t.edits, e)
	}
	return c.err
}

func (t *track) parseMdhd(r io.ReaderAt, mdia []boxHeader) error {
	b, ok := find(mdia, "mdhd")
	if !ok {
		return corrupt("track %d has no mdhd", t.id)
	}
	p, err := readPayload(r, b)
	if err != nil {
		return err
	}
	c := newCursor("mdhd", p)
	if v, _ := c.fullBox(); v == 1 {
		c.take(16)
		t.timescale = c.u32()
		c.u64()
	} else {
		c.take(8)
		t.timescale = c.u32()
		c.u32()
	}
	t.mdhdLang = c.u16()
	if c.err == nil && t.timescale == 0 {
		return corrupt("track %d: mdhd timescale is 0", t.id)
	}
	return c.err
}

// checkSelfContained rejects data references to other files: the sample
// bytes must be in this file.
func checkSelfContained(r io.ReaderAt, dinf boxHeader) error {
	kids, err := children(r, dinf.payloadOff, dinf.end())
	if err != nil {
		return err
	}
	dref, ok := find(kids, "dref")
	if !ok {
		return nil
	}
	entries, err := children(r, dref.payloadOff+8, dref.end())
	if err != nil {
		return err
	}
	for _, e := range entries {
		p, err := readPayload(r, e)
		if err != nil {
			return err
		}
		c := newCursor("dref entry", p)
		if _, flags := c.fullBox(); c.err != nil || flags&1 == 0 {
			return fmt.Errorf("%w: samples stored in another file (dref %q)", ErrUnsupported, e.typ)
		}
	}
	return nil
}
