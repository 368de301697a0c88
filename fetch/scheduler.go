package fetch

import (
	"context"
	"errors"
	"net/http"
	"os"
	"time"

	"github.com/vdlproject/vdl/request"
)

// errStale: the span's part was reset (remote changed, no range
// support); its bytes are no longer wanted.
var errStale = errors.New("span superseded")

// partState is the scheduler's view of one part. Fields below mu are
// guarded by Job.mu; file by Job.filesMu.
type partState struct {
	idx    int
	header http.Header
	path   string
	hinted bool // size came from the caller, not yet confirmed by the server
	// offset and length > 0: the part is that byte range of url.
	offset, length int64

	// guarded by Job.mu
	mirrors   *request.Mirrors // the URL in use and its alternatives
	size      int64            // -1 unknown
	etag      string
	lastMod   string
	done      rangeSet
	noRanges  bool // the server ignores Range: one stream from byte 0
	confirmed bool // a 206 with a sound Content-Range came back in this run
	gen       int  // bumped when progress is discarded
	complete  bool
	delivered bool // got bytes from the server at some point (this run or before)

	// guarded by Job.filesMu
	file *os.File
}

// span is a claimed byte range of a part being fetched by one worker.
// Bytes [written, pos) are reserved by a write in flight; [pos, end) are
// still to come. The claim is [written, end): a reserved byte is neither
// free work nor yet done. A stealer splits only [pos, end). end is -1
// while the part's size is unknown.
type span struct {
	part    *partState
	gen     int
	written int64
	pos     int64
	end     int64

	// The current response's start and byte count, to measure its rate.
	reqAt    time.Time
	reqBytes int64
}

// minRateWindow is how long a response must run before its rate counts.
const minRateWindow = 300 * time.Millisecond

// rate returns the span's bytes/s over its current response, or 0 if it
// has not run long enough to tell.
func (s *span) rate(now time.Time) float64 {
	el := now.Sub(s.reqAt)
	if s.reqAt.IsZero() || el < minRateWindow {
		return 0
	}
	return float64(s.reqBytes) / el.Seconds()
}

// next returns the next span to fetch, blocking while all remaining work is
// claimed by others and too small to split. It returns nil when every part
// is complete.
func (j *Job) next(ctx context.Context) (*span, error) {
	for {
		j.mu.Lock()
		sp, allDone := j.pickLocked()
		wait := j.changed
		j.mu.Unlock()
		if sp != nil || allDone {
			return sp, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-wait:
		}
	}
}

// pickLocked claims free work (in part order, so earlier parts of a
// playlist finish first) or steals half of the largest claimed range.
func (j *Job) pickLocked() (sp *span, allDone bool) {
	allDone = true
	for _, p := range j.parts {
		if p.complete {
			continue
		}
		allDone = false
		if sp = j.claimFreeLocked(p); sp != nil {
			return sp, false
		}
	}
	if allDone {
		return nil, true
	}
	return j.stealLocked(), false
}

// claimFreeLocked claims the first unclaimed gap of p, if any.
func (j *Job) claimFreeLocked(p *partState) *span {
	if p.size < 0 || p.noRanges || !p.confirmed {
		// One stream only: the size is unknown (nothing to split yet), the
		// server cannot serve ranges, or it has not yet shown that it can
		// (every extra request would otherwise get the whole body).
		for _, s := range j.spans {
			if s.part == p {
				return nil
			}
		}
		if !p.noRanges && p.size >= 0 {
			// Unconfirmed: probe with the first gap; stealers split it
			// once the server answers 206.
			for _, g := range p.done.gaps(p.size) {
				return j.addSpanLocked(p, g.Start, g.End)
			}
			return nil
		}
		start := int64(0)
		switch {
		case len(p.done) == 0:
		case p.noRanges || p.done[0].Start != 0:
			// Without ranges only a fresh stream from byte 0 is sound.
			j.resetLocked(p, "")
		default:
			start = p.done[0].End // a single stream grows a prefix
		}
		return j.addSpanLocked(p, start, p.size)
	}
	for _, g := range p.done.gaps(p.size) {
		for _, free := range subtractClaims(g, j.spans, p) {
			return j.addSpanLocked(p, free.Start, free.End)
		}
	}
	return nil
}

