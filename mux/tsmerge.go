package mux

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
)

// MergeTS muxes two MPEG-TS streams into one: a video stream (segments in
// order) and an audio stream (an HLS audio rendition with its own
// playlist). The output has one program listing the streams of both; the
// audio's PIDs are renumbered where they collide with the video's (ffmpeg
// gives both PID 0x100). Packets are interleaved by the timestamp of the
// PES they belong to, so a player finds audio and video of the same
// moment close together. Memory is a packet per input.
func MergeTS(ctx context.Context, out string, video, audio []Segment) error {
	if len(video) == 0 || len(audio) == 0 {
		return fmt.Errorf("mux: merging TS needs video and audio segments")
	}
	v := &tsReader{segs: newSegmentQueue(ctx, video), check: newTSCheck()}
	a := &tsReader{segs: newSegmentQueue(ctx, audio), check: newTSCheck()}
	defer v.close()
	defer a.close()
	plan, err := planTSMerge(v, a)
	if err != nil {
		return err
	}
	return writeAtomic(ctx, out, func(w *bufio.Writer) error {
		if err := plan.writeTables(w); err != nil {
			return err
		}
		for n := 0; ; n++ {
			if n%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			vt, vok, err := v.peekTS()
			if err != nil {
				return err
			}
			at, aok, err := a.peekTS()
			if err != nil {
				return err
			}
			if !vok && !aok {
				return firstErr(v.check.finish(), a.check.finish())
			}
			if vok && (!aok || vt <= at) {
				if err := plan.writeVideo(w, v.take()); err != nil {
					return err
				}
			} else if err := plan.writeAudio(w, a.take()); err != nil {
				return err
			}
		}
	})
}

// tsMerge is what the merge writes: one PAT and one PMT over both inputs.
type tsMerge struct {
	vPMT, aPMT uint16
	pat, pmt   []byte            // sections without CRC
	remap      map[uint16]uint16 // audio PID -> output PID
	patCC      byte
	pmtCC      byte
}

// planTSMerge reads each input's PAT and PMT (the packets stay queued)
// and builds the merged program.
func planTSMerge(v, a *tsReader) (*tsMerge, error) {
	vPMT, vp, err := v.program()
	if err != nil {
		return nil, fmt.Errorf("video: %w", err)
	}
	aPMT, ap, err := a.program()
	if err != nil {
		return nil, fmt.Errorf("audio: %w", err)
	}
	m := &tsMerge{vPMT: vPMT, aPMT: aPMT, remap: map[uint16]uint16{}}
	used := map[uint16]bool{pidPAT: true, pidSDT: true, vPMT: true, vp.pcrPID: true, 0x1fff: true}
	for _, es := range vp.streams {
		used[es.pid] = true
	}
	merged := *vp
	merged.streams = append([]esInfo(nil), vp.streams...)
	next := uint16(0x101)
	for _, es := range ap.streams {
		pid := es.pid
		if used[pid] {
			for used[next] {
				next++
			}
			if next > pidMax {
				return nil, fmt.Errorf("%w: no free PID for the audio stream", ErrUnsupported)
			}
			pid = next
		}
		used[pid] = true
		m.remap[es.pid] = pid
		merged.streams = append(merged.streams, esInfo{streamType: es.streamType, pid: pid, desc: es.desc})
	}
	m.pat = buildPAT(merged.program, vPMT)
	m.pmt = buildPMT(&merged)
	return m, nil
}

// writeTables writes the merged PAT and PMT.
func (m *tsMerge) writeTables(w io.Writer) error {
	pat, err := psiPacket(pidPAT, m.patCC, m.pat)
	if err != nil {
		return err
	}
	pmt, err := psiPacket(m.vPMT, m.pmtCC, m.pmt)
	if err != nil {
		return err
	}
	m.patCC, m.pmtCC = m.patCC+1, m.pmtCC+1
	if _, err := w.Write(pat); err != nil {
		return err
	}
	_, err = w.Write(pmt)
	return err
}

// writeVideo copies a video packet; its PAT and PMT (repeated in every
// segment) are replaced by the merged tables at the same cadence.
func (m *tsMerge) writeVideo(w io.Writer, pkt []byte) error {
	switch tsPID(pkt) {
	case pidPAT:
		return m.writeTables(w)
	case m.vPMT:
		return nil // written with the PAT
	}
	_, err := w.Write(pkt)
	return err
}

