package mux

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// plainTS is the concatenation of hls-ts/seg000..3: what every decrypted
// join must equal byte for byte (a wrong IV damages only 16 bytes per
// segment and decodes silently, so bytes are compared).
func plainTS(t *testing.T) []byte {
	t.Helper()
	var all []byte
	for i := range 4 {
		b, err := os.ReadFile(fixture("hls-ts", "seg00"+string(rune('0'+i))+".ts"))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

func TestJoinTS(t *testing.T) {
	key1 := mustHex("00112233445566778899aabbccddeeff")
	iv1 := mustHex("000102030405060708090a0b0c0d0e0f")
	key2 := mustHex("f0e1d2c3b4a5968778695a4b3c2d1e0f")
	var clear, explicit, seqIV []Segment
	for i := range 4 {
		n := string(rune('0' + i))
		clear = append(clear, Segment{Path: fixture("hls-ts", "seg00"+n+".ts")})
		explicit = append(explicit, Segment{Path: fixture("hls-aes128", "seg00"+n+".ts"), Key: key1, IV: iv1})
		seq := uint64(7 + i)
		seqIV = append(seqIV, Segment{Path: fixture("hls-aes128-seqiv", filepath.Base(segName(seq))), Key: key2, IV: SequenceIV(seq)})
	}
	want := plainTS(t)
	for name, segs := range map[string][]Segment{"clear": clear, "AES-128 explicit IV": explicit, "AES-128 sequence IV": seqIV} {
		out := filepath.Join(t.TempDir(), "out.ts")
		if err := JoinTS(context.Background(), out, segs); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, _ := os.ReadFile(out)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: joined bytes differ from the plain segments (%d vs %d bytes)", name, len(got), len(want))
		}
	}

	// The IV of the sequence-IV set used for every segment: the decrypted
	// bytes differ (only slightly: this is why bytes are compared).
	wrongIV := append([]Segment(nil), seqIV...)
	for i := range wrongIV {
		wrongIV[i].IV = SequenceIV(7)
	}
	out := filepath.Join(t.TempDir(), "out.ts")
	if err := JoinTS(context.Background(), out, wrongIV); err == nil {
		got, _ := os.ReadFile(out)
		if bytes.Equal(got, want) {
			t.Error("a wrong IV produced the right bytes: the IV is not used")
		}
	}

	// A wrong key is caught (padding or sync byte), and nothing is written.
	bad := append([]Segment(nil), explicit...)
	bad[2].Key = key2
	out = filepath.Join(t.TempDir(), "bad.ts")
	err := JoinTS(context.Background(), out, bad)
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "wrong key") {
		t.Errorf("wrong key: %v", err)
	}
	if _, statErr := os.Stat(out); !os.IsNotExist(statErr) {
		t.Error("a failed join left an output")
	}
}

func segName(seq uint64) string {
	return "seg0" + string(rune('0'+seq/10)) + string(rune('0'+seq%10)) + ".ts"
}

func TestSequenceIV(t *testing.T) {
	if got := hex.EncodeToString(SequenceIV(7)); got != "00000000000000000000000000000007" {
		t.Errorf("SequenceIV(7) = %s", got)
	}
	if got := hex.EncodeToString(SequenceIV(1 << 40)); got != "00000000000000000000010000000000" {
		t.Errorf("SequenceIV(2^40) = %s", got)
	}
}

