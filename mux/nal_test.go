package mux

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestIndexStartCode: the start-code search finds what bytes.Index finds,
// on edge cases and on random bytes dense in 00 and 01.
func TestIndexStartCode(t *testing.T) {
	cases := [][]byte{nil, {0}, {0, 0}, {0, 0, 1}, {1, 0, 0, 1}, {0, 1, 0, 0, 0, 1}, {0, 0, 0, 0, 1}, {1, 1, 1}, {0, 1, 1, 0, 0}}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		b := make([]byte, rng.IntN(64))
		for i := range b {
			b[i] = []byte{0, 0, 1, 3, 0x41}[rng.IntN(5)]
		}
		cases = append(cases, b)
	}
	for _, b := range cases {
		if got, want := indexStartCode(b), bytes.Index(b, []byte{0, 0, 1}); got != want {
			t.Fatalf("indexStartCode(% x) = %d, want %d", b, got, want)
		}
	}
}
