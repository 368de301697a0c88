package mux

import (
	"fmt"
	"io"
	"os"
	"sort"
)

// concatFile reads several files as one: an fMP4 init segment and its
// fragments are, end to end, a fragmented movie, so a clear stream can be
// rewritten as a regular MP4 straight from its segments, with no joined
// fragmented copy on disk.
type concatFile struct {
	name  string
	files []*os.File
	ends  []int64 // cumulative end offset of each file
}

// openConcat opens paths in order; the caller closes the result.
func openConcat(name string, paths []string) (*concatFile, error) {
	c := &concatFile{name: name}
	var end int64
	for _, p := range paths {
		f, err := openInput(p)
		if err != nil {
			c.Close()
			return nil, err
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			c.Close()
			return nil, err
		}
		end += st.Size()
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