// encryptFile writes an AES-128-CBC/PKCS#7 copy of src (as an HLS
// packager would).
func encryptFile(t *testing.T, src, dst string, key, iv []byte) {
	t.Helper()
	plain, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	pad := 16 - len(plain)%16
	plain = append(plain, bytes.Repeat([]byte{byte(pad)}, pad)...)
	block, _ := aes.NewCipher(key)
	out := make([]byte, len(plain))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(out, plain)
	if err := os.WriteFile(dst, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestJoinFMP4(t *testing.T) {
	dir := t.TempDir()
	init, clear, enc := fmp4Fixture(t, dir)
	source := samplesOf(t, fixture("source/source.mp4"))
	var first []byte
	for name, segs := range map[string][]Segment{"clear": clear, "AES-128": enc} {
		out := filepath.Join(dir, "out-"+strings.ReplaceAll(name, " ", "")+".mp4")
		if err := JoinFMP4(context.Background(), out, init, segs); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		data, _ := os.ReadFile(out)
		if first == nil {
			first = data
		} else if !bytes.Equal(first, data) {
			t.Errorf("%s: output differs from the clear join", name)
		}
		top, err := children(bytes.NewReader(data), 0, int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		moofs := 0
		for _, b := range top {
			if b.typ == "styp" || b.typ == "sidx" {
				t.Errorf("%s: top-level %s kept", name, b.typ)
			}
			if b.typ == "moof" {
				moofs++
			}
		}
		if top[0].typ != "ftyp" || top[1].typ != "moov" || moofs == 0 {
			t.Errorf("%s: layout %v", name, top)
		}
		got := samplesOf(t, out)
		for _, kind := range []string{"vide", "soun"} {
			if len(got[kind]) != len(source[kind]) || !bytes.Equal(bytes.Join(got[kind], nil), bytes.Join(source[kind], nil)) {
				t.Errorf("%s: %s samples differ from the source (%d vs %d)", name, kind, len(got[kind]), len(source[kind]))
			}
		}
	}
	// A media segment in place of the init, or garbage, is refused.
	if err := JoinFMP4(context.Background(), filepath.Join(dir, "x.mp4"), clear[0], clear[1:]); !errors.Is(err, ErrCorrupt) {
		t.Errorf("segment as init: %v", err)
	}
}

func TestCBCReaderRejectsBadInput(t *testing.T) {
	key := mustHex("00112233445566778899aabbccddeeff")
	dir := t.TempDir()
	for name, data := range map[string][]byte{"not block aligned": make([]byte, 33), "bad padding": make([]byte, 32)} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
		os.WriteFile(path, data, 0o644)
		_, err := openSegment(Segment{Path: path, Key: key, IV: make([]byte, 16)})
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v", name, err)
		}
	}
	short := filepath.Join(dir, "short-key")
	os.WriteFile(short, make([]byte, 32), 0o644)
	if _, err := openSegment(Segment{Path: short, Key: key[:8], IV: make([]byte, 16)}); err == nil {
		t.Error("an 8-byte key was accepted")
	}
}

// TestJoinFMP4Regular: clear segments (read in place, as one movie) and
// AES-128 ones (decrypted into a fragmented file first) both give a
// regular MP4 with the source's samples and no moof.
func TestJoinFMP4Regular(t *testing.T) {
	dir := t.TempDir()
	init, clearSegs, enc := fmp4Fixture(t, dir)
	source := samplesOf(t, fixture("source/source.mp4"))
	for name, segs := range map[string][]Segment{"clear": clearSegs, "aes": enc} {
		out := filepath.Join(dir, name+".mp4")
		if _, err := JoinFMP4Regular(context.Background(), out, init, segs, MP4Options{}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		data, _ := os.ReadFile(out)
		top, err := children(bytes.NewReader(data), 0, int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range top {
			if b.typ == "moof" {
				t.Errorf("%s: a moof in the output", name)
			}
		}
		got := samplesOf(t, out)
		for _, kind := range []string{"vide", "soun"} {
			if !bytes.Equal(bytes.Join(got[kind], nil), bytes.Join(source[kind], nil)) || len(got[kind]) != len(source[kind]) {
				t.Errorf("%s: %s samples differ from the source", name, kind)
			}
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".fmp4-*")); len(left) > 0 {
		t.Errorf("scratch left: %v", left)
	}
}

// encryptCBC is AES-128-CBC with PKCS#7 padding, as HLS segments are.
func encryptCBC(t testing.TB, plain, key, iv []byte) []byte {
	t.Helper()
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	pad := 16 - len(plain)%16
	padded := append(bytes.Clone(plain), bytes.Repeat([]byte{byte(pad)}, pad)...)
	out := make([]byte, len(padded))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(out, padded)
	return out
}

// TestConcatReadAt reads clear and AES-128 segments as one file at every
// offset and length: the plain bytes, across segment and block boundaries.
func TestConcatReadAt(t *testing.T) {
	dir := t.TempDir()
	key, iv := mustHex("00112233445566778899aabbccddeeff"), mustHex("000102030405060708090a0b0c0d0e0f")
	parts := []string{"abc", "d", "efghijklmnopqrstuvwxyz0123456789", "i", "0123456789abcdef", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
	var segs []Segment
	for i, p := range parts {
		path := filepath.Join(dir, string(rune('a'+i)))
		seg := Segment{Path: path}
		data := []byte(p)
		if i%2 == 0 { // every other one encrypted: 3, 32, 16 plain bytes
			seg.Key, seg.IV = key, iv
			data = encryptCBC(t, data, key, iv)
		}
		os.WriteFile(path, data, 0o644)
		segs = append(segs, seg)
	}
	c, err := openConcat("x", segs)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	whole := strings.Join(parts, "")
	if c.Size() != int64(len(whole)) {
		t.Fatalf("size %d, want %d", c.Size(), len(whole))
	}
	for off := 0; off <= len(whole); off++ {
		for n := 0; off+n <= len(whole)+1; n++ {
			buf := make([]byte, n)
			got, err := c.ReadAt(buf, int64(off))
			want := whole[off:min(off+n, len(whole))]
			if string(buf[:got]) != want || (off+n > len(whole)) != (err != nil) {
				t.Fatalf("ReadAt(%d, %d) = %q, %v; want %q", n, off, buf[:got], err, want)
			}
		}
	}
	// A wrong key shows in the padding.
	bad := segs[0]
	bad.Key = mustHex("ffffffffffffffffffffffffffffffff")
	if _, err := openCBCFile(bad); !errors.Is(err, ErrCorrupt) {
		t.Errorf("wrong key: got %v, want ErrCorrupt", err)
	}
}

// fmp4Fixture is the hls-fmp4 stream: its init segment, its four clear
// fragments, and the same encrypted with AES-128 (sequence IVs) in dir.
func fmp4Fixture(t *testing.T, dir string) (init Segment, clear, enc []Segment) {
	t.Helper()
	key := mustHex("00112233445566778899aabbccddeeff")
	init = Segment{Path: fixture("hls-fmp4/init.mp4")}
	for i := range 4 {
		n := "seg00" + string(rune('0'+i)) + ".m4s"
		clear = append(clear, Segment{Path: fixture("hls-fmp4", n)})
		encPath := filepath.Join(dir, n)
		encryptFile(t, fixture("hls-fmp4", n), encPath, key, SequenceIV(uint64(i)))
		enc = append(enc, Segment{Path: encPath, Key: key, IV: SequenceIV(uint64(i))})
	}
	return init, clear, enc
}
