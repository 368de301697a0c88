package mux

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"fmt"
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

// cbcReader decrypts an AES-128-CBC stream and strips its PKCS#7 padding.
// It holds back the last block until EOF, where the padding is.
type cbcReader struct {
	src     io.Reader
	mode    cipher.BlockMode
	buf     []byte // decrypted bytes ready to hand out
	pending []byte // ciphertext not yet decrypted (< 1 block) or held back
	eof     bool
	name    string
}

func newCBCReader(src io.Reader, key, iv []byte, name string) (io.Reader, error) {
	if len(key) != 16 || len(iv) != 16 {
		return nil, fmt.Errorf("%s: AES-128 needs a 16-byte key and IV (got %d and %d)", name, len(key), len(iv))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return &cbcReader{src: src, mode: cipher.NewCBCDecrypter(block, iv), name: name}, nil
}

func (r *cbcReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.eof {
			return 0, io.EOF
		}
		if err := r.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// fill reads more ciphertext and decrypts every whole block but the last.
func (r *cbcReader) fill() error {
	chunk := make([]byte, 64<<10)
	n, err := io.ReadFull(r.src, chunk)
	r.pending = append(r.pending, chunk[:n]...)
	switch err {
	case nil:
	case io.EOF, io.ErrUnexpectedEOF:
		r.eof = true
	default:
		return err
	}
	usable := len(r.pending) / 16 * 16
	if !r.eof {
		usable -= 16 // the last block may hold the padding
	}
	if usable <= 0 {
		if r.eof && len(r.pending) > 0 {
			return fmt.Errorf("%w: %s: encrypted size %d is not a multiple of 16", ErrCorrupt, r.name, len(r.pending))
		}
		return nil
	}
	if r.eof && len(r.pending)%16 != 0 {
		return fmt.Errorf("%w: %s: encrypted size is not a multiple of 16", ErrCorrupt, r.name)
	}
	plain := make([]byte, usable)
	r.mode.CryptBlocks(plain, r.pending[:usable])
	r.pending = append(r.pending[:0], r.pending[usable:]...)
	if r.eof {
		pad := int(plain[len(plain)-1])
		if pad == 0 || pad > 16 || pad > len(plain) {
			return fmt.Errorf("%w: %s: bad PKCS#7 padding after decryption (wrong key or IV?)", ErrCorrupt, r.name)
		}
		for _, b := range plain[len(plain)-pad:] {
			if int(b) != pad {
				return fmt.Errorf("%w: %s: bad PKCS#7 padding after decryption (wrong key or IV?)", ErrCorrupt, r.name)
			}
		}
		plain = plain[:len(plain)-pad]
	}
	r.buf = plain
	return nil
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
	r, err := newCBCReader(f, s.Key, s.IV, s.Path)
	if err != nil {
		f.Close()
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{r, f}, nil
}
