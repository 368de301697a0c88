package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/vdlproject/vdl/request"
)

// readChunk is the most one body read moves before the bookkeeping runs.
const readChunk = 128 << 10

// fetchSpan issues one request for the unfinished part of sp and writes
// what arrives. It returns nil when the span is finished (or was stolen
// down to nothing), errStale/errRestart when the plan changed, or the
// error of this attempt.
func (j *Job) fetchSpan(ctx context.Context, sp *span) error {
	p := sp.part
	j.mu.Lock()
	if sp.gen != p.gen {
		j.mu.Unlock()
		return errStale
	}
	pos, end, url, noRanges := sp.pos, sp.end, p.mirrors.URL(), p.noRanges
	j.mu.Unlock()
	if end >= 0 && pos >= end {
		// Nothing left to fetch (a stolen-down span, or an empty part).
		if _, err := j.openPart(p); err != nil {
			return err
		}
		j.markWritten(sp, pos, 0)
		return nil
	}

	// The watchdog bounds the wait for headers by the policy's timeout,
	// then every silence of the body by StallTimeout.
	headerTimeout := j.opts.Client.Policy.HeaderTimeout()
	reqCtx, wd := request.Watch(ctx, headerTimeout)
	defer wd.Stop()
	req, err := http.NewRequestWithContext(reqCtx, http.MethodGet, url, nil)
	if err != nil {
		return request.Permanent(fmt.Errorf("bad URL %q: %w", request.Redact(url), err))
	}
	for k, vs := range p.header {
		req.Header[k] = append([]string(nil), vs...)
	}
	// Compressed transfer would make byte positions meaningless.
	req.Header.Set("Accept-Encoding", "identity")
	if !noRanges {
		if end >= 0 {
			req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", p.offset+pos, p.offset+end-1))
		} else {
			req.Header.Set("Range", fmt.Sprintf("bytes=%d-", p.offset+pos))
		}
	}
	resp, err := j.opts.Client.HTTP.Do(req)
	if err != nil {
		if wd.Fired() && ctx.Err() == nil {
			err = &request.TimeoutError{What: "no response headers", After: headerTimeout, URL: request.Redact(url)}
		}
		if ctx.Err() == nil && j.switchMirror(p, url, err) {
			return errMirror
		}
		return err
	}
	defer resp.Body.Close()
	wd.Reset(j.opts.StallTimeout)

	if err := j.acceptResponse(sp, resp, url, pos, end, noRanges); err != nil {
		return err
	}
	body := io.Reader(resp.Body)
	if resp.StatusCode == http.StatusOK && p.offset > 0 {
		// A whole file for a byte-range part: skip to the range.
		if _, err := io.CopyN(io.Discard, body, p.offset); err != nil {
			return request.Transient(fmt.Errorf("%w before byte %d: %w", errShortBody, p.offset, err))
		}
	}
	j.mu.Lock()
	sp.reqAt, sp.reqBytes = time.Now(), 0
	j.mu.Unlock()
	return j.copyBody(ctx, sp, body, wd)
}

