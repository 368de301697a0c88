package mux

import (
	"math"
	"sort"
)

// layout is a fully planned output: header boxes and the copy plan. It is
// computed without touching media bytes, so its correctness past 4 GiB
// can be tested without writing 4 GiB.
type layout struct {
	ftyp       []byte
	moov       []byte
	mdatHeader []byte
	ranges     []copyRange // media bytes in output order
	mediaBytes int64
	co64       bool
}

// copyRange is a run of bytes copied from one source file.
type copyRange struct {
	src int
	off int64
	n   int64
}

// chunk is a run of consecutive samples of one track, adjacent in their
// source and sharing a sample description.
type chunk struct {
	track, first, count int
	sdi                 uint16
	outOff              int64 // relative to the start of the mdat payload
}

// planLayout orders the media (interleaved by decode time across tracks
// in slots of interleaveSeconds, each source in order within a slot),
// forms chunks, and builds moov until its size is stable:
// chunk offsets depend on moov's size, and switching to co64 grows it.
func planLayout(ftyp []byte, movieTS uint32, tracks []*outTrack, forceCo64 bool, tags *Tags) (*layout, error) {
	if len(ftyp) == 0 {
		ftyp = defaultFtyp()
	}
	chunks, ranges, total := planChunks(tracks)
	lay := &layout{ftyp: ftyp, ranges: ranges, mediaBytes: total, co64: forceCo64}
	lay.mdatHeader = mdatHeader(total)
	for pass := 0; pass < 4; pass++ {
		base := int64(len(ftyp)) + int64(len(lay.moov)) + int64(len(lay.mdatHeader))
		if !lay.co64 && len(chunks) > 0 {
			last := chunks[len(chunks)-1].outOff
			for _, c := range chunks {
				last = max(last, c.outOff)
			}
			lay.co64 = base+last > math.MaxUint32
		}
		moov := buildMoov(movieTS, tracks, chunks, base, lay.co64, tags)
		if len(moov) == len(lay.moov) {
			lay.moov = moov
			return lay, nil
		}
		lay.moov = moov
	}
	return nil, corrupt("moov size did not settle")
}

type sampleRef struct {
	track, idx int
	src        uint16
	off        int64
}

// interleaveSeconds is the span of one interleave slot: the tracks'
// samples of each half second are laid out together, so that a player
// reading the file in order (streaming it over HTTP) finds audio and
// video of the same moment close together, and decode time never goes
// back by more than a slot.
const interleaveSeconds = 0.5

func planChunks(tracks []*outTrack) ([]chunk, []copyRange, int64) {
	var refs []sampleRef
	var slots []int // per ref: its interleave slot
	for ti, t := range tracks {
		var dts uint64
		for i, s := range t.samples {
			refs = append(refs, sampleRef{ti, i, s.src, s.off})
			slot := 0
			if len(tracks) > 1 && t.timescale > 0 {
				slot = int(float64(dts) / float64(t.timescale) / interleaveSeconds)
			}
			slots = append(slots, slot)
			dts += uint64(s.dur)
		}
	}
	order := make([]int, len(refs))
	for i := range order {
		order[i] = i
	}
	// By slot, then by source file and offset: within a slot each source
	// is read in order, and a single interleaved source keeps its layout.
	sort.SliceStable(order, func(a, b int) bool {
		ra, rb := refs[order[a]], refs[order[b]]
		if sa, sb := slots[order[a]], slots[order[b]]; sa != sb {
			return sa < sb
		}
		if ra.src != rb.src {
			return ra.src < rb.src
		}
		return ra.off < rb.off
	})
	sorted := make([]sampleRef, len(refs))
	for i, k := range order {
		sorted[i] = refs[k]
	}
	refs = sorted
	var chunks []chunk
	var ranges []copyRange
	var pos int64
	for _, r := range refs {
		s := tracks[r.track].samples[r.idx]
		if n := len(chunks); n > 0 {
			c := &chunks[n-1]
			prev := tracks[c.track].samples[c.first+c.count-1]
			if c.track == r.track && c.first+c.count == r.idx && c.sdi == s.sdi &&
				prev.src == s.src && prev.off+int64(prev.size) == s.off {
				c.count++
				goto placed
			}
		}
		chunks = append(chunks, chunk{track: r.track, first: r.idx, count: 1, sdi: s.sdi, outOff: pos})
	placed:
		if n := len(ranges); n > 0 && ranges[n-1].src == int(s.src) && ranges[n-1].off+ranges[n-1].n == s.off {
			ranges[n-1].n += int64(s.size)
		} else if s.size > 0 {
			ranges = append(ranges, copyRange{src: int(s.src), off: s.off, n: int64(s.size)})
		}
		pos += int64(s.size)
	}
	return chunks, ranges, pos
}

// mdatHeader uses the 64-bit form when the box would not fit 32 bits.
func mdatHeader(payload int64) []byte {
	b := &builder{}
	if payload+8 > math.MaxUint32 {
		b.u32(1)
		b.bytes([]byte("mdat"))
		b.u64(uint64(payload + 16))
	} else {
		b.u32(uint32(payload + 8))
		b.bytes([]byte("mdat"))
	}
	return b.buf
}

func defaultFtyp() []byte {
	b := &builder{}
	b.start("ftyp")
	b.bytes([]byte("isom"))
	b.u32(0x200)
	b.bytes([]byte("isomiso2avc1mp41"))
	b.end()
	return b.buf
}
