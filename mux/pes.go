package mux

import "fmt"

// PES packets of one elementary stream, reassembled from TS packets: a
// packet with payload_unit_start_indicator begins a PES, which runs until
// its stated length or, for video (length 0), until the next start.

// maxPES bounds one reassembled PES (an access unit): far above any real
// frame, small enough that a hostile stream cannot exhaust memory.
const maxPES = 32 << 20

// pes is one reassembled PES. Its data is the reassembly buffer: valid
// only during the emit call (what a consumer keeps, it copies).
type pes struct {
	pts, dts int64 // raw 33-bit 90 kHz timestamps; -1 when absent
	data     []byte
	// buf is the reassembly buffer data lies in (nil if none): a consumer
	// that keeps data takes buf and gives the pesBuffer another (give).
	buf []byte
}

// pesBuffer collects one stream's current PES.
type pesBuffer struct {
	buf     []byte
	want    int  // total length from the PES header, 0 = until the next start
	started bool // a PES start has been seen (continuations before it are dropped)
}

// add feeds one packet's payload, passing every PES it completes (by
// reaching the stated length, or by starting the next one) to emit.
func (b *pesBuffer) add(payload []byte, start bool, emit func(*pes) error) error {
	if start {
		if err := b.finish(emit); err != nil {
			return err
		}
		b.started = true
		if len(payload) >= 6 {
			if n := int(payload[4])<<8 | int(payload[5]); n > 0 {
				b.want = 6 + n
			}
		}
	}
	if !b.started {
		return nil // the tail of a PES that began before the stream did
	}
	if len(b.buf)+len(payload) > maxPES {
		return fmt.Errorf("%w: a PES packet longer than %d MiB", ErrCorrupt, maxPES>>20)
	}
	b.buf = append(b.buf, payload...)
	if b.want > 0 && len(b.buf) >= b.want {
		return b.finish(emit)
	}
	return nil
}

// give makes buf (its contents dropped) the buffer the next PES is
// collected in: the consumer of the last one keeps that one's buffer.
func (b *pesBuffer) give(buf []byte) { b.buf = buf[:0] }

// lost drops the PES being collected when packets of it may be missing:
// the counter jumped at a packet that continues a PES, or at one that
// starts the next while this one is short of its stated length. It says
// whether a PES was dropped. A video PES of unstated length that lost its
// tail cannot be told from a whole one, and is kept (as ffmpeg keeps it).
func (b *pesBuffer) lost(start bool) bool {
	if !b.started || start && !(b.want > 0 && len(b.buf) < b.want) {
		return false
	}
	b.buf, b.want, b.started = b.buf[:0], 0, false
	return true
}

// finish emits the PES being collected, if any. At the end of the stream
// a PES cut short of its stated length is emitted as far as it goes: the
// frame parsers decide whether it holds whole frames.
func (b *pesBuffer) finish(emit func(*pes) error) error {
	data := b.buf
	if b.want > 0 && len(data) > b.want {
		data = data[:b.want]
	}
	started := b.started
	b.buf, b.want, b.started = b.buf[:0], 0, false
	if !started || len(data) == 0 {
		return nil
	}
	p := pes{buf: data}
	if err := parsePES(data, &p); err != nil {
		return err
	}
	return emit(&p)
}

// parsePES reads a PES header (ISO 13818-1 2.4.3.6) into p; p.data is
// the payload, a slice of b.
func parsePES(b []byte, p *pes) error {
	if len(b) < 9 || b[0] != 0 || b[1] != 0 || b[2] != 1 {
		return fmt.Errorf("%w: a PES packet without its start code", ErrCorrupt)
	}
	p.pts, p.dts = -1, -1
	hdr := 9 + int(b[8])
	if b[6]&0xc0 != 0x80 || hdr > len(b) {
		return fmt.Errorf("%w: a PES header that is not MPEG-2 or runs past its packet", ErrCorrupt)
	}
	flags := b[7] >> 6
	if flags&2 != 0 {
		if hdr < 14 {
			return fmt.Errorf("%w: a PES header too short for its PTS", ErrCorrupt)
		}
		p.pts = readPESTime(b[9:14])
		p.dts = p.pts
		if flags == 3 {
			if hdr < 19 {
				return fmt.Errorf("%w: a PES header too short for its DTS", ErrCorrupt)
			}
			p.dts = readPESTime(b[14:19])
		}
	}
	p.data = b[hdr:]
	return nil
}

func readPESTime(b []byte) int64 {
	return int64(b[0]>>1&7)<<30 | int64(b[1])<<22 | int64(b[2]>>1)<<15 | int64(b[3])<<7 | int64(b[4]>>1)
}
