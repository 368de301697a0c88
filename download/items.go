package download

import (
	"fmt"
	"strconv"
	"strings"
)

// Items is a parsed -I/--items spec: which 1-based positions of a
// playlist to take, in the playlist's order. The zero value takes all.
type Items struct {
	spans []span // inclusive; hi 0 = to the end
	spec  string
}

type span struct{ lo, hi int }

// ParseItems reads a subset of yt-dlp's --playlist-items syntax: a comma
// list of N, N-M and N- (N, M 1-based, M >= N).
func ParseItems(spec string) (Items, error) {
	it := Items{spec: spec}
	if strings.TrimSpace(spec) == "" {
		return it, fmt.Errorf("%w: empty item list", ErrBadItems)
	}
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(strings.TrimSpace(lo))
		if err != nil || a < 1 {
			return Items{}, fmt.Errorf("%w: %q: want N, N-M or N- with N from 1", ErrBadItems, part)
		}
		s := span{a, a}
		if isRange {
			s.hi = 0
			if h := strings.TrimSpace(hi); h != "" {
				b, err := strconv.Atoi(h)
				if err != nil || b < a {
					return Items{}, fmt.Errorf("%w: %q: want N-M with M >= N", ErrBadItems, part)
				}
				s.hi = b
			}
		}
		it.spans = append(it.spans, s)
	}
	return it, nil
}

// Has reports whether 1-based position n is selected.
func (it Items) Has(n int) bool {
	if it.spans == nil {
		return true
	}
	for _, s := range it.spans {
		if n >= s.lo && (s.hi == 0 || n <= s.hi) {
			return true
		}
	}
	return false
}

func (it Items) String() string { return it.spec }
