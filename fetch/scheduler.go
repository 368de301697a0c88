package fetch

import (
	"cmp"
	"context"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/vdlproject/vdl/request"
)

// partState is the scheduler's view of one part. Fields below mu are
// guarded by Job.mu; file by Job.filesMu.
type partState struct {
	idx    int
	header http.Header
	path   string
	hinted bool  // size came from the caller, not yet confirmed by the server
	hint   int64 // the caller's size, -1 if none; recorded in the state
	// offset and length > 0: the part is that byte range of url.
	offset, length int64

	// guarded by Job.mu
	mirrors   *request.Mirrors // the URL in use and its alternatives
	host      string           // of the URL in use
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
// free work nor yet done. end is -1 while the part's size is unknown.
//
// A span is fetched by a series of bounded requests on one kept-alive
// connection: [pos, reqEnd) is on its way, [reqEnd, end) is not asked
// for yet, so a stealer can take it without cutting a transfer short.
// All fields are guarded by Job.mu.
type span struct {
	part    *partState
	w       *worker
	gen     int
	written int64
	pos     int64
	end     int64
	reqEnd  int64 // end of the current request; -1 open-ended; <= pos: none yet
	window  int64 // length of the next request; doubles while nothing is stolen
	stolen  bool  // a stealer took from this span during the current request
	race    *race // set while another span fetches the same bytes
	// cancel ends the current request with a cause; nil between requests.
	cancel       func(error)
	transferring bool      // the current response was accepted; its body is read
	slowSince    time.Time // when the span fell far below the median speed
}

// race is two spans fetching the same tail of a part (the slow tail is
// raced by an idle connection). Bytes below front were written, or are
// being written, by one of them; each writes only what lies past it, so
// nothing is written twice, and the stream that falls behind has lost.
type race struct {
	front int64
	a, b  *span
}

// other returns the span racing sp.
func (r *race) other(sp *span) *span {
	if r.a == sp {
		return r.b
	}
	return r.a
}

// worker is one connection's loop; its meter says how fast it is.
type worker struct {
	slot   slot // its hold on a shared connection budget, if any
	m      meter
	client *request.Client // with a connection pool of its own, when ownPool can make one
	buf    []byte          // read buffer, reused across requests
}

// recheckEvery is how often an idle worker looks again at the claimed
// spans: their measured speeds change, and with them whether a steal or
// a race pays, without any event to wake it.
const recheckEvery = 250 * time.Millisecond

// next returns the next span for w, blocking while all remaining work is
// claimed by others and cannot be split or raced. It returns nil when
// every part is complete.
func (j *Job) next(ctx context.Context, w *worker) (*span, error) {
	t := time.NewTimer(recheckEvery)
	defer t.Stop()
	for {
		if w.slot.s != nil && !w.slot.held {
			j.mu.Lock()
			wake, done := j.changed, j.allDoneLocked()
			j.mu.Unlock()
			if done {
				return nil, nil
			}
			if got, err := w.slot.hold(ctx, wake); err != nil {
				return nil, err
			} else if !got {
				continue // the job changed while waiting for a connection: look again
			}
		}
		j.mu.Lock()
		if j.stopped {
			j.mu.Unlock()
			return nil, nil // another worker's error ends the job
		}
		sp, allDone := j.pickLocked(w)
		wait := j.changed
		j.mu.Unlock()
		if sp != nil || allDone {
			return sp, nil
		}
		w.slot.drop() // nothing here now: another job may use the connection
		t.Reset(recheckEvery)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-wait:
		case <-t.C:
		}
	}
}

// allDoneLocked says whether every part is complete.
func (j *Job) allDoneLocked() bool {
	for _, p := range j.parts {
		if !p.complete {
			return false
		}
	}
	return true
}

