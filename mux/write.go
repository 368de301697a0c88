package mux

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/vdlproject/vdl/internal/atomicfile"
)

// writeAtomic creates out through a temp file of its own in out's
// folder: fill writes the content, then the file is synced and renamed,
// and the rename itself synced. On any error or cancellation the temp
// file is removed: a file under the final name is always complete.
func writeAtomic(ctx context.Context, out string, fill func(w *bufio.Writer) error) error {
	return writeVerified(ctx, out, fill, nil)
}

// writeVerified is writeAtomic with a last look: verify reads the
// complete temp file before it may take the final name.
func writeVerified(ctx context.Context, out string, fill func(w *bufio.Writer) error, verify func(f *os.File) error) (err error) {
	f, err := atomicfile.Create(out)
	if err != nil {
		return err
	}
	// The file is hidden behind a plain Writer: os.File's ReadFrom would
	// take over every io.Copy that finds the buffer empty and write in
	// 32 KiB pieces; this way copies fill the buffer and it writes 1 MiB.
	w := bufio.NewWriterSize(&writebackWriter{f: f}, 1<<20)
	err = fill(w)
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		err = w.Flush()
	}
	if err == nil && verify != nil {
		err = verify(f)
	}
	if err != nil {
		atomicfile.Abort(f)
		return err
	}
	return atomicfile.Commit(f, out)
}

// writebackWriter writes to f and starts the disk writes of every
// writebackEvery bytes as they are written (startWriteback), so that the
// disk works while the rest is copied.
type writebackWriter struct {
	f           *os.File
	off, synced int64
}

const writebackEvery = 8 << 20

func (w *writebackWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.off += int64(n)
	if w.off-w.synced >= writebackEvery {
		startWriteback(w.f, w.synced, w.off-w.synced)
		w.synced = w.off
	}
	return n, err
}

// writeMP4 writes a planned layout: ftyp, moov, mdat header, then the
// media ranges copied as a stream (memory does not grow with media size).
func writeMP4(ctx context.Context, out string, lay *layout, srcs []source) error {
	return writeAtomic(ctx, out, func(w *bufio.Writer) error {
		for _, p := range [][]byte{lay.ftyp, lay.moov, lay.mdatHeader} {
			if _, err := w.Write(p); err != nil {
				return err
			}
		}
		for i, r := range lay.ranges {
			if i%64 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			n, err := io.Copy(w, io.NewSectionReader(srcs[r.src], r.off, r.n))
			if err != nil {
				return fmt.Errorf("copy from %s: %w", srcs[r.src].Name(), err)
			}
			if n != r.n {
				return fmt.Errorf("%w: %s ends inside a sample (offset %d)", ErrCorrupt, srcs[r.src].Name(), r.off+n)
			}
		}
		return nil
	})
}
