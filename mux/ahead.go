package mux

import (
	"bytes"
	"context"
	"errors"
	"io"

	"golang.org/x/sync/errgroup"
)

// segmentQueue hands out a list's segments in order, as their plain
// bytes. Encrypted segments are decrypted ahead, on another core, while
// the reader works through the one before: AES-CBC decrypts at about
// 1.4 GB/s on one core here, so decrypting as the join reads would add
// 25 ms per 32 MiB to a join that is otherwise bound by its own parsing
// and writing (bench/aes.sh). Clear segments, and encrypted ones too
// large to hold (aheadLimit), are opened as they are reached.
//
// Memory: at most aheadDepth decrypted segments wait, one is being
// decrypted and one read; their buffers are reused.
type segmentQueue struct {
	segs   []Segment
	i      int   // the next segment handed out
	limit  int64 // the largest segment decrypted ahead (aheadLimit)
	ready  chan aheadSegment
	free   chan []byte
	cancel context.CancelFunc
	g      *errgroup.Group
}

// One segment waiting is enough (decryption outpaces the reader), and
// segments of HLS are a few MiB: at most three buffers of aheadLimit.
const (
	aheadDepth = 1
	aheadLimit = 8 << 20 // plain bytes; larger segments are decrypted as read
)

// aheadSegment is one segment as the decrypting goroutine left it: its
// plain bytes (mem), or nothing when the reader opens it itself.
type aheadSegment struct {
	mem []byte
	err error
}

// newSegmentQueue starts decrypting ahead when any segment is encrypted;
// close stops it. ctx bounds the decryption.
func newSegmentQueue(ctx context.Context, segs []Segment) *segmentQueue {
	return newSegmentQueueLimit(ctx, segs, aheadLimit)
}

// newSegmentQueueLimit is newSegmentQueue decrypting ahead segments of at
// most limit plain bytes.
func newSegmentQueueLimit(ctx context.Context, segs []Segment, limit int64) *segmentQueue {
	q := &segmentQueue{segs: segs, limit: limit}
	keyed := false
	for _, s := range segs {
		keyed = keyed || s.Key != nil
	}
	if !keyed || len(segs) < 2 {
		return q
	}
	ctx, q.cancel = context.WithCancel(ctx)
	q.ready = make(chan aheadSegment, aheadDepth)
	q.free = make(chan []byte, aheadDepth+2)
	q.g, ctx = errgroup.WithContext(ctx)
	q.g.Go(func() error { return q.decryptAll(ctx) })
	return q
}

// decryptAll decrypts every encrypted segment, in order, into the queue.
func (q *segmentQueue) decryptAll(ctx context.Context) error {
	defer close(q.ready)
	for _, s := range q.segs {
		var a aheadSegment
		if s.Key != nil {
			a.mem, a.err = q.decrypt(s)
		}
		select {
		case q.ready <- a:
		case <-ctx.Done():
			return ctx.Err()
		}
		if a.err != nil {
			return nil // handed over: the reader reports it at its segment
		}
	}
	return nil
}

// decrypt reads and decrypts one segment whole into a reused buffer; nil
// (and no error) when it is too large to hold.
func (q *segmentQueue) decrypt(s Segment) ([]byte, error) {
	c, err := openCBCFile(s)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if c.size > q.limit {
		return nil, nil
	}
	var buf []byte
	select {
	case buf = <-q.free:
	default:
	}
	if int64(cap(buf)) < c.size {
		// Rounded up, so that the next segments (of about the same
		// size) fit the same buffer: fresh ones cost page faults.
		buf = make([]byte, (c.size+1<<20-1)&^(1<<20-1))
	}
	buf = buf[:c.size]
	if _, err := c.ReadAt(buf, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return buf, nil
}

// next returns the next segment's plain bytes and the segment; io.EOF
// after the last.
func (q *segmentQueue) next() (io.ReadCloser, Segment, error) {
	if q.i >= len(q.segs) {
		return nil, Segment{}, io.EOF
	}
	s := q.segs[q.i]
	q.i++
	if q.ready == nil {
		r, err := openSegment(s)
		return r, s, err
	}
	a, ok := <-q.ready
	switch {
	case !ok: // stopped early: the join's context ended
		err := q.g.Wait()
		if err == nil {
			err = context.Canceled
		}
		return nil, s, err
	case a.err != nil:
		return nil, s, a.err
	case a.mem == nil:
		r, err := openSegment(s)
		return r, s, err
	}
	return &heldSegment{Reader: bytes.NewReader(a.mem), buf: a.mem, q: q}, s, nil
}

// close stops the decryption and waits for it.
func (q *segmentQueue) close() {
	if q.cancel == nil {
		return
	}
	q.cancel()
	for range q.ready { // unblock a send; the buffers are dropped
	}
	q.g.Wait()
	q.cancel = nil
}

// heldSegment reads a decrypted segment from memory; Close gives its
// buffer back for the next one.
type heldSegment struct {
	*bytes.Reader
	buf []byte
	q   *segmentQueue
}

func (h *heldSegment) Close() error {
	if h.buf != nil {
		select {
		case h.q.free <- h.buf[:0]:
		default:
		}
		h.buf = nil
	}
	return nil
}
