package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/vdlproject/vdl/request"
)

// accept checks status, Content-Range and validators against the plan
// ([pos, reqEnd) of the part), and tells the scheduler what the response
// shows: the size and validators on first contact, no range support,
// a changed file. respEnd is where this response's bytes end
// (part-relative), -1 when it runs to EOF; o is spanMore when the body
// is to be read, else how the request ended.
func (j *Job) accept(sp *span, resp *http.Response, url string, pos, reqEnd int64, noRanges bool) (respEnd int64, o outcome, err error) {
	p := sp.part
	if ce := resp.Header.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") &&
		resp.StatusCode/100 == 2 {
		// Asked for identity; an encoded body's bytes are not the file's.
		return 0, 0, request.Permanent(fmt.Errorf("%w: GET %s: the server sent a %q-encoded body, not the file's bytes",
			request.ErrBadReply, request.Redact(url), ce))
	}
	total := int64(-1)
	respEnd = -1
	ranged := false
	switch {
	case resp.StatusCode == http.StatusPartialContent && !noRanges:
		cr, err := parseContentRange(resp.Header.Get("Content-Range"))
		if err != nil || cr.First != p.offset+pos || (reqEnd >= 0 && cr.Last > p.offset+reqEnd-1) {
			j.mu.Lock()
			j.sched.wrongRange(sp, resp.Header.Get("Content-Range"), pos)
			j.mu.Unlock()
			return 0, spanStale, nil
		}
		total, respEnd, ranged = cr.Total, cr.Last+1-p.offset, true
	case resp.StatusCode == http.StatusOK:
		total = resp.ContentLength
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable:
		j.mu.Lock()
		j.sched.unsatisfiable(sp, pos)
		j.mu.Unlock()
		return 0, spanStale, nil
	default:
		// A 206 to a request without Range: nothing this plan can place.
		return 0, 0, request.NewStatusError(resp, request.Redact(url))
	}
	if p.length > 0 {
		if total, err = p.rangeTotal(total); err != nil {
			return 0, 0, err
		}
	}
	etag, lastMod := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	j.mu.Lock()
	defer j.mu.Unlock()
	if resp.StatusCode == http.StatusOK && !noRanges {
		if o := j.sched.ignoresRange(sp, pos); o != spanMore {
			return 0, o, nil
		}
	}
	o = j.sched.identity(sp, total, etag, lastMod)
	if ranged && o == spanMore {
		j.sched.confirm(sp)
	}
	return respEnd, o, nil
}

// rangeTotal maps the remote file's size to the size of a byte-range part.
// A file too short to hold the range is a permanent error.
func (p *partState) rangeTotal(fileSize int64) (int64, error) {
	if fileSize >= 0 && fileSize < p.offset+p.length {
		return 0, fmt.Errorf("%w: byte range %d-%d of %s is past its end (%d bytes)",
			errRangeMissing, p.offset, p.offset+p.length-1, request.Redact(p.mirrors.URL()), fileSize)
	}
	return p.length, nil
}

// copyBody streams a response into the part file, honouring span
// shrinkage by stealers, races and the rate limiter; the body's
// watchdog (request.Client.Send) bounds its silences. The body begins
// at pos of the part; respEnd is where its bytes end (-1: at EOF). mark,
// if set, is the connection's low-water mark, raised while much of the
// body is still to come and back at 1 when it returns.
func (j *Job) copyBody(ctx, reqCtx context.Context, sp *span, body io.Reader, pos, respEnd int64, mark *waterMark) (outcome, error) {
	f, err := j.openPart(sp.part)
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
	if respEnd < 0 {
		mark = nil
	}
	defer mark.set(1)
	var rate float64
	var beforeRead func(got int)
	if mark != nil {
		// The mark is set again before every read, for the bytes still
		// to come then.
		beforeRead = func(got int) { mark.forRemaining(respEnd-pos-int64(got), rate, j.opts.StallTimeout) }
	}
	for {
		if mark != nil {
			j.mu.Lock()
			rate, _ = sp.w.m.rate(j.now())
			j.mu.Unlock()
		}
		n, rerr := j.readSome(body, buf, fill, beforeRead)
		pos += int64(n)
		if n > 0 {
			if o, ended, err := j.store(ctx, f, sp, body, buf[:n], respEnd, mark); ended || err != nil {
				return o, err
			}
		}
		if rerr != nil {
			return j.bodyEnded(ctx, reqCtx, sp, respEnd, rerr)
		}
	}
}