// acceptResponse checks status, Content-Range and validators against the
// plan, learning the size and validators on first contact. It adjusts the
// part when the server turns out not to support ranges.
func (j *Job) acceptResponse(sp *span, resp *http.Response, url string, pos, end int64, noRanges bool) error {
	p := sp.part
	total := int64(-1)
	switch {
	case resp.StatusCode == http.StatusPartialContent && !noRanges:
		cr, err := parseContentRange(resp.Header.Get("Content-Range"))
		if err != nil || cr.First != p.offset+pos || (end >= 0 && cr.Last > p.offset+end-1) {
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
			return errStale
		}
		total = cr.Total
		if p.length > 0 {
			if total, err = p.rangeTotal(cr.Total); err != nil {
				return err
			}
		}
		defer func() {
			j.mu.Lock()
			if sp.gen == p.gen && !p.confirmed {
				p.confirmed = true
				j.broadcastLocked() // idle workers may now split this part
			}
			j.mu.Unlock()
		}()
	case resp.StatusCode == http.StatusOK:
		total = resp.ContentLength
		if p.length > 0 {
			var err error
			if total, err = p.rangeTotal(total); err != nil {
				return err
			}
		}
		if !noRanges {
			j.mu.Lock()
			if sp.gen != p.gen {
				j.mu.Unlock()
				return errStale
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
				return errStale
			}
			j.mu.Unlock()
		}
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable:
		j.mu.Lock()
		defer j.mu.Unlock()
		if sp.gen == p.gen {
			// The file got shorter than our progress: it changed.
			j.resetLocked(p, "range not satisfiable")
		}
		return errStale
	default:
		se := request.NewStatusError(resp, request.Redact(resp.Request.URL.String()))
		if j.switchMirror(p, url, se) {
			return errMirror
		}
		j.mu.Lock()
		delivered := p.delivered
		j.mu.Unlock()
		if (resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusGone) && delivered {
			return fmt.Errorf("%w: %w", ErrExpired, se)
		}
		return se
	}
	return j.checkIdentity(sp, total, resp.Header)
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
func (j *Job) checkIdentity(sp *span, total int64, h http.Header) error {
	p := sp.part
	etag, lastMod := h.Get("ETag"), h.Get("Last-Modified")
	j.mu.Lock()
	defer j.mu.Unlock()
	if sp.gen != p.gen {
		return errStale
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
			return nil
		}
		return errStale
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
	return nil
}

// copyBody streams the response into the part file, honouring span
// shrinkage by stealers, the rate limiter and the stall watchdog.
func (j *Job) copyBody(ctx context.Context, sp *span, body io.Reader, wd *request.Watchdog) error {
	p := sp.part
	f, err := j.openPart(p)
	if err != nil {
		return err
	}
	j.conns.Add(1)
	defer j.conns.Add(-1)
	chunk := readChunk
	if j.opts.Limiter != nil {
		// Small reads keep a limited stream smooth instead of bursty.
		chunk = min(chunk, max(j.opts.Limiter.Burst(), 1))
	}
	buf := make([]byte, chunk)
	for {
		n, rerr := body.Read(buf)
		if n > 0 {
			wd.Reset(0)
			if j.opts.Limiter != nil {
				if err := j.opts.Limiter.WaitN(ctx, n); err != nil {
					return err
				}
			}
			j.mu.Lock()
			if sp.gen != p.gen {
				j.mu.Unlock()
				return errStale
			}
			at := sp.pos
			if sp.end >= 0 {
				n = int(min(int64(n), sp.end-at))
			}
			sp.pos += int64(n)
			j.mu.Unlock()
			if _, err := f.WriteAt(buf[:n], at); err != nil {
				return &fileError{fmt.Errorf("write %s: %w", p.path, err)}
			}
			finished := j.markWritten(sp, at, int64(n))
			if finished {
				return nil
			}
		}
		if rerr == nil {
			continue
		}
		if errors.Is(rerr, io.EOF) {
			return j.endOfBody(sp)
		}
		if wd.Fired() && ctx.Err() == nil {
			return errStalled
		}
		return rerr
	}
}

// markWritten records [at, at+n) as on disk and reports whether the span
// has reached its end.
func (j *Job) markWritten(sp *span, at, n int64) bool {
	p := sp.part
	j.mu.Lock()
	defer j.mu.Unlock()
	if sp.gen != p.gen {
		return true
	}
	sp.written = at + n
	sp.reqBytes += n
	if n > 0 {
		p.done = p.done.add(Range{at, at + n})
		p.delivered = true
		p.mirrors.Delivered()
		j.done.Add(n)
	}
	if sp.end >= 0 && sp.pos >= sp.end {
		j.checkCompleteLocked(p)
		return true
	}
	return false
}

// endOfBody handles EOF: for an unknown size it defines the size; for a
// known one it must coincide with the span's end.
func (j *Job) endOfBody(sp *span) error {
	p := sp.part
	j.mu.Lock()
	defer j.mu.Unlock()
	if sp.gen != p.gen {
		return errStale
	}
	if sp.end < 0 {
		p.size = sp.pos
		sp.end = sp.pos
		j.checkCompleteLocked(p)
		return nil
	}
	if sp.pos < sp.end {
		return request.Transient(fmt.Errorf("%w at byte %d of %d", errShortBody, sp.pos, sp.end))
	}
	return nil
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
