package mux

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
)

// Where a remux puts converted sample bytes. A remux reads the TS twice:
// pass 1 only measures the samples (countSink), so that moov can be
// planned; pass 2 demuxes again while the MP4 is written, and each
// track's bytes wait in a queueSink just until the writer takes them in
// its interleaved order. Only a TS whose streams are far apart in the
// file (more than maxQueued between them) takes the fallback: pass 1
// writes the samples to temp files (fileSink) that the writer reads.

type sampleSink interface {
	write(b []byte) error
	sample(i int, size int64) error // sample i is complete: size bytes
	flush() error
}

// maxQueued bounds the bytes pass 2 holds for the tracks the writer is
// not reading yet (a normal TS interleaves within a second or so).
const maxQueued = 32 << 20

// errSkew: the streams are too far apart in the TS to stream the remux.
var errSkew = errors.New("remux: streams too far apart in the TS to interleave on the fly")

type countSink struct{}

func (countSink) write([]byte) error      { return nil }
func (countSink) sample(int, int64) error { return nil }
func (countSink) flush() error            { return nil }

// fileSink keeps a track's samples in a temp file, removed by discard.
type fileSink struct {
	f *os.File
	w *bufio.Writer
}

func newFileSink(dir, kind string) (*fileSink, error) {
	f, err := os.CreateTemp(dir, ".vdl-remux-*."+kind)
	if err != nil {
		return nil, err
	}
	return &fileSink{f: f, w: bufio.NewWriterSize(f, 1<<20)}, nil
}

func (s *fileSink) write(b []byte) error {
	_, err := s.w.Write(b)
	return err
}
func (s *fileSink) sample(int, int64) error { return nil }
func (s *fileSink) flush() error            { return s.w.Flush() }

func (s *fileSink) discard() {
	s.f.Close()
	os.Remove(s.f.Name())
}

// queueSink holds pass 2's bytes of one track from where the writer has
// read to where the demux has got, and checks that pass 2 gives the
// samples pass 1 measured.
type queueSink struct {
	buf    []byte
	pos    int   // read position in buf
	start  int64 // track offset of buf[pos]
	expect []sample
}

func (q *queueSink) write(b []byte) error {
	if q.pos > 0 && q.pos >= len(q.buf)/2 {
		n := copy(q.buf, q.buf[q.pos:])
		q.buf, q.pos = q.buf[:n], 0
	}
	q.buf = append(q.buf, b...)
	return nil
}

func (q *queueSink) sample(i int, size int64) error {
	if i >= len(q.expect) || int64(q.expect[i].size) != size {
		return fmt.Errorf("%w: the input changed while it was remuxed (sample %d)", ErrCorrupt, i+1)
	}
	return nil
}

func (q *queueSink) flush() error { return nil }
func (q *queueSink) queued() int  { return len(q.buf) - q.pos }

// streamSource is one track's sample bytes as the join reads them: in
// increasing offsets, produced by pass 2's demux on demand.
type streamSource struct {
	name string
	st   *tsStream
	kind string
}

func (s *streamSource) Name() string { return s.name }

func (s *streamSource) ReadAt(p []byte, off int64) (int, error) {
	for {
		q := s.st.queue(s.kind)
		if q != nil {
			if off < q.start {
				return 0, fmt.Errorf("remux: %s read out of order (offset %d, stream at %d)", s.name, off, q.start)
			}
			if have := q.start + int64(q.queued()); have >= off+int64(len(p)) || s.st.done {
				n := 0
				if off < have {
					skip := q.pos + int(off-q.start)
					n = copy(p, q.buf[skip:])
					q.pos, q.start = skip+n, off+int64(n)
				}
				if n < len(p) {
					return n, io.EOF
				}
				return n, nil
			}
		} else if s.st.done {
			return 0, io.EOF
		}
		if err := s.st.step(); err != nil {
			return 0, err
		}
		if s.st.queuedBytes() > s.st.limit {
			return 0, errSkew
		}
	}
}
