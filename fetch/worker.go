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

// acceptRange are the statuses a ranged request can be answered with;
// acceptResponse sorts them out. Any other is a *request.StatusError.
func acceptRange(status int) bool {
	return status == http.StatusOK || status == http.StatusPartialContent || status == http.StatusRequestedRangeNotSatisfiable
}

// fetchSpan issues one request at url for the next piece of sp and
// writes what arrives: the attempt that the client's retry loop
// decorates (runSpan). A failure is an error; errors after the server
// answered are *replyError, so that they do not move the part to a
// mirror.
func (j *Job) fetchSpan(ctx context.Context, sp *span, url string) (outcome, error) {
	p := sp.part
	j.mu.Lock()
	if sp.gen != p.gen {
		j.mu.Unlock()
		return spanStale, nil
	}
	pos, end, noRanges := sp.pos, sp.end, p.noRanges
	if end >= 0 && pos >= end {
		j.mu.Unlock()
		// Nothing left to fetch (a stolen-down span, or an empty part).
		if _, err := j.openPart(p); err != nil {
			return 0, err
		}
		j.markWritten(sp, pos, 0)
		return spanDone, nil
	}
	reqEnd := int64(-1) // open-ended: no range support, read to the end
	if !noRanges {
		if sp.window <= 0 {
			sp.window = j.initialWindowLocked(p)
		}
		switch {
		case sp.race != nil:
			reqEnd = end // a racer asks for the whole tail
		case end >= 0:
			reqEnd = min(end, pos+sp.window)
		default:
			reqEnd = pos + sp.window
		}
	}
	sp.reqEnd, sp.stolen = reqEnd, false
	// The scheduler ends a request with a cause (spanSlow, spanLost).
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
			return j.refusal(sp, se)
		}
		return 0, err
	}
	defer resp.Body.Close()

	respEnd, o, err := j.acceptResponse(sp, resp, url, pos, reqEnd, noRanges)
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

// refusal handles a status the part's range was refused with: a host that
// caps connections gives the range back to the connections it serves; a
// URL that delivered before and now answers 403 or 410 has expired.
func (j *Job) refusal(sp *span, se *request.StatusError) (outcome, error) {
	p := sp.part
	j.mu.Lock()
	limited := (se.StatusCode == http.StatusTooManyRequests || se.StatusCode == http.StatusServiceUnavailable) &&
		j.noteRefusalLocked(sp)
	delivered := p.delivered
	j.mu.Unlock()
	if limited {
		return spanRefused, nil
	}
	if (se.StatusCode == http.StatusForbidden || se.StatusCode == http.StatusGone) && delivered {
		return 0, fmt.Errorf("%w: %w", ErrExpired, se)
	}
	return 0, se
}

// initialWindowLocked is the length of a span's first request: an even
// share of the part (so a ramp-up asks for what each connection will
// fetch), within bounds; it doubles with every request nobody stole from.
func (j *Job) initialWindowLocked(p *partState) int64 {
	if p.size < 0 {
		if len(j.parts) >= 2*j.opts.Connections {
			return 8 << 20 // a segment among many: most fit in one request
		}
		// The size comes back with the first 206; then the rest is free
		// for the connections that fewer parts than connections leave
		// idle, without cutting a transfer short.
		return 1 << 20
	}
	share := p.size / int64(j.opts.Connections)
	return min(max(share, 1<<20, 2*j.opts.MinSplit), 32<<20)
}

