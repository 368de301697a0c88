package mux

import "math"

var identityMatrix = [36]byte{
	0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0,
}

// buildMoov writes the output moov. base is the file offset of the mdat
// payload; chunk offsets are base + chunk.outOff.
func buildMoov(movieTS uint32, tracks []*outTrack, chunks []chunk, base int64, co64 bool, tags *Tags) []byte {
	var movieDur uint64
	for _, t := range tracks {
		movieDur = max(movieDur, t.duration)
	}
	perTrack := make([][]chunk, len(tracks))
	for _, c := range chunks {
		perTrack[c.track] = append(perTrack[c.track], c)
	}
	b := &builder{}
	b.start("moov")
	writeMvhd(b, movieTS, movieDur, uint32(len(tracks)+1))
	for i, t := range tracks {
		writeTrak(b, uint32(i+1), t, perTrack[i], base, co64)
	}
	writeUdta(b, tags)
	b.end()
	return b.buf
}

func writeMvhd(b *builder, ts uint32, dur uint64, nextID uint32) {
	if dur > math.MaxUint32 {
		b.startFull("mvhd", 1, 0)
		b.u64(0)
		b.u64(0)
		b.u32(ts)
		b.u64(dur)
	} else {
		b.startFull("mvhd", 0, 0)
		b.u32(0)
		b.u32(0)
		b.u32(ts)
		b.u32(uint32(dur))
	}
	b.u32(0x00010000) // rate 1.0
	b.u16(0x0100)     // volume 1.0
	b.zeros(10)
	b.bytes(identityMatrix[:])
	b.zeros(24)
	b.u32(nextID)
	b.end()
}

func writeTrak(b *builder, id uint32, t *outTrack, chunks []chunk, base int64, co64 bool) {
	b.start("trak")
	writeTkhd(b, id, t)
	if len(t.edits) > 0 {
		writeEdts(b, t.edits)
	}
	b.start("mdia")
	var mediaDur uint64
	for _, s := range t.samples {
		mediaDur += uint64(s.dur)
	}
	if mediaDur > math.MaxUint32 {
		b.startFull("mdhd", 1, 0)
		b.u64(0)
		b.u64(0)
		b.u32(t.timescale)
		b.u64(mediaDur)
	} else {
		b.startFull("mdhd", 0, 0)
		b.u32(0)
		b.u32(0)
		b.u32(t.timescale)
		b.u32(uint32(mediaDur))
	}
	b.u16(t.mdhdLang)
	b.u16(0)
	b.end()
	b.bytes(t.hdlr)
	b.start("minf")
	b.bytes(t.mediaHdr)
	if len(t.dinf) > 0 {
		b.bytes(t.dinf)
	} else {
		b.start("dinf")
		b.startFull("dref", 0, 0)
		b.u32(1)
		b.startFull("url ", 0, 1) // self-contained
		b.end()
		b.end()
		b.end()
	}
	writeStbl(b, t, chunks, base, co64)
	b.end() // minf
	b.end() // mdia
	b.end() // trak
}

func writeTkhd(b *builder, id uint32, t *outTrack) {
	flags := t.tkhd.flags | 0x3 // enabled, in movie
	if t.duration > math.MaxUint32 {
		b.startFull("tkhd", 1, flags)
		b.u64(0)
		b.u64(0)
		b.u32(id)
		b.u32(0)
		b.u64(t.duration)
	} else {
		b.startFull("tkhd", 0, flags)
		b.u32(0)
		b.u32(0)
		b.u32(id)
		b.u32(0)
		b.u32(uint32(t.duration))
	}
	b.zeros(8)
	b.u16(t.tkhd.layer)
	b.u16(t.tkhd.altGroup)
	b.u16(t.tkhd.volume)
	b.u16(0)
	b.bytes(t.tkhd.matrix[:])
	b.u32(t.tkhd.width)
	b.u32(t.tkhd.height)
	b.end()
}

