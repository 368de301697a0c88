// Package mux joins downloaded parts into one playable file in pure Go,
// through one entry point, Join: complete MP4 clips into one MP4 (a real
// join of the sample tables, moov first, media copied as a stream),
// MPEG-TS segments into one .ts (decrypting AES-128 on the way) or remuxed
// into a regular MP4 (RemuxTS), HLS fMP4 segments into one regular or
// fragmented MP4, and separate video and audio into one MP4, with tags,
// cover art and text tracks. Outputs are written to a unique temp file
// beside the output, synced and renamed, so a file under the final name
// is always complete. ffmpeg is never needed; FFmpegJoin uses it on request.
package mux

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ErrCorrupt wraps every structural problem in an input: truncated or
// oversized boxes, missing mandatory boxes, inconsistent tables.
var ErrCorrupt = errors.New("corrupt or truncated media")

// ErrIncompatible means the inputs cannot be joined into one track each
// (different codecs, codec configurations, timescales or track sets).
var ErrIncompatible = errors.New("inputs are not compatible")

// ErrUnsupported means a valid input uses something this joiner does not
// handle (an unknown codec, external data references, DRM).
var ErrUnsupported = errors.New("unsupported input")

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}

// boxHeader is one box's position in its file.
type boxHeader struct {
	typ        string
	start      int64 // offset of the header
	headerLen  int64
	size       int64 // whole box, header included
	payloadOff int64
}

func (b boxHeader) payloadLen() int64 { return b.size - b.headerLen }
func (b boxHeader) end() int64        { return b.start + b.size }

// readBoxHeader reads the box header at off, which must lie within
// [off, limit). Size 0 means "to the end of the enclosing range", size 1
// a 64-bit size after the type.
func readBoxHeader(r io.ReaderAt, off, limit int64) (boxHeader, error) {
	var hdr [16]byte
	if limit-off < 8 {
		return boxHeader{}, corrupt("box header at %d truncated", off)
	}
	if _, err := r.ReadAt(hdr[:8], off); err != nil {
		return boxHeader{}, corrupt("box header at %d: %v", off, err)
	}
	h := boxHeader{typ: string(hdr[4:8]), start: off, headerLen: 8}
	size := int64(binary.BigEndian.Uint32(hdr[:4]))
	switch size {
	case 0:
		size = limit - off
	case 1:
		if limit-off < 16 {
			return boxHeader{}, corrupt("%q box at %d: 64-bit size truncated", h.typ, off)
		}
		if _, err := r.ReadAt(hdr[8:16], off+8); err != nil {
			return boxHeader{}, corrupt("%q box at %d: %v", h.typ, off, err)
		}
		u := binary.BigEndian.Uint64(hdr[8:16])
		if u > 1<<62 {
			return boxHeader{}, corrupt("%q box at %d: size %d", h.typ, off, u)
		}
		size, h.headerLen = int64(u), 16
	}
	if size < h.headerLen || size > limit-off {
		return boxHeader{}, corrupt("%q box at %d: size %d does not fit in %d bytes", h.typ, off, size, limit-off)
	}
	h.size = size
	h.payloadOff = off + h.headerLen
	return h, nil
}

// children lists the boxes in [off, limit).
func children(r io.ReaderAt, off, limit int64) ([]boxHeader, error) {
	var out []boxHeader
	for off < limit {
		if limit-off < 8 {
			// Trailing padding shorter than a header: tolerated (seen in
			// the wild after udta); anything longer must parse.
			break
		}
		h, err := readBoxHeader(r, off, limit)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
		off = h.end()
		if len(out) > 1<<20 {
			return nil, corrupt("more than a million boxes at one level")
		}
	}
	return out, nil
}

// find returns the first child of the given type.
func find(boxes []boxHeader, typ string) (boxHeader, bool) {
	for _, b := range boxes {
		if b.typ == typ {
			return b, true
		}
	}
	return boxHeader{}, false
}

// maxTableBytes bounds what is read into memory for one box (sample
// tables, stsd). A 24-hour 60 fps video has ~5M samples: 20 MB of stsz.
const maxTableBytes = 256 << 20

// readPayload reads a box's payload into memory, bounded by maxTableBytes:
// hostile sizes must not allocate gigabytes.
func readPayload(r io.ReaderAt, b boxHeader) ([]byte, error) {
	n := b.payloadLen()
	if n > maxTableBytes {
		return nil, corrupt("%q box of %d bytes is too large for a table", b.typ, n)
	}
	buf := make([]byte, n)
	if _, err := r.ReadAt(buf, b.payloadOff); err != nil {
		return nil, corrupt("%q box at %d: %v", b.typ, b.start, err)
	}
	return buf, nil
}

// readBox reads a whole box (header included) into memory.
func readBox(r io.ReaderAt, b boxHeader) ([]byte, error) {
	if b.size > maxTableBytes {
		return nil, corrupt("%q box of %d bytes is too large", b.typ, b.size)
	}
	buf := make([]byte, b.size)
	if _, err := r.ReadAt(buf, b.start); err != nil {
		return nil, corrupt("%q box at %d: %v", b.typ, b.start, err)
	}
	return buf, nil
}

// cursor reads big-endian fields from a payload, recording the first
// overrun instead of panicking; check err once at the end.
type cursor struct {
	b   []byte
	pos int
	err error
	box string
}

func newCursor(box string, b []byte) *cursor { return &cursor{b: b, box: box} }

func (c *cursor) take(n int) []byte {
	if c.err != nil {
		return nil
	}
	if n < 0 || len(c.b)-c.pos < n {
		c.err = corrupt("%s: truncated (need %d bytes at %d of %d)", c.box, n, c.pos, len(c.b))
		return nil
	}
	s := c.b[c.pos : c.pos+n]
	c.pos += n
	return s
}

func (c *cursor) u8() uint8 {
	if s := c.take(1); s != nil {
		return s[0]
	}
	return 0
}

func (c *cursor) u16() uint16 {
	if s := c.take(2); s != nil {
		return binary.BigEndian.Uint16(s)
	}
	return 0
}

func (c *cursor) u32() uint32 {
	if s := c.take(4); s != nil {
		return binary.BigEndian.Uint32(s)
	}
	return 0
}

func (c *cursor) u64() uint64 {
	if s := c.take(8); s != nil {
		return binary.BigEndian.Uint64(s)
	}
	return 0
}

// fullBox reads a full box's version and flags.
func (c *cursor) fullBox() (version uint8, flags uint32) {
	v := c.u32()
	return uint8(v >> 24), v & 0xffffff
}

// count reads an entry count and checks that count*entrySize bytes remain,
// so a hostile count cannot trigger a huge allocation.
func (c *cursor) count(entrySize int) int {
	n := c.u32()
	if c.err == nil && uint64(n)*uint64(entrySize) > uint64(len(c.b)-c.pos) {
		c.err = corrupt("%s: %d entries of %d bytes exceed the box", c.box, n, entrySize)
		return 0
	}
	return int(n)
}
