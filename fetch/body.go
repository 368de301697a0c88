package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/vdlproject/vdl/request"
)

// copyBody streams a response into the part file, honouring span
// shrinkage by stealers, races and the rate limiter; the body's
// watchdog (request.Client.Send) bounds its silences. respEnd is where
// the response's bytes end (-1: at EOF).
func (j *Job) copyBody(ctx, reqCtx context.Context, sp *span, body io.Reader, respEnd int64) (outcome, error) {
	p := sp.part
	f, err := j.openPart(p)
	if err != nil {
		return 0, err
	}
	j.mu.Lock()
	sp.transferring = true
	j.mu.Unlock()
	j.conns.Add(1)
	defer j.conns.Add(-1)
	chunk, fill := readChunk, minFill
	if j.opts.Limiter != nil {
		// Small reads keep a limited stream smooth instead of bursty.
		chunk = min(chunk, max(j.opts.Limiter.Burst(), 1))
		fill = 1
	}
	if len(sp.w.buf) < chunk {
		sp.w.buf = make([]byte, readChunk)
	}
	buf := sp.w.buf[:chunk]
	for {
		n, rerr := readSome(body, buf, fill)
		if n > 0 {
			if j.opts.Limiter != nil {
				if err := j.opts.Limiter.WaitN(ctx, n); err != nil {
					return 0, err
				}
			}
			at, skip, keep, o := j.reserve(sp, int64(n), respEnd)
			if o != spanMore {
				return o, nil
			}
			if keep > skip {
				if _, err := f.WriteAt(buf[skip:keep], at+skip); err != nil {
					return 0, &fileError{fmt.Errorf("write %s: %w", p.path, err)}
				}
			}
			if j.markWritten(sp, at+skip, keep-skip) {
				if j.worthDraining(sp, respEnd, at+int64(n)) {
					drain(body, respEnd, at+int64(n))
				}
				return spanDone, nil
			}
			if respEnd >= 0 && at+keep >= respEnd {
				drain(body, respEnd, at+keep)
				return j.requestDone(sp, respEnd), nil
			}
		}
		if rerr == nil {
			continue
		}
		if errors.Is(rerr, io.EOF) {
			return j.endOfBody(sp, respEnd)
		}
		if o, ok := givenUp(ctx, reqCtx); ok {
			return o, nil
		}
		if ctx.Err() != nil || errors.As(rerr, new(*request.TimeoutError)) {
			return 0, rerr
		}
		j.mu.Lock()
		at := sp.pos
		j.mu.Unlock()
		return 0, fmt.Errorf("GET %s: the body broke off at byte %d: %w", request.Redact(p.mirrors.URL()), p.offset+at, rerr)
	}
}

// readSome reads into buf until it holds at least fill bytes, fillWait
// has passed since the first byte, or the body ends or fails.
func readSome(body io.Reader, buf []byte, fill int) (int, error) {
	got := 0
	var first time.Time
	for {
		n, err := body.Read(buf[got:])
		if n > 0 {
			if got == 0 {
				first = time.Now()
			}
			got += n
		}
		if err != nil || got >= fill || got == len(buf) || got > 0 && time.Since(first) >= fillWait {
			return got, err
		}
	}
}

// reserve accounts for n bytes that arrived at the span's stream
// position: they are [at, at+keep) of the part, of which [at, at+skip)
// were delivered already by the other stream of a race and are not
// written again. Bytes past the span's end (stolen while in flight) or
// past the response's end are dropped.
func (j *Job) reserve(sp *span, n, respEnd int64) (at, skip, keep int64, o outcome) {
	p := sp.part
	j.mu.Lock()
	defer j.mu.Unlock()
	if sp.gen != p.gen {
		return 0, 0, 0, spanStale
	}
	at = sp.pos
	if sp.end >= 0 {
		n = min(n, sp.end-at)
	}
	if respEnd >= 0 {
		n = min(n, respEnd-at)
	}
	n = max(n, 0)
	sp.pos += n
	sp.w.m.add(time.Now(), n)
	if r := sp.race; r != nil {
		if at+n <= r.front {
			loseRaceLocked(sp) // everything here came first from the other stream
			return 0, 0, 0, spanLost
		}
		skip = max(r.front-at, 0)
		r.front = at + n
	}
	return at, skip, n, spanMore
}

// maxRequestSeconds bounds how long a grown request runs.
const maxRequestSeconds = 2

// maxDrain is the most of a response read and thrown away to keep its
// connection: a span that ends before its request did (stolen while in
// flight) would otherwise close it, and a new connection costs a
// handshake, or gets a worse path.
const maxDrain = 256 << 10

