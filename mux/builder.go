package mux

import "encoding/binary"

// builder assembles boxes in memory; sizes are patched when a box ends.
// moov is small (sample tables), so building it in memory is fine.
type builder struct {
	buf   []byte
	stack []int
}

func (b *builder) start(typ string) {
	b.stack = append(b.stack, len(b.buf))
	b.buf = append(b.buf, 0, 0, 0, 0)
	b.buf = append(b.buf, typ...)
}

func (b *builder) startFull(typ string, version uint8, flags uint32) {
	b.start(typ)
	b.u32(uint32(version)<<24 | flags&0xffffff)
}

func (b *builder) end() {
	at := b.stack[len(b.stack)-1]
	b.stack = b.stack[:len(b.stack)-1]
	binary.BigEndian.PutUint32(b.buf[at:], uint32(len(b.buf)-at))
}

func (b *builder) u8(v uint8)     { b.buf = append(b.buf, v) }
func (b *builder) u16(v uint16)   { b.buf = binary.BigEndian.AppendUint16(b.buf, v) }
func (b *builder) u32(v uint32)   { b.buf = binary.BigEndian.AppendUint32(b.buf, v) }
func (b *builder) u64(v uint64)   { b.buf = binary.BigEndian.AppendUint64(b.buf, v) }
func (b *builder) bytes(p []byte) { b.buf = append(b.buf, p...) }
func (b *builder) zeros(n int)    { b.buf = append(b.buf, make([]byte, n)...) }