// pickLocked claims free work (in part order, so earlier parts of a
// playlist finish first), else steals from the span expected to finish
// last, else races the slowest tail.
func (j *Job) pickLocked(w *worker) (sp *span, allDone bool) {
	allDone = true
	for _, p := range j.parts {
		if p.complete {
			continue
		}
		allDone = false
		if j.hostFullLocked(p.host) {
			continue
		}
		if sp = j.claimFreeLocked(p, w); sp != nil {
			return sp, false
		}
	}
	if allDone {
		return nil, true
	}
	if j.sitsOutLocked(w) {
		return nil, false
	}
	if sp = j.stealLocked(w); sp != nil {
		return sp, false
	}
	return j.raceLocked(w), false
}

// claimFreeLocked claims the first unclaimed gap of p, if any.
func (j *Job) claimFreeLocked(p *partState, w *worker) *span {
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
				return j.addSpanLocked(p, w, g.Start, g.End)
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
		return j.addSpanLocked(p, w, start, p.size)
	}
	for _, g := range p.done.gaps(p.size) {
		for _, free := range subtractClaims(g, j.spans, p) {
			sp := j.addSpanLocked(p, w, free.Start, free.End)
			now := time.Now()
			if avg, median, n := j.speedsLocked(now); n > 0 {
				// A range given back mid-job (a dropped slow connection, a
				// failed span): ask for a first piece only, sized for the
				// connections about to be idle, so that they take the rest
				// without cutting into a transfer.
				mine, _ := stealerRate(w, median)
				first := max(j.opts.MinSplit, (free.End-free.Start)/j.helpersLocked(sp, nil, float64(free.End-free.Start)/mine, now, avg))
				sp.window = min(first, j.initialWindowLocked(p))
			}
			return sp
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

const (
	// minStragglerShare is the smallest share taken from a straggler.
	minStragglerShare = 64 << 10
	// stealOverhead is the assumed cost in seconds of a new request.
	stealOverhead = 0.25
	// minCutGain is how many seconds sooner the split must finish than
	// the victim alone for a transfer to be cut short.
	minCutGain = 0.2
	// cutAfter is how long a victim must have been measured to be cut.
	cutAfter = 500 * time.Millisecond
)

// speedsLocked returns the mean and the median measured rate of the
// workers holding spans (1 when none is measured: ETAs then follow
// sizes) and how many were measured.
func (j *Job) speedsLocked(now time.Time) (avg, median float64, n int) {
	var rates []float64
	var sum float64
	for _, s := range j.spans {
		if r, ok := s.w.m.rate(now); ok && r > 0 {
			sum += r
			rates = append(rates, r)
		}
	}
	if len(rates) == 0 {
		return 1, 1, 0
	}
	slices.Sort(rates)
	return sum / float64(len(rates)), rates[len(rates)/2], len(rates)
}

// stealerRate is what an idle worker is expected to deliver: its last
// transfer's rate, else (a new connection) the median of the others.
// known is false in the second case.
func stealerRate(w *worker, median float64) (r float64, known bool) {
	if w.m.last > 0 {
		return w.m.last, true
	}
	return median, false
}

// slowFactorIdle: a worker known to be this many times slower than the
// best one takes no more work: the fast ones will do it sooner, even
// after finishing what they hold (a host that is kind only to a few
// connections).
const slowFactorIdle = 8

// sitsOutLocked says whether w is known to be far slower than the best
// worker of the job.
func (j *Job) sitsOutLocked(w *worker) bool {
	if w.m.last <= 0 {
		return false
	}
	best := 0.0
	for _, o := range j.workers {
		if o.m.sure { // a guess from a short transfer may be wildly high
			best = max(best, o.m.last)
		}
	}
	return w.m.last*slowFactorIdle < best
}

// spanRate is the rate to expect of a span's worker: measured, a tiny
// one when it stalls (the prime target), else the average.
func spanRate(s *span, now time.Time, avg float64) float64 {
	if r, ok := s.w.m.rate(now); ok {
		return max(r, avg/1000)
	}
	return avg
}

// splittable says whether s may give work to another worker.
func (j *Job) splittableLocked(s *span) bool {
	p := s.part
	return s.end >= 0 && !p.noRanges && p.confirmed && s.gen == p.gen && s.end > s.pos && s.race == nil &&
		!j.hostFullLocked(p.host)
}

// stealLocked gives w the tail of the claimed span expected to finish
// last. The split follows the measured speeds: the victim keeps what it
// can fetch in the time w needs for the rest, so a connection at a tenth
// of w's speed keeps a tenth-sized share. The share comes from the part
// the victim has not requested yet when it can, so its transfer goes on
// untouched; cutting into a transfer is for stragglers only: a victim
// that would otherwise finish far later than w.
func (j *Job) stealLocked(w *worker) *span {
	now := time.Now()
	avg, median, n := j.speedsLocked(now)
	mine, _ := stealerRate(w, median)
	type candidate struct {
		s         *span
		eta, rate float64
	}
	var cands []candidate
	for _, s := range j.spans {
		if j.splittableLocked(s) {
			r := spanRate(s, now, avg)
			cands = append(cands, candidate{s, float64(s.end-s.pos) / r, r})
		}
	}
	// The span expected to finish last first; if it cannot give work,
	// the next.
	slices.SortStableFunc(cands, func(a, b candidate) int { return cmp.Compare(b.eta, a.eta) })
	for _, c := range cands {
		if mid, ok := j.splitPointLocked(c.s, c.eta, c.rate, mine, n, now); ok {
			end := c.s.end
			c.s.end = mid
			c.s.stolen = true
			j.log.Debug("steal", "part", c.s.part.idx, "from", mid, "bytes", end-mid, "victim_rate", int(c.rate), "mine", int(mine))
			sp := j.addSpanLocked(c.s.part, w, mid, end)
			if n > 0 {
				// Ask for a first piece only: the rest stays free for the
				// next idle connections, nothing to cut. In the tail, when
				// many connections are about to be idle at once, each
				// asks for its share of the helpers, not half: one
				// connection holding half in one request would finish
				// last.
				sp.window = max(j.opts.MinSplit, (end-mid)/j.helpersLocked(sp, c.s, float64(end-mid)/mine, now, avg))
			}
			return sp
		}
		if n == 0 {
			break // the ramp-up: only the largest is split
		}
	}
	return nil
}

// helpersLocked counts the connections that can share the work of a
// span stolen from victim, taking about eta seconds alone: its own, the
// idle ones, and those whose spans end within half of eta (at least 2:
// the thief and the next idle connection).
func (j *Job) helpersLocked(sp, victim *span, eta float64, now time.Time, avg float64) int64 {
	busy := map[*worker]bool{}
	helpers := int64(1)
	for _, s := range j.spans {
		busy[s.w] = true
		if s == sp || s == victim || s.end < 0 {
			continue
		}
		if float64(s.end-s.pos)/spanRate(s, now, avg) < eta/2 {
			helpers++
		}
	}
	for _, w := range j.workers {
		if !busy[w] {
			helpers++
		}
	}
	return max(helpers, 2)
}

// splitPointLocked decides where victim is split for a stealer of speed
// mine (see stealLocked); ok is false when it should not be.
func (j *Job) splitPointLocked(victim *span, victimETA, victimRate, mine float64, n int, now time.Time) (mid int64, ok bool) {
	remaining := victim.end - victim.pos
	keep := int64(float64(remaining) * victimRate / (victimRate + mine))
	if n == 0 {
		// The ramp-up, no speeds yet: halve. While other parts' probes
		// have not answered, cutting the parts that answered first into
		// pieces smaller than an even share would give them every idle
		// connection; wait for the probes instead (a confirmation wakes
		// the idle workers).
		keep = remaining / 2
		if claimed, probing := j.claimedLocked(); probing && remaining-keep < claimed/int64(j.opts.Connections) {
			return 0, false
		}
	}
	mid = victim.pos + keep
	unrequested := victim.pos // where the bytes not yet asked for begin
	switch {
	case victim.reqEnd < 0:
		unrequested = victim.end // an open-ended request: all in flight
	case victim.reqEnd > victim.pos:
		unrequested = min(victim.reqEnd, victim.end)
	}
	share := victim.end - mid
	straggler := n > 0 && share >= minStragglerShare && victimETA > 2*(float64(share)/mine+stealOverhead)
	// Cutting into a transfer costs its connection (or a drain): only for
	// a victim measured long enough to trust its speed, when the split
	// finishes clearly sooner than the victim alone would.
	finishAfter := max(float64(keep)/victimRate, float64(share)/mine+stealOverhead)
	cuttable := victim.w.m.measuredFor(now) >= cutAfter &&
		(straggler || share >= j.opts.MinSplit && victimETA-finishAfter > minCutGain)
	switch {
	case mid >= unrequested && (share >= j.opts.MinSplit || straggler):
	case mid < unrequested && cuttable:
		// Cut into the victim's transfer: it ends early at mid.
	case victim.end-unrequested >= j.opts.MinSplit &&
		float64(victim.end-unrequested)/mine+stealOverhead < victimETA-minCutGain:
		mid = unrequested // the tail nobody asked for yet, nothing cut
	default:
		return 0, false
	}
	return mid, true
}

// raceLocked gives w, idle with nothing left to split, a duplicate of the
// slowest tail: a second request from that span's position. Whichever
// stream delivers first wins each byte; the one that falls behind stops.
// It is worth it only when w would finish the tail well before its
// holder.
func (j *Job) raceLocked(w *worker) *span {
	now := time.Now()
	avg, median, _ := j.speedsLocked(now)
	mine, known := stealerRate(w, median)
	if !known || mine < avg/2 {
		// A connection of unknown or below-average speed does not race:
		// it may be the slow one, and a race holds its range from others.
		return nil
	}
	var victim *span
	var victimETA float64
	for _, s := range j.spans {
		if !j.splittableLocked(s) || s.w == w {
			continue
		}
		if _, ok := s.w.m.rate(now); !ok {
			continue // not measured yet: too early to call it slow
		}
		r := spanRate(s, now, avg)
		rest := float64(s.end - s.pos)
		if eta := rest / r; eta > 2*(rest/mine+stealOverhead) && (victim == nil || eta > victimETA) {
			victim, victimETA = s, eta
		}
	}
	if victim == nil {
		return nil
	}
	sp := j.addSpanLocked(victim.part, w, victim.pos, victim.end)
	r := &race{front: victim.pos, a: victim, b: sp}
	victim.race, sp.race = r, r
	j.log.Debug("racing the slow tail", "part", victim.part.idx, "from", victim.pos, "bytes", victim.end-victim.pos, "victim_eta", victimETA, "mine", int(mine))
	return sp
}

// endRaceLocked ends sp's race: the other span goes on alone.
func endRaceLocked(sp *span) {
	if r := sp.race; r != nil {
		r.other(sp).race = nil
		sp.race = nil
	}
}

// loseRaceLocked ends sp's race as the loser: it keeps only what it has
// reserved, so that nobody steals from, or races, a span that is about to
// go (its range is the winner's).
func loseRaceLocked(sp *span) {
	endRaceLocked(sp)
	sp.end = sp.pos
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

func (j *Job) addSpanLocked(p *partState, w *worker, start, end int64) *span {
	sp := &span{part: p, w: w, gen: p.gen, written: start, pos: start, end: end, reqEnd: start}
	j.spans = append(j.spans, sp)
	return sp
}

// release drops a span from the claimed set and wakes waiting workers:
// the unfinished rest of a failed span becomes free work again. A span
// that ends with err (the job fails) stops the job first, so that no
// other worker picks the range up and asks again before the errgroup
// cancels everything.
func (j *Job) release(sp *span, err error) {
	j.mu.Lock()
	if err != nil {
		j.stopped = true
	}
	endRaceLocked(sp)
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
