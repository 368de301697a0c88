package mux

import (
	"crypto/aes"
	"crypto/cipher"
	"fmt"
	"io"
	"os"
)

// cbcFile reads an AES-128-CBC encrypted segment at any offset, as its
// plain bytes: CBC decrypts a block from that block and the one before it
// (or the IV), so a join can read encrypted fragments in place, like clear
// ones, with no decrypted copy on disk. Its size is the plain size: the
// last block is decrypted once, up front, for its PKCS#7 padding.
type cbcFile struct {
	f     *os.File
	block cipher.Block
	iv    []byte
	size  int64 // plain bytes
	name  string
}

func openCBCFile(s Segment) (*cbcFile, error) {
	if len(s.Key) != 16 || len(s.IV) != 16 {
		return nil, fmt.Errorf("%s: AES-128 needs a 16-byte key and IV (got %d and %d)", s.Path, len(s.Key), len(s.IV))
	}
	block, err := aes.NewCipher(s.Key)
	if err != nil {
		return nil, err
	}
	f, err := openInput(s.Path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	c := &cbcFile{f: f, block: block, iv: s.IV, name: s.Path}
	enc := st.Size()
	if enc%16 != 0 {
		f.Close()
		return nil, fmt.Errorf("%w: %s: encrypted size %d is not a multiple of 16", ErrCorrupt, s.Path, enc)
	}
	last := make([]byte, 16)
	if err := c.decrypt(last, enc-16); err != nil {
		f.Close()
		return nil, err
	}
	pad := int(last[15])
	for i := 16 - pad; pad >= 1 && pad <= 16 && i < 16; i++ {
		if int(last[i]) != pad {
			pad = 0
		}
	}
	if pad < 1 || pad > 16 {
		f.Close()
		return nil, fmt.Errorf("%w: %s: bad PKCS#7 padding after decryption (wrong key or IV?)", ErrCorrupt, s.Path)
	}
	c.size = enc - int64(pad)
	return c, nil
}

// decrypt fills p (a whole number of blocks) with the plain blocks that
// start at off (a multiple of 16): the ciphertext is read into p and
// decrypted in place, from the block before it (or the IV).
func (c *cbcFile) decrypt(p []byte, off int64) error {
	var prev [16]byte
	if off == 0 {
		copy(prev[:], c.iv)
	} else if _, err := c.f.ReadAt(prev[:], off-16); err != nil {
		return fmt.Errorf("%s: %w", c.name, err)
	}
	if _, err := c.f.ReadAt(p, off); err != nil {
		return fmt.Errorf("%s: %w", c.name, err)
	}
	cipher.NewCBCDecrypter(c.block, prev[:]).CryptBlocks(p, p)
	return nil
}

// ReadAt decrypts straight into p: the whole blocks p covers in place, a
// block it holds only part of (at either end) through a block of scratch.
// Nothing is allocated per read, so a remux that reads a segment twice
// pays for the decryption and no more.
func (c *cbcFile) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("%s: negative offset", c.name)
	}
	if off >= c.size {
		return 0, io.EOF
	}
	want := len(p)
	p = p[:min(int64(len(p)), c.size-off)]
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		if whole := (len(p) - n) / 16 * 16; pos%16 == 0 && whole > 0 {
			if err := c.decrypt(p[n:n+whole], pos); err != nil {
				return n, err
			}
			n += whole
			continue
		}
		var blk [16]byte
		start := pos / 16 * 16
		if err := c.decrypt(blk[:], start); err != nil {
			return n, err
		}
		n += copy(p[n:], blk[pos-start:])
	}
	if n < want {
		return n, io.EOF
	}
	return n, nil
}

func (c *cbcFile) Close() error { return c.f.Close() }
