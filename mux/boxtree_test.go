package mux

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// This file is a second, deliberately independent MP4 parser used only to
// check what the writer produced (it shares no code with the reader that
// feeds the joiner): the box tree, and the consistency of each track's
// sample tables with each other and with the mdat.

type node struct {
	typ        string
	start, end int64 // whole box
	body       []byte
	kids       []*node
}

var containers = map[string]bool{"moov": true, "trak": true, "mdia": true, "minf": true, "stbl": true, "edts": true, "dinf": true}

func boxTree(t testing.TB, data []byte, off, end int64) []*node {
	t.Helper()
	var out []*node
	for off < end {
		if end-off < 8 {
			t.Fatalf("trailing %d bytes at %d", end-off, off)
		}
		size := int64(binary.BigEndian.Uint32(data[off:]))
		hdr := int64(8)
		if size == 1 {
			size, hdr = int64(binary.BigEndian.Uint64(data[off+8:])), 16
		}
		if size < hdr || off+size > end {
			t.Fatalf("box %q at %d: size %d overruns %d", data[off+4:off+8], off, size, end)
		}
		n := &node{typ: string(data[off+4 : off+8]), start: off, end: off + size, body: data[off+hdr : off+size]}
		if containers[n.typ] {
			n.kids = boxTree(t, data, off+hdr, off+size)
		}
		out = append(out, n)
		off += size
	}
	return out
}

func child(t testing.TB, n *node, typ string) *node {
	t.Helper()
	for _, k := range n.kids {
		if k.typ == typ {
			return k
		}
	}
	return nil
}

func must(t testing.TB, n *node, path ...string) *node {
	t.Helper()
	for _, p := range path {
		c := child(t, n, p)
		if c == nil {
			t.Fatalf("%s has no %s", n.typ, p)
		}
		n = c
	}
	return n
}

func be32(b []byte, i int) uint32 { return binary.BigEndian.Uint32(b[i:]) }

// checkStructure verifies ftyp, moov before mdat, and per track: stts and
// stsz count the same samples, stsc places exactly those samples in the
// chunks that stco/co64 list, every chunk lies inside mdat, stss is in
// range and ascending, and mdhd's duration is the stts sum.
func checkStructure(t testing.TB, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	top := boxTree(t, data, 0, int64(len(data)))
	if len(top) < 3 || top[0].typ != "ftyp" || top[1].typ != "moov" || top[2].typ != "mdat" {
		t.Fatalf("top level is %v, want ftyp, moov, mdat", typesOf(top))
	}
	mdat := top[2]
	mdatStart := mdat.end - int64(len(mdat.body))
	for _, trak := range top[1].kids {
		if trak.typ != "trak" {
			continue
		}
		stbl := must(t, trak, "mdia", "minf", "stbl")
		stts := must(t, stbl, "stts").body
		var count, durSum uint64
		for i := 0; i < int(be32(stts, 4)); i++ {
			n, d := be32(stts, 8+8*i), be32(stts, 12+8*i)
			count += uint64(n)
			durSum += uint64(n) * uint64(d)
		}
		stsz := must(t, stbl, "stsz").body
		n := uint64(be32(stsz, 8))
		if n != count {
			t.Fatalf("stts counts %d samples, stsz %d", count, n)
		}
		size := func(i int) int64 {
			if c := be32(stsz, 4); c != 0 {
				return int64(c)
			}
			return int64(be32(stsz, 12+4*i))
		}
		var offsets []int64
		if co := child(t, stbl, "stco"); co != nil {
			for i := 0; i < int(be32(co.body, 4)); i++ {
				offsets = append(offsets, int64(be32(co.body, 8+4*i)))
			}
		} else {
			co := must(t, stbl, "co64")
			for i := 0; i < int(be32(co.body, 4)); i++ {
				offsets = append(offsets, int64(binary.BigEndian.Uint64(co.body[8+8*i:])))
			}
		}
		stsc := must(t, stbl, "stsc").body
		runs := int(be32(stsc, 4))
		sample := 0
		for r := 0; r < runs; r++ {
			first, per := int(be32(stsc, 8+12*r)), int(be32(stsc, 12+12*r))
			last := len(offsets)
			if r+1 < runs {
				last = int(be32(stsc, 8+12*(r+1))) - 1
			}
			if r == 0 && first != 1 {
				t.Fatalf("stsc starts at chunk %d", first)
			}
			for ch := first; ch <= last; ch++ {
				off := offsets[ch-1]
				for k := 0; k < per; k++ {
					if off < mdatStart || off+size(sample) > mdat.end {
						t.Fatalf("sample %d at %d+%d lies outside mdat [%d,%d)", sample+1, off, size(sample), mdatStart, mdat.end)
					}
					off += size(sample)
					sample++
				}
			}
		}
		if uint64(sample) != n {
			t.Fatalf("stsc places %d samples, stsz has %d", sample, n)
		}
		if ss := child(t, stbl, "stss"); ss != nil {
			prev := uint32(0)
			for i := 0; i < int(be32(ss.body, 4)); i++ {
				k := be32(ss.body, 8+4*i)
				if k <= prev || uint64(k) > n {
					t.Fatalf("stss entry %d out of order or range", k)
				}
				prev = k
			}
		}
		mdhd := must(t, trak, "mdia", "mdhd").body
		dur := uint64(be32(mdhd, 16))
		if mdhd[0] == 1 {
			dur = binary.BigEndian.Uint64(mdhd[24:])
		}
		if dur != durSum {
			t.Fatalf("mdhd duration %d, stts sum %d", dur, durSum)
		}
	}
}

func typesOf(ns []*node) []string {
	var s []string
	for _, n := range ns {
		s = append(s, n.typ)
	}
	return s
}

// fatalRecorder turns Fatalf into a recoverable panic, to test a checker.
type fatalRecorder struct {
	testing.TB
	msg string
}

type fatalPanic struct{}

func (r *fatalRecorder) Helper() {}
func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	panic(fatalPanic{})
}

func checkFails(t *testing.T, path string) (msg string) {
	r := &fatalRecorder{TB: t}
	defer func() {
		if p := recover(); p != nil {
			if _, ok := p.(fatalPanic); !ok {
				panic(p)
			}
			msg = r.msg
		}
	}()
	checkStructure(r, path)
	return ""
}

// TestCheckStructureCatchesDamage: the checker must fail on a broken
// file, or its passes mean nothing.
func TestCheckStructureCatchesDamage(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.mp4")
	if _, err := JoinMP4(context.Background(), good, clips("mp4-clips"), MP4Options{}); err != nil {
		t.Fatal(err)
	}
	if msg := checkFails(t, good); msg != "" {
		t.Fatalf("a good join fails the check: %s", msg)
	}
	data, _ := os.ReadFile(good)
	for name, damage := range map[string]func([]byte){
		"mdhd duration": func(b []byte) { i := bytes.Index(b, []byte("mdhd")); b[i+4+16+3] ^= 1 },
		"chunk offset":  func(b []byte) { i := bytes.Index(b, []byte("stco")); b[i+4+8] = 0x7f },
	} {
		bad := bytes.Clone(data)
		damage(bad)
		p := filepath.Join(dir, "bad.mp4")
		os.WriteFile(p, bad, 0o644)
		if msg := checkFails(t, p); msg == "" {
			t.Errorf("damaged %s passed the structure check", name)
		}
	}
}