// writeAudio copies the audio's elementary stream packets, renumbered;
// its tables, SDT and anything not in its PMT are dropped.
func (m *tsMerge) writeAudio(w io.Writer, pkt []byte) error {
	to, ok := m.remap[tsPID(pkt)]
	if !ok {
		return nil
	}
	pkt[1] = pkt[1]&0xe0 | byte(to>>8)
	pkt[2] = byte(to)
	_, err := w.Write(pkt)
	return err
}

// tsReader yields the packets of a list of segments in order, decrypting
// as needed, with the timestamp of the PES each packet belongs to. It
// reads a segment in chunks of whole packets, straight into its buffer.
type tsReader struct {
	segs   *segmentQueue
	name   string // the current segment's path
	cur    io.ReadCloser
	eof    bool // cur has nothing more past chunk[end:]
	chunk  []byte
	pos    int // the next packet's offset in chunk
	end    int // valid bytes in chunk
	check  *tsCheck
	queue  [][]byte // packets read ahead (program lookup, peek)
	ts     int64    // unwrapped timestamp of the current PES
	haveTS bool
	clock  clock33
	// reuse makes read return packets inside its buffer, valid until the
	// next read (a demuxer that is done with a packet before the next):
	// no copy and no allocation per packet. Without it each packet is a
	// copy of its own.
	reuse bool
}

// tsChunk is how much of a segment one read asks for: whole packets,
// about 1 MiB, so that a segment takes a few syscalls, and whole AES
// blocks (5576 packets are 65524 blocks), so that an encrypted segment
// is decrypted in place (cbcFile.ReadAt).
const tsChunk = 5576 * tsPacket

// read returns the next packet from the segments, or io.EOF.
func (r *tsReader) read() ([]byte, error) {
	for {
		if r.pos+tsPacket <= r.end {
			pkt := r.chunk[r.pos : r.pos+tsPacket : r.pos+tsPacket]
			r.pos += tsPacket
			if !r.reuse {
				pkt = bytes.Clone(pkt)
			}
			return pkt, r.check.packet(pkt)
		}
		if r.cur == nil {
			rc, seg, err := r.segs.next()
			if err != nil {
				return nil, err
			}
			r.cur, r.eof, r.pos, r.end, r.name = rc, false, 0, 0, seg.Path
			r.check.segment(seg.Path)
		}
		if r.eof {
			if left := r.end - r.pos; left > 0 {
				return nil, r.check.partial(left)
			}
			r.cur.Close()
			r.cur = nil
			continue
		}
		if r.chunk == nil {
			r.chunk = make([]byte, tsChunk)
		}
		r.check.hold() // the packets handed out are about to be overwritten
		left := copy(r.chunk, r.chunk[r.pos:r.end])
		n, err := io.ReadFull(r.cur, r.chunk[left:])
		r.pos, r.end = 0, left+n
		switch {
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			r.eof = true
		case err != nil:
			return nil, fmt.Errorf("%s: %w", r.name, err)
		}
	}
}

// program reads ahead to the first PAT and its PMT.
func (r *tsReader) program() (uint16, *pmtInfo, error) {
	pmtPID := -1
	for len(r.queue) < 10000 {
		pkt, err := r.read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, nil, err
		}
		r.queue = append(r.queue, pkt)
		switch pid := tsPID(pkt); {
		case pid == pidPAT && pmtPID < 0:
			p, err := parsePAT(pkt)
			if err != nil {
				return 0, nil, err
			}
			pmtPID = int(p)
		case pmtPID >= 0 && int(pid) == pmtPID && tsPUSI(pkt):
			pmt, err := parsePMT(pkt)
			return uint16(pmtPID), pmt, err
		}
	}
	return 0, nil, fmt.Errorf("%w: no PAT and PMT at the start of the stream", ErrCorrupt)
}

// peekTS returns the timestamp the next packet belongs to (the previous
// PES's for a continuation or table packet); ok is false at the end.
func (r *tsReader) peekTS() (int64, bool, error) {
	if len(r.queue) == 0 {
		pkt, err := r.read()
		if err == io.EOF {
			return 0, false, nil
		}
		if err != nil {
			return 0, false, err
		}
		r.queue = append(r.queue, pkt)
	}
	if raw, ok := pesTimestamp(r.queue[0]); ok {
		r.ts, r.haveTS = r.clock.unwrap(raw), true
	}
	if !r.haveTS {
		return -1 << 62, true, nil // tables before the first PES go first
	}
	return r.ts, true, nil
}

func (r *tsReader) take() []byte {
	pkt := r.queue[0]
	r.queue = r.queue[1:]
	return pkt
}

func (r *tsReader) close() {
	if r.cur != nil {
		r.cur.Close()
		r.cur = nil
	}
	r.segs.close()
}
