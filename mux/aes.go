package mux

import (
	"encoding/binary"
	"io"
)

// Segment is one downloaded media segment, AES-128 encrypted when Key is set.
type Segment struct {
	Path string
	Key  []byte // 16 bytes (HLS METHOD=AES-128), nil when clear
	IV   []byte // 16 bytes; see SequenceIV when the playlist gives none
}

// SequenceIV is the IV HLS implies when EXT-X-KEY has no IV attribute: the
// segment's media sequence number as a 128-bit big-endian integer (RFC 8216
// §5.2).
func SequenceIV(seq uint64) []byte {
	iv := make([]byte, 16)
	binary.BigEndian.PutUint64(iv[8:], seq)
	return iv
}

// openSegment returns the segment's plain bytes as a stream.
func openSegment(s Segment) (io.ReadCloser, error) {
	f, err := openInput(s.Path)
	if err != nil {
		return nil, err
	}
	if s.Key == nil {
		return f, nil
	}
	f.Close()
	c, err := openCBCFile(s) // the one decrypter, read from the start
	if err != nil {
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{io.NewSectionReader(c, 0, c.size), c}, nil
}