func writeEdts(b *builder, edits []edit) {
	v1 := false
	for _, e := range edits {
		v1 = v1 || e.dur > math.MaxUint32 || e.mediaTime > math.MaxInt32
	}
	b.start("edts")
	if v1 {
		b.startFull("elst", 1, 0)
	} else {
		b.startFull("elst", 0, 0)
	}
	b.u32(uint32(len(edits)))
	for _, e := range edits {
		if v1 {
			b.u64(e.dur)
			b.u64(uint64(e.mediaTime))
		} else {
			b.u32(uint32(e.dur))
			b.u32(uint32(int32(e.mediaTime)))
		}
		b.u32(e.rate)
	}
	b.end()
	b.end()
}

func writeStbl(b *builder, t *outTrack, chunks []chunk, base int64, co64 bool) {
	s := t.samples
	b.start("stbl")
	b.bytes(t.stsd)

	// stts: (count, delta) runs.
	b.startFull("stts", 0, 0)
	writeRuns(b, len(s), func(i int) uint32 { return s[i].dur })
	b.end()

	// ctts only when some offset is non-zero; version 1 when one is negative.
	anyCTO, negative := false, false
	for _, x := range s {
		anyCTO = anyCTO || x.cto != 0
		negative = negative || x.cto < 0
	}
	if anyCTO {
		v := uint8(0)
		if negative {
			v = 1
		}
		b.startFull("ctts", v, 0)
		writeRuns(b, len(s), func(i int) uint32 { return uint32(s[i].cto) })
		b.end()
	}

	// stss unless every sample is a sync sample.
	var syncs []uint32
	for i, x := range s {
		if x.sync {
			syncs = append(syncs, uint32(i+1))
		}
	}
	if len(syncs) != len(s) {
		b.startFull("stss", 0, 0)
		b.u32(uint32(len(syncs)))
		for _, n := range syncs {
			b.u32(n)
		}
		b.end()
	}

	if t.hasSdtp {
		b.startFull("sdtp", 0, 0)
		for _, x := range s {
			b.u8(x.dep)
		}
		b.end()
	}

	// stsc: a run starts where samples-per-chunk or the description changes.
	b.startFull("stsc", 0, 0)
	at := len(b.buf)
	b.u32(0)
	var runs uint32
	for i, c := range chunks {
		if i > 0 && chunks[i-1].count == c.count && chunks[i-1].sdi == c.sdi {
			continue
		}
		b.u32(uint32(i + 1))
		b.u32(uint32(c.count))
		b.u32(uint32(c.sdi))
		runs++
	}
	putU32(b.buf[at:], runs)
	b.end()

	// stsz: a constant size if every sample has it.
	b.startFull("stsz", 0, 0)
	constant := len(s) > 0
	for _, x := range s {
		constant = constant && x.size == s[0].size
	}
	if constant {
		b.u32(s[0].size)
		b.u32(uint32(len(s)))
	} else {
		b.u32(0)
		b.u32(uint32(len(s)))
		for _, x := range s {
			b.u32(x.size)
		}
	}
	b.end()

	if co64 {
		b.startFull("co64", 0, 0)
		b.u32(uint32(len(chunks)))
		for _, c := range chunks {
			b.u64(uint64(base + c.outOff))
		}
	} else {
		b.startFull("stco", 0, 0)
		b.u32(uint32(len(chunks)))
		for _, c := range chunks {
			b.u32(uint32(base + c.outOff))
		}
	}
	b.end()

	if t.keepGrp {
		b.bytes(t.sgpd)
		b.startFull("sbgp", 0, 0)
		b.bytes([]byte(t.groupType))
		writeRuns(b, len(s), func(i int) uint32 { return s[i].group })
		b.end()
	}
	b.end()
}

// writeRuns writes an entry count and (count, value) run-length pairs.
func writeRuns(b *builder, n int, value func(int) uint32) {
	at := len(b.buf)
	b.u32(0)
	var runs uint32
	for i := 0; i < n; {
		v := value(i)
		j := i + 1
		for j < n && value(j) == v {
			j++
		}
		b.u32(uint32(j - i))
		b.u32(v)
		runs++
		i = j
	}
	putU32(b.buf[at:], runs)
}

func putU32(p []byte, v uint32) {
	p[0], p[1], p[2], p[3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
}