// store writes the bytes in buf that arrived for sp, the part of them
// the scheduler reserves, and records them. ended reports that the
// request is over, o saying how; a drain then keeps the connection for
// the next request when that is cheap.
func (j *Job) store(ctx context.Context, f *os.File, sp *span, body io.Reader, buf []byte, respEnd int64, mark *waterMark) (o outcome, ended bool, err error) {
	n := int64(len(buf))
	if j.opts.Limiter != nil {
		if err := j.opts.Limiter.WaitN(ctx, len(buf)); err != nil {
			return 0, true, err
		}
	}
	j.mu.Lock()
	at, skip, keep, o := j.sched.reserve(sp, n, respEnd)
	j.mu.Unlock()
	if o != spanMore {
		return o, true, nil
	}
	if keep > skip {
		if _, err := f.WriteAt(buf[skip:keep], at+skip); err != nil {
			return 0, true, &fileError{fmt.Errorf("write %s: %w", sp.part.path, err)}
		}
	}
	j.mu.Lock()
	finished := j.sched.written(sp, at+skip, keep-skip)
	drainIt := finished && j.sched.worthDraining(sp, respEnd, at+n)
	j.mu.Unlock()
	switch {
	case finished:
		if drainIt {
			mark.set(1) // the mark was for this read, not for the rest
			drain(body, respEnd, at+n)
		}
		return spanDone, true, nil
	case respEnd >= 0 && at+keep >= respEnd:
		mark.set(1)
		drain(body, respEnd, at+keep)
		j.mu.Lock()
		defer j.mu.Unlock()
		return j.sched.requestDone(sp, respEnd), true, nil
	}
	return spanMore, false, nil
}

// bodyEnded turns the end of a body, rerr, into an outcome: EOF where it
// belongs, the scheduler's cancellation, or a failure.
func (j *Job) bodyEnded(ctx, reqCtx context.Context, sp *span, respEnd int64, rerr error) (outcome, error) {
	if errors.Is(rerr, io.EOF) {
		j.mu.Lock()
		defer j.mu.Unlock()
		return j.sched.endOfBody(sp, respEnd)
	}
	if o, ok := givenUp(ctx, reqCtx); ok {
		return o, nil
	}
	if ctx.Err() != nil || errors.As(rerr, new(*request.TimeoutError)) {
		return 0, rerr
	}
	j.mu.Lock()
	at, u := sp.pos, sp.part.mirrors.URL()
	j.mu.Unlock()
	return 0, fmt.Errorf("GET %s: the body broke off at byte %d: %w", request.Redact(u), sp.part.offset+at, rerr)
}

// readSome reads into buf until it holds at least fill bytes, fillWait
// has passed since the first byte, or the body ends or fails;
// beforeRead, if set, is told before each read how much buf holds.
func (j *Job) readSome(body io.Reader, buf []byte, fill int, beforeRead func(got int)) (int, error) {
	got := 0
	var first time.Time
	for {
		if beforeRead != nil {
			beforeRead(got)
		}
		n, err := body.Read(buf[got:])
		if n > 0 {
			if got == 0 {
				first = j.now()
			}
			got += n
		}
		if err != nil || got >= fill || got == len(buf) || got > 0 && j.now().Sub(first) >= fillWait {
			return got, err
		}
	}
}

// drain reads the rest of a response whose bytes are no longer wanted
// (nothing, when it delivered its range), so that the connection goes
// back to the pool for the next request. pos is where the stream is.
func drain(body io.Reader, respEnd, pos int64) {
	if respEnd >= 0 && respEnd >= pos {
		_, _ = io.Copy(io.Discard, io.LimitReader(body, respEnd-pos+1))
	}
}
