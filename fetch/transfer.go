package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/vdlproject/vdl/request"
)

// The transfer loop: a span's requests, each turned from a response
// into a typed outcome (or an error for the retry loop), with every
// decision left to the scheduler (outcomes.go).

const (
	// readChunk is the most one write moves before the bookkeeping runs.
	readChunk = 128 << 10
	// A body read gathers at least minFill bytes, or waits at most
	// fillWait, before the bookkeeping and the write: a trickle of small
	// packets would otherwise cost a lock and a syscall each.
	minFill  = 64 << 10
	fillWait = 20 * time.Millisecond
)

// outcome is how one request of a span ended when it did not fail.
type outcome int

const (
	// spanDone: the span's range is on disk (or was stolen down to nothing).
	spanDone outcome = iota
	// spanMore: the request delivered its piece and the span goes on with
	// the next one, on the same kept-alive connection.
	spanMore
	// spanStale: the part was reset (remote changed, no range support);
	// the span's bytes are no longer wanted.
	spanStale
	// spanLost: the other stream of a race delivered these bytes first.
	spanLost
	// spanSlow: the connection stayed far below the job's median speed;
	// its range goes back to the others.
	spanSlow
	// spanRefused: the host refused one more connection while others
	// ran; it now gets fewer, and the range goes back to them.
	spanRefused
)

// Causes with which the scheduler ends a request (context.Cause).
var (
	errSlow     = errors.New("connection far below the median speed")
	errRaceLost = errors.New("the other stream of a race was faster")
)

// runSpan fetches one span, request after request, under the client's
// retry loop (request.Client.Retry): one attempt is the span's requests
// from where it stands until one fails. The span stays claimed while it
// backs off, so idle workers may steal from it. dropped reports that the
// span was given up for being far slower than the others.
func (j *Job) runSpan(ctx context.Context, sp *span) (dropped bool, err error) {
	defer func() {
		j.mu.Lock()
		j.sched.release(sp, err != nil)
		j.mu.Unlock()
	}()
	began, from := j.now(), j.spanPos(sp)
	urls := &partURLs{j: j, p: sp.part}
	out := spanDone
	err = sp.w.client.Retry(ctx, urls, request.Retry{
		Retryable: retryable,
		// A race's stream that fails leaves the bytes to the other one.
		Stop: func(error) bool {
			j.mu.Lock()
			defer j.mu.Unlock()
			if sp.race != nil {
				out = spanLost
			}
			return sp.race != nil
		},
		Log: j.log.With("part", sp.part.idx),
	}, func(ctx context.Context, u string) (progressed bool, err error) {
		before := j.spanPos(sp)
		for {
			urls.tried = u
			o, err := j.request(ctx, sp, u)
			if err != nil {
				return j.spanPos(sp) > before, err
			}
			if o != spanMore {
				out = o
				return false, nil
			}
			u = urls.URL() // the part may have moved to a mirror meanwhile
		}
	})
	switch {
	case ctx.Err() != nil:
		return false, ctx.Err()
	case err != nil:
		return false, fmt.Errorf("part %d: %w", sp.part.idx, err)
	}
	switch out {
	case spanDone:
		j.log.Debug("range done", "part", sp.part.idx, "from", from, "bytes", j.spanPos(sp)-from,
			"took", j.now().Sub(began).Round(time.Millisecond))
		return false, j.finishPartIfComplete(sp.part)
	case spanSlow:
		j.log.Debug("dropped a slow connection; its range goes to the others", "part", sp.part.idx, "at", j.spanPos(sp))
		return true, nil
	}
	return false, nil // the range is someone else's now, or goes back to the pool
}

func (j *Job) spanPos(sp *span) int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return sp.pos
}

// acceptRange are the statuses a ranged request can be answered with;
// accept sorts them out. Any other is a *request.StatusError.
func acceptRange(status int) bool {
	return status == http.StatusOK || status == http.StatusPartialContent || status == http.StatusRequestedRangeNotSatisfiable
}

