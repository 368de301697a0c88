package mux

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSegmentQueue reads lists of clear and encrypted segments through
// the queue: every segment's plain bytes in order, whether decrypted
// ahead, too large for that (limit) or clear; a bad segment's error at
// that segment and not before.
func TestSegmentQueue(t *testing.T) {
	key, iv := mustHex("00112233445566778899aabbccddeeff"), mustHex("000102030405060708090a0b0c0d0e0f")
	wrong := mustHex("ffeeddccbbaa99887766554433221100")
	type seg struct {
		plain string
		keyed bool
		bad   bool // encrypted with another key: its padding does not check
	}
	tests := []struct {
		name   string
		segs   []seg
		limit  int64
		failAt int // the segment whose next fails; -1 for none
	}{
		{"all encrypted", []seg{{"one", true, false}, {"two two", true, false}, {strings.Repeat("x", 5000), true, false}, {"four", true, false}}, aheadLimit, -1},
		{"clear and encrypted", []seg{{"clear", false, false}, {"secret", true, false}, {"clear again", false, false}, {"last", true, false}}, aheadLimit, -1},
		{"over the limit, decrypted as read", []seg{{strings.Repeat("a", 100), true, false}, {"b", true, false}, {strings.Repeat("c", 64), true, false}}, 32, -1},
		{"a bad segment fails at its turn", []seg{{"fine", true, false}, {"also fine", true, false}, {"broken", true, true}, {"never read", true, false}}, aheadLimit, 2},
		{"one clear segment", []seg{{"alone", false, false}}, aheadLimit, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var segs []Segment
			for i, s := range tt.segs {
				p := filepath.Join(dir, fmt.Sprintf("%03d", i))
				data := []byte(s.plain)
				sg := Segment{Path: p}
				if s.keyed {
					k := key
					if s.bad {
						k = wrong
					}
					data = encryptCBC(t, data, k, iv)
					sg.Key, sg.IV = key, iv
				}
				if err := os.WriteFile(p, data, 0o644); err != nil {
					t.Fatal(err)
				}
				segs = append(segs, sg)
			}
			q := newSegmentQueueLimit(context.Background(), segs, tt.limit)
			defer q.close()
			for i, s := range tt.segs {
				r, got, err := q.next()
				if i == tt.failAt {
					if err == nil {
						r.Close()
						t.Fatalf("segment %d: no error for a segment under the wrong key", i)
					}
					if !errors.Is(err, ErrCorrupt) {
						t.Errorf("segment %d: %v, want ErrCorrupt", i, err)
					}
					return
				}
				if err != nil {
					t.Fatalf("segment %d: %v", i, err)
				}
				if got.Path != segs[i].Path {
					t.Errorf("segment %d: handed out %s", i, got.Path)
				}
				b, err := io.ReadAll(r)
				r.Close()
				if err != nil || !bytes.Equal(b, []byte(s.plain)) {
					t.Errorf("segment %d: %q, %v; want %q", i, b, err, s.plain)
				}
			}
			if _, _, err := q.next(); err != io.EOF {
				t.Errorf("after the last: %v, want io.EOF", err)
			}
		})
	}
}

// TestSegmentQueueCancel stops a queue whose context ends while its
// reader is still on the first segment: next fails with the context's
// error and close returns (no goroutine left blocked on a send).
func TestSegmentQueueCancel(t *testing.T) {
	key, iv := mustHex("00112233445566778899aabbccddeeff"), mustHex("000102030405060708090a0b0c0d0e0f")
	dir := t.TempDir()
	var segs []Segment
	for i := range 8 {
		p := filepath.Join(dir, fmt.Sprintf("%03d", i))
		if err := os.WriteFile(p, encryptCBC(t, []byte(strings.Repeat("z", 1000)), key, iv), 0o644); err != nil {
			t.Fatal(err)
		}
		segs = append(segs, Segment{Path: p, Key: key, IV: iv})
	}
	ctx, cancel := context.WithCancel(context.Background())
	q := newSegmentQueue(ctx, segs)
	r, _, err := q.next()
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	cancel()
	var last error
	for range segs {
		r, _, err := q.next()
		if err != nil {
			last = err
			break
		}
		r.Close() // decrypted before the cancel reached the goroutine
	}
	if !errors.Is(last, context.Canceled) {
		t.Errorf("after the cancel: %v, want context.Canceled", last)
	}
	q.close()
	q.close() // twice is harmless
}