// maxDrainTime bounds the time a drain may take at the connection's
// speed: on a throttled connection a reconnect is quicker.
const maxDrainTime = 50 * time.Millisecond

// worthDraining says whether the rest of a response that is no longer
// wanted is small enough, in bytes and in time, to read and throw away.
func (j *Job) worthDraining(sp *span, respEnd, pos int64) bool {
	left := respEnd - pos
	if respEnd < 0 || left > maxDrain {
		return false // open-ended or too much: closing is cheaper
	}
	j.mu.Lock()
	r, ok := sp.w.m.rate(time.Now())
	j.mu.Unlock()
	return left == 0 || !ok || r > 0 && float64(left)/r <= maxDrainTime.Seconds()
}

// drain reads the rest of a response whose bytes are no longer wanted
// (nothing, when it delivered its range), so that the connection goes
// back to the pool for the next request. pos is where the stream is.
func drain(body io.Reader, respEnd, pos int64) {
	if respEnd >= 0 && respEnd >= pos {
		_, _ = io.Copy(io.Discard, io.LimitReader(body, respEnd-pos+1))
	}
}

// markWritten records [at, at+n) as on disk and reports whether the span
// has reached its end (for a race: whether either stream has).
func (j *Job) markWritten(sp *span, at, n int64) bool {
	p := sp.part
	j.mu.Lock()
	defer j.mu.Unlock()
	if sp.gen != p.gen {
		return true
	}
	sp.written = max(sp.written, at+n)
	if n > 0 {
		p.done = p.done.add(Range{at, at + n})
		p.delivered = true
		p.mirrors.Reset()
		j.done.Add(n)
	}
	finished := sp.end >= 0 && sp.pos >= sp.end
	if finished {
		sp.w.m.finish(time.Now())
	}
	if r := sp.race; r != nil && sp.end >= 0 && r.front >= sp.end {
		other := r.other(sp)
		loseRaceLocked(other)
		if other.cancel != nil {
			other.cancel(errRaceLost)
		}
		finished = true
	}
	if finished || n > 0 {
		j.checkCompleteLocked(p) // the last bytes may come from either stream of a race
	}
	return finished
}

// requestDone ends a request that delivered its whole range: the window
// doubles if nobody stole from the span meanwhile, and the span goes on
// with the next request (or ends, for a file of unknown size whose
// response was shorter than asked).
func (j *Job) requestDone(sp *span, respEnd int64) outcome {
	p := sp.part
	j.mu.Lock()
	defer j.mu.Unlock()
	if sp.gen != p.gen {
		return spanStale
	}
	sp.w.m.finish(time.Now())
	if sp.end < 0 && sp.reqEnd > respEnd {
		p.size, sp.end = respEnd, respEnd // the file ended before the asked range
		j.checkCompleteLocked(p)
		return spanDone
	}
	if !sp.stolen {
		// Grow, but keep a request to a couple of seconds of transfer,
		// so that the tail can still be split without cutting one short.
		limit := int64(1 << 30)
		if r := sp.w.m.last; r > 0 {
			limit = max(2*j.opts.MinSplit, int64(r*maxRequestSeconds))
		}
		sp.window = max(min(sp.window*2, limit), sp.window)
	}
	return spanMore
}

// endOfBody handles EOF: for an unknown size it defines the size; for a
// known one it must coincide with the response's (or span's) end.
func (j *Job) endOfBody(sp *span, respEnd int64) (outcome, error) {
	p := sp.part
	j.mu.Lock()
	defer j.mu.Unlock()
	if sp.gen != p.gen {
		return spanStale, nil
	}
	want := sp.end
	if respEnd >= 0 {
		want = respEnd
	}
	switch {
	case want < 0:
		p.size = sp.pos
		sp.end = sp.pos
		j.checkCompleteLocked(p)
		return spanDone, nil
	case sp.pos < want:
		return 0, request.Transient(fmt.Errorf("%w at byte %d of %d", errShortBody, sp.pos, want))
	}
	return spanDone, nil
}

// checkCompleteLocked marks p complete when its bytes cover its size, and
// asks for an early checkpoint.
func (j *Job) checkCompleteLocked(p *partState) {
	if p.complete || p.size < 0 || !p.done.covers(p.size) && p.size > 0 {
		return
	}
	p.complete = true
	j.partsDone.Add(1)
	j.broadcastLocked()
	select {
	case j.kick <- struct{}{}:
	default:
	}
}
