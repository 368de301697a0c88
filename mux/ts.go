package mux

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
)

const tsPacket = 188

// JoinTS concatenates MPEG-TS segments into out, decrypting AES-128 ones.
// TS is designed for this: every HLS segment repeats PAT and PMT. Each
// segment must start with a TS sync byte once decrypted, which also
// catches a wrong key, and every packet passes tsCheck.
//
// A continuity-counter jump inside a segment is not an error: the packets
// are copied as they are (see tsCheck); joinTS logs it.
func JoinTS(ctx context.Context, out string, segs []Segment) error {
	return joinTS(ctx, out, segs, slog.New(slog.DiscardHandler))
}

// joinTS is JoinTS, warning on log about continuity-counter jumps.
func joinTS(ctx context.Context, out string, segs []Segment, log *slog.Logger) error {
	if len(segs) == 0 {
		return fmt.Errorf("mux: no segments")
	}
	check := newTSCheck()
	q := newSegmentQueue(ctx, segs)
	defer q.close()
	return writeAtomic(ctx, out, func(w *bufio.Writer) error {
		for range segs {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := copyTS(w, q, check); err != nil {
				return err
			}
		}
		if err := check.finish(); err != nil {
			return err
		}
		check.jumps.warn(log, "joined as they are")
		return nil
	})
}

// copyTS copies the queue's next segment's packets, checked (tscheck.go).
func copyTS(w io.Writer, q *segmentQueue, check *tsCheck) error {
	r, s, err := q.next()
	if err != nil {
		return err
	}
	defer r.Close()
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(tsPacket + 1)
	if len(head) == 0 {
		return fmt.Errorf("%w: %s: empty segment", ErrCorrupt, s.Path)
	}
	if head[0] != 0x47 || (len(head) > tsPacket && head[tsPacket] != 0x47) {
		what := "not an MPEG-TS segment"
		if s.Key != nil {
			what += " after decryption (wrong key or IV?)"
		}
		return fmt.Errorf("%w: %s: %s", ErrCorrupt, s.Path, what)
	}
	check.segment(s.Path)
	return copyCheckedTS(w, br, check)
}

// openInput opens a part, refusing empty files with a clear error.
func openInput(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err == nil && st.Size() == 0 {
		f.Close()
		return nil, fmt.Errorf("%w: %s: empty file", ErrCorrupt, path)
	}
	return f, err
}