// acceptResponse checks status, Content-Range and validators against the
// plan, learning the size and validators on first contact. It adjusts the
// part when the server turns out not to support ranges. respEnd is where
// this response's bytes end (part-relative), -1 when it runs to EOF; o is
// spanMore when the body is to be read, else how the request ended.
func (j *Job) acceptResponse(sp *span, resp *http.Response, url string, pos, reqEnd int64, noRanges bool) (respEnd int64, o outcome, err error) {
	p := sp.part
	if ce := resp.Header.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") &&
		resp.StatusCode/100 == 2 {
		// Asked for identity; an encoded body's bytes are not the file's.
		return 0, 0, request.Permanent(fmt.Errorf("%w: GET %s: the server sent a %q-encoded body, not the file's bytes",
			request.ErrBadReply, request.Redact(url), ce))
	}
	total := int64(-1)
	respEnd = -1
	switch {
	case resp.StatusCode == http.StatusPartialContent && !noRanges:
		cr, err := parseContentRange(resp.Header.Get("Content-Range"))
		if err != nil || cr.First != p.offset+pos || (reqEnd >= 0 && cr.Last > p.offset+reqEnd-1) {
			// The server's ranges cannot be trusted: fall back to one
			// plain stream rather than place bytes at a guessed offset.
			j.mu.Lock()
			if sp.gen == p.gen && !p.noRanges {
				j.log.Warn("server sent a wrong Content-Range; falling back to a single stream",
					"part", p.idx, "content_range", resp.Header.Get("Content-Range"), "want_start", pos)
				p.noRanges = true
				j.resetLocked(p, "")
			}
			j.mu.Unlock()
			return 0, spanStale, nil
		}
		total, respEnd = cr.Total, cr.Last+1-p.offset
		if p.length > 0 {
			if total, err = p.rangeTotal(cr.Total); err != nil {
				return 0, 0, err
			}
		}
		defer func() {
			j.mu.Lock()
			if err == nil && o == spanMore && sp.gen == p.gen {
				j.noteAcceptedLocked(sp)
				if !p.confirmed {
					p.confirmed = true
					j.broadcastLocked() // idle workers may now split this part
				}
			}
			j.mu.Unlock()
		}()
	case resp.StatusCode == http.StatusOK:
		total = resp.ContentLength
		if p.length > 0 {
			var err error
			if total, err = p.rangeTotal(total); err != nil {
				return 0, 0, err
			}
		}
		if !noRanges {
			j.mu.Lock()
			if sp.gen != p.gen {
				j.mu.Unlock()
				return 0, spanStale, nil
			}
			// A 200 to a ranged request: no range support. From byte 0 this
			// body is usable as is; from anywhere else it is not.
			if !p.noRanges {
				j.log.Info("server ignores Range; using a single stream", "part", p.idx)
			}
			p.noRanges = true
			if pos != 0 {
				j.resetLocked(p, "")
				j.mu.Unlock()
				return 0, spanStale, nil
			}
			j.mu.Unlock()
		}
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable:
		j.mu.Lock()
		defer j.mu.Unlock()
		if sp.gen == p.gen {
			if p.size < 0 && pos > 0 && p.done.covers(pos) {
				// A file of unknown size ends exactly here.
				p.size, sp.end = pos, pos
				j.checkCompleteLocked(p)
				return 0, spanStale, nil
			}
			// The file got shorter than our progress: it changed.
			j.resetLocked(p, "range not satisfiable")
		}
		return 0, spanStale, nil
	default:
		// A 206 to a request without Range: nothing this plan can place.
		return 0, 0, request.NewStatusError(resp, request.Redact(url))
	}
	o, err = j.checkIdentity(sp, total, resp.Header)
	return respEnd, o, err
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

// checkIdentity compares the response's size and validators with what the
// part's progress belongs to; on a mismatch the progress is discarded
// (bytes of two versions are never mixed). On first contact it records them.
func (j *Job) checkIdentity(sp *span, total int64, h http.Header) (outcome, error) {
	p := sp.part
	etag, lastMod := h.Get("ETag"), h.Get("Last-Modified")
	j.mu.Lock()
	defer j.mu.Unlock()
	if sp.gen != p.gen {
		return spanStale, nil
	}
	var why string
	switch {
	case total >= 0 && p.size >= 0 && total != p.size && !(p.hinted && len(p.done) == 0):
		why = fmt.Sprintf("size %d, was %d", total, p.size)
	case etag != "" && p.etag != "" && etag != p.etag:
		why = fmt.Sprintf("ETag %s, was %s", etag, p.etag)
	case lastMod != "" && p.lastMod != "" && lastMod != p.lastMod:
		why = fmt.Sprintf("Last-Modified %s, was %s", lastMod, p.lastMod)
	}
	if why != "" {
		firstByte := sp.pos == 0
		j.resetLocked(p, why)
		p.etag, p.lastMod, p.size = etag, lastMod, total
		if p.noRanges && firstByte {
			// This response is a whole fresh body from byte 0: keep it.
			sp.gen = p.gen
			sp.end = total
			return spanMore, nil
		}
		return spanStale, nil
	}
	p.hinted = false
	if etag != "" {
		p.etag = etag
	}
	if lastMod != "" {
		p.lastMod = lastMod
	}
	if total >= 0 && p.size != total {
		p.size = total
		j.broadcastLocked() // the part can now be split
	}
	if sp.end < 0 || sp.end > p.size && p.size >= 0 {
		sp.end = p.size
	}
	return spanMore, nil
}