// request issues one request at url for the next piece of sp and writes
// what arrives: the attempt that the client's retry loop decorates
// (runSpan). A failure is an error; errors after the server answered
// are *replyError, so that they do not move the part to a mirror.
func (j *Job) request(ctx context.Context, sp *span, url string) (outcome, error) {
	p := sp.part
	j.mu.Lock()
	pos, reqEnd, noRanges, o := j.sched.plan(sp)
	if o != spanMore {
		j.mu.Unlock()
		if o == spanDone {
			if _, err := j.openPart(p); err != nil {
				return 0, err
			}
			j.mu.Lock()
			j.sched.written(sp, pos, 0)
			j.mu.Unlock()
		}
		return o, nil
	}
	// The scheduler ends a request with a cause (errSlow, errRaceLost).
	reqCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sp.cancel = cancel
	j.mu.Unlock()
	defer func() {
		j.mu.Lock()
		sp.cancel, sp.transferring = nil, false
		j.mu.Unlock()
	}()

	h := make(http.Header, len(p.header)+2)
	for k, vs := range p.header {
		h[k] = vs
	}
	// Compressed transfer would make byte positions meaningless.
	h.Set("Accept-Encoding", "identity")
	if reqEnd >= 0 {
		h.Set("Range", fmt.Sprintf("bytes=%d-%d", p.offset+pos, p.offset+reqEnd-1))
	}
	// The policy's timeout bounds the wait for headers, StallTimeout
	// every silence of the body.
	resp, err := sp.w.client.Send(reqCtx, request.Spec{URL: url, Header: h, Accept: acceptRange, Stall: j.opts.StallTimeout}, url)
	if err != nil {
		if o, ok := givenUp(ctx, reqCtx); ok {
			return o, nil
		}
		var se *request.StatusError
		if errors.As(err, &se) {
			return j.refused(sp, se)
		}
		return 0, err
	}
	defer resp.Body.Close()

	respEnd, o, err := j.accept(sp, resp, url, pos, reqEnd, noRanges)
	if err != nil || o != spanMore {
		return o, wrapReply(err)
	}
	body := io.Reader(resp.Body)
	if skip := p.offset + pos; resp.StatusCode == http.StatusOK && skip > 0 {
		// A 200 is the whole file from its first byte, whatever was asked:
		// skip to the byte-range part, and past what is already on disk.
		// A stream that cannot get that far fails and is retried; it never
		// writes byte 0 at a later offset.
		if _, err := io.CopyN(io.Discard, body, skip); err != nil {
			if o, ok := givenUp(ctx, reqCtx); ok {
				return o, nil
			}
			return 0, &replyError{request.Transient(fmt.Errorf("%w before byte %d: %w", errShortBody, skip, err))}
		}
	}
	o, err = j.copyBody(ctx, reqCtx, sp, body, respEnd)
	return o, wrapReply(err)
}

// wrapReply marks err as a failure after the server answered.
func wrapReply(err error) error {
	if err == nil {
		return nil
	}
	return &replyError{err}
}

// givenUp says whether the scheduler ended the request, and why.
func givenUp(ctx, reqCtx context.Context) (outcome, bool) {
	if ctx.Err() != nil {
		return 0, false
	}
	switch context.Cause(reqCtx) {
	case errSlow:
		return spanSlow, true
	case errRaceLost:
		return spanLost, true
	}
	return 0, false
}

// refused turns a refusal of sp's request into an outcome or an error: a
// host that caps connections gives the range back to the connections it
// serves; a URL that delivered before and now answers 403 or 410 has
// expired.
func (j *Job) refused(sp *span, se *request.StatusError) (outcome, error) {
	j.mu.Lock()
	limited, delivered := j.sched.refusal(sp, se.StatusCode)
	j.mu.Unlock()
	switch {
	case limited:
		return spanRefused, nil
	case (se.StatusCode == http.StatusForbidden || se.StatusCode == http.StatusGone) && delivered:
		return 0, fmt.Errorf("%w: %w", ErrExpired, se)
	}
	return 0, se
}

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
			ErrRangeMissing, p.offset, p.offset+p.length-1, request.Redact(p.mirrors.URL()), fileSize)
	}
	return p.length, nil
}

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
		n, rerr := j.readSome(body, buf, fill)
		if n > 0 {
			if j.opts.Limiter != nil {
				if err := j.opts.Limiter.WaitN(ctx, n); err != nil {
					return 0, err
				}
			}
			j.mu.Lock()
			at, skip, keep, o := j.sched.reserve(sp, int64(n), respEnd)
			j.mu.Unlock()
			if o != spanMore {
				return o, nil
			}
			if keep > skip {
				if _, err := f.WriteAt(buf[skip:keep], at+skip); err != nil {
					return 0, &fileError{fmt.Errorf("write %s: %w", p.path, err)}
				}
			}
			j.mu.Lock()
			finished := j.sched.written(sp, at+skip, keep-skip)
			drainIt := finished && j.sched.worthDraining(sp, respEnd, at+int64(n))
			j.mu.Unlock()
			switch {
			case finished:
				if drainIt {
					drain(body, respEnd, at+int64(n))
				}
				return spanDone, nil
			case respEnd >= 0 && at+keep >= respEnd:
				drain(body, respEnd, at+keep)
				j.mu.Lock()
				defer j.mu.Unlock()
				return j.sched.requestDone(sp, respEnd), nil
			}
		}
		if rerr == nil {
			continue
		}
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
		at, u := sp.pos, p.mirrors.URL()
		j.mu.Unlock()
		return 0, fmt.Errorf("GET %s: the body broke off at byte %d: %w", request.Redact(u), p.offset+at, rerr)
	}
}

// readSome reads into buf until it holds at least fill bytes, fillWait
// has passed since the first byte, or the body ends or fails.
func (j *Job) readSome(body io.Reader, buf []byte, fill int) (int, error) {
	got := 0
	var first time.Time
	for {
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
