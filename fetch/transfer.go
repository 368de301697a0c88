package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
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
	out := spanDone
	urls := &partURLs{j: j, p: sp.part}
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
	}, j.attempt(sp, urls, &out))
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

// attempt is one attempt of sp for the retry loop: its requests from
// where it stands, one after the other on the kept-alive connection,
// until the span ends (out says how) or a request fails. It made
// progress when the span moved on.
func (j *Job) attempt(sp *span, urls *partURLs, out *outcome) request.Attempt {
	return func(ctx context.Context, u string) (progressed bool, err error) {
		before := j.spanPos(sp)
		for {
			urls.tried = u
			o, err := j.request(ctx, sp, u)
			if err != nil {
				return j.spanPos(sp) > before, err
			}
			if o != spanMore {
				*out = o
				return false, nil
			}
			u = urls.URL() // the part may have moved to a mirror meanwhile
		}
	}
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
			return o, j.nothingLeft(sp, pos)
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

	// The policy's timeout bounds the wait for headers, StallTimeout
	// every silence of the body.
	spec := request.Spec{URL: url, Header: rangeHeader(p, pos, reqEnd), Accept: acceptRange, Stall: j.opts.StallTimeout}
	var mark *waterMark
	if j.opts.Limiter == nil { // a limited stream reads small, for smoothness
		reqCtx = httptrace.WithClientTrace(reqCtx, &httptrace.ClientTrace{
			GotConn: func(c httptrace.GotConnInfo) { mark = waterMarkOf(c.Conn) },
		})
	}
	sent := j.now()
	resp, err := sp.w.client.Send(reqCtx, spec, url)
	if err == nil {
		j.mu.Lock()
		sp.w.m.latency = j.now().Sub(sent)
		j.mu.Unlock()
	}
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
	if skip := p.offset + pos; resp.StatusCode == http.StatusOK && skip > 0 {
		// A 200 is the whole file from its first byte, whatever was asked:
		// skip to the byte-range part, and past what is already on disk.
		// A stream that cannot get that far fails and is retried; it never
		// writes byte 0 at a later offset.
		if _, err := io.CopyN(io.Discard, resp.Body, skip); err != nil {
			if o, ok := givenUp(ctx, reqCtx); ok {
				return o, nil
			}
			return 0, &replyError{request.Transient(fmt.Errorf("%w before byte %d: %w", errShortBody, skip, err))}
		}
	}
	o, err = j.copyBody(ctx, reqCtx, sp, resp.Body, pos, respEnd, mark)
	return o, wrapReply(err)
}

// nothingLeft ends a span with nothing to fetch (stolen down to
// nothing, or an empty part): its file exists, and the part may be
// complete.
func (j *Job) nothingLeft(sp *span, pos int64) error {
	if _, err := j.openPart(sp.part); err != nil {
		return err
	}
	j.mu.Lock()
	j.sched.written(sp, pos, 0)
	j.mu.Unlock()
	return nil
}

// rangeHeader is the header of a request for [pos, reqEnd) of p (reqEnd
// -1: to the end, without Range): the part's own headers and identity
// encoding, as compressed transfer would make byte positions
// meaningless.
func rangeHeader(p *partState, pos, reqEnd int64) http.Header {
	h := make(http.Header, len(p.header)+2)
	for k, vs := range p.header {
		h[k] = vs // Send copies the values
	}
	h.Set("Accept-Encoding", "identity")
	if reqEnd >= 0 {
		h.Set("Range", fmt.Sprintf("bytes=%d-%d", p.offset+pos, p.offset+reqEnd-1))
	}
	return h
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