// subtractClaims returns the pieces of gap g not claimed by spans of p.
func subtractClaims(g Range, spans []*span, p *partState) []Range {
	free := []Range{g}
	for _, s := range spans {
		if s.part != p || s.end < 0 {
			continue
		}
		var next []Range
		for _, f := range free {
			if s.end <= f.Start || s.written >= f.End {
				next = append(next, f)
				continue
			}
			if s.written > f.Start {
				next = append(next, Range{f.Start, s.written})
			}
			if s.end < f.End {
				next = append(next, Range{s.end, f.End})
			}
		}
		free = next
	}
	return free
}

// stealLocked gives an idle worker the tail of the claimed span expected
// to finish last. The split follows the measured speeds, so a connection
// running at a tenth of the others keeps only a tenth-sized share instead
// of half (with no measurements yet, it halves the largest range). A share
// below MinSplit is taken only when the victim would otherwise finish much
// later than a fresh connection: the straggler case.
func (j *Job) stealLocked() *span {
	now := time.Now()
	var sum float64
	var n int
	for _, s := range j.spans {
		if r := s.rate(now); r > 0 {
			sum += r
			n++
		}
	}
	avg := 1.0 // unknown speeds: treat all as equal, so ETA follows size
	if n > 0 {
		avg = sum / float64(n)
	}
	var victim *span
	var victimETA, victimRate float64
	for _, s := range j.spans {
		if s.end < 0 || s.part.noRanges || !s.part.confirmed || s.gen != s.part.gen || s.end <= s.pos {
			continue
		}
		r := avg
		if !s.reqAt.IsZero() && now.Sub(s.reqAt) >= minRateWindow {
			r = max(s.rate(now), avg/1000) // a stalled span is the prime target
		}
		if eta := float64(s.end-s.pos) / r; victim == nil || eta > victimETA {
			victim, victimETA, victimRate = s, eta, r
		}
	}
	if victim == nil {
		return nil
	}
	remaining := victim.end - victim.pos
	keep := int64(float64(remaining) * victimRate / (victimRate + avg))
	share := remaining - keep
	if n == 0 {
		// The ramp-up, no speeds yet. While other parts' probes have not
		// answered, cutting the parts that answered first into pieces
		// smaller than an even share would give them every idle
		// connection; wait for the probes instead (a confirmation wakes
		// the idle workers).
		if claimed, probing := j.claimedLocked(); probing && share < claimed/int64(j.opts.Connections) {
			return nil
		}
	}
	switch {
	case share >= j.opts.MinSplit:
	case n > 0 && share >= minStragglerShare && victimETA > 2*(float64(share)/avg+stealOverhead):
	default:
		return nil
	}
	mid := victim.pos + keep
	end := victim.end
	victim.end = mid
	return j.addSpanLocked(victim.part, mid, end)
}

// claimedLocked sums the unfetched bytes of all claimed spans and says
// whether a probe of a sized part is still waiting for its first 206.
func (j *Job) claimedLocked() (claimed int64, probing bool) {
	for _, s := range j.spans {
		if s.end > s.pos {
			claimed += s.end - s.pos
		}
		if !s.part.confirmed && !s.part.noRanges && s.part.size >= 0 {
			probing = true
		}
	}
	return claimed, probing
}

const (
	// minStragglerShare is the smallest share taken from a straggler.
	minStragglerShare = 64 << 10
	// stealOverhead is the assumed cost in seconds of a new request.
	stealOverhead = 0.25
)

func (j *Job) addSpanLocked(p *partState, start, end int64) *span {
	sp := &span{part: p, gen: p.gen, written: start, pos: start, end: end}
	j.spans = append(j.spans, sp)
	return sp
}

// release drops a span from the claimed set and wakes waiting workers:
// the unfinished rest of a failed span becomes free work again.
func (j *Job) release(sp *span) {
	j.mu.Lock()
	for i, s := range j.spans {
		if s == sp {
			j.spans = append(j.spans[:i], j.spans[i+1:]...)
			break
		}
	}
	j.broadcastLocked()
	j.mu.Unlock()
}

func (j *Job) spanPos(sp *span) int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return sp.pos
}

// broadcastLocked wakes every worker waiting in next.
func (j *Job) broadcastLocked() {
	close(j.changed)
	j.changed = make(chan struct{})
}

// resetLocked discards all progress of p (the remote file changed, or the
// server turned out not to support ranges) and invalidates its spans.
func (j *Job) resetLocked(p *partState, why string) {
	lost := p.done.total()
	if why != "" && lost > 0 {
		j.log.Warn("remote file changed; discarding stale progress", "part", p.idx, "reason", why, "bytes", lost)
	}
	j.done.Add(-lost)
	p.done = nil
	p.gen++
	p.complete = false
	j.broadcastLocked()
}
