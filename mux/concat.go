package mux

import (
	"fmt"
	"io"
	"sort"
)

// concatFile reads several segments as one file: an fMP4 init segment
// and its fragments are, end to end, a fragmented movie, so a stream can
// be rewritten as a regular MP4 straight from its segments (encrypted
// ones decrypted as they are read), with no joined copy on disk.
type concatFile struct {
	name  string
	files []segmentFile
	ends  []int64 // cumulative end offset of each file
}

// segmentFile is one segment's plain bytes, at any offset.
type segmentFile interface {
	io.ReaderAt
	io.Closer
}

// openSegmentFile opens a segment for reading at any offset: the file
// itself, or a decrypting view of it.
func openSegmentFile(s Segment) (segmentFile, int64, error) {
	if s.Key != nil {
		c, err := openCBCFile(s)
		if err != nil {
			return nil, 0, err
		}
		return c, c.size, nil
	}
	f, err := openInput(s.Path)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}

// openConcat opens segs in order; the caller closes the result.
func openConcat(name string, segs []Segment) (*concatFile, error) {
	c := &concatFile{name: name}
	var end int64
	for _, s := range segs {
		f, size, err := openSegmentFile(s)
		if err != nil {
			c.Close()
			return nil, err
		}
		end += size
		c.files = append(c.files, f)
		c.ends = append(c.ends, end)
	}
	return c, nil
}

func (c *concatFile) Size() int64 {
	if len(c.ends) == 0 {
		return 0
	}
	return c.ends[len(c.ends)-1]
}

func (c *concatFile) Name() string { return c.name }

// ReadAt reads across file boundaries.
func (c *concatFile) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("concat: negative offset")
	}
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		i := sort.Search(len(c.ends), func(i int) bool { return c.ends[i] > pos })
		if i == len(c.ends) {
			return n, io.EOF
		}
		start := int64(0)
		if i > 0 {
			start = c.ends[i-1]
		}
		want := min(int64(len(p)-n), c.ends[i]-pos)
		m, err := c.files[i].ReadAt(p[n:n+int(want)], pos-start)
		n += m
		if err != nil && !(err == io.EOF && int64(m) == want) {
			return n, err
		}
	}
	return n, nil
}

func (c *concatFile) Close() error {
	for _, f := range c.files {
		f.Close()
	}
	return nil
}
