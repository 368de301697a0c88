package mux

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
	f, err := createTemp(out)
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	w := bufio.NewWriterSize(f, 1<<20)
	if err = fill(w); err != nil {
		return err
	}
	if err = ctx.Err(); err != nil {
		return err
	}
	if err = w.Flush(); err != nil {
		return err
	}
	if verify != nil {
		if err = verify(f); err != nil {
			return err
		}
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, out); err != nil {
		return err
	}
	if d, derr := os.Open(filepath.Dir(out)); derr == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// createTemp makes a new, unique temp file beside out (O_EXCL, never an
// existing file or link), so that two joins of the same output cannot
// collide and a planted symlink is never written through.
func createTemp(out string) (*os.File, error) {
	f, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*.tmp")
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(0o644); err != nil { // CreateTemp makes it private
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return f, nil
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
