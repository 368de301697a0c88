package fetch

import "sort"

// byteRange is a half-open byte interval [Start, End).
type byteRange struct {
	Start int64 `json:"start"`
	End   int64 `json:"end"`
}

// Len returns the number of bytes in r.
func (r byteRange) Len() int64 { return r.End - r.Start }

// rangeSet is a sorted list of disjoint, non-adjacent ranges. It records the
// bytes of a part that are written; it is not safe for concurrent use (the
// scheduler guards it with its mutex).
type rangeSet []byteRange

// add inserts r and merges it with any overlapping or touching neighbours.
func (s rangeSet) add(r byteRange) rangeSet {
	if r.Len() <= 0 {
		return s
	}
	// First range whose End reaches r.Start: everything before it stays.
	i := sort.Search(len(s), func(i int) bool { return s[i].End >= r.Start })
	j := i
	for j < len(s) && s[j].Start <= r.End {
		r.Start = min(r.Start, s[j].Start)
		r.End = max(r.End, s[j].End)
		j++
	}
	out := make(rangeSet, 0, len(s)-(j-i)+1)
	out = append(out, s[:i]...)
	out = append(out, r)
	return append(out, s[j:]...)
}

// total returns the number of bytes covered.
func (s rangeSet) total() int64 {
	var n int64
	for _, r := range s {
		n += r.Len()
	}
	return n
}

// covers reports whether [0,size) is entirely in s.
func (s rangeSet) covers(size int64) bool {
	return len(s) == 1 && s[0].Start == 0 && s[0].End >= size
}

// gaps returns the parts of [0,size) not in s. With size < 0 (unknown) the
// last gap is open-ended and reported with End = -1.
func (s rangeSet) gaps(size int64) []byteRange {
	var out []byteRange
	pos := int64(0)
	for _, r := range s {
		if r.Start > pos {
			out = append(out, byteRange{pos, r.Start})
		}
		pos = max(pos, r.End)
	}
	switch {
	case size < 0:
		out = append(out, byteRange{pos, -1})
	case pos < size:
		out = append(out, byteRange{pos, size})
	}
	return out
}

// valid reports whether s is sorted, disjoint and within [0,size) (size < 0:
// no upper bound). State files are input from disk, so they are checked.
func (s rangeSet) valid(size int64) bool {
	prev := int64(-1)
	for _, r := range s {
		if r.Start < 0 || r.End <= r.Start || r.Start <= prev {
			return false
		}
		if size >= 0 && r.End > size {
			return false
		}
		prev = r.End
	}
	return true
}
