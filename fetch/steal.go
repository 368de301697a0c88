package fetch

import (
	"cmp"
	"slices"
	"time"
)

// Work for an idle worker when no range is free: a share of the claimed
// span expected to finish last, split by the measured speeds (see
// docs/design.md, "Speed-aware stealing"), else a race of the slow tail.

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

// speeds returns the mean and the median measured rate of the
// workers holding spans (1 when none is measured: ETAs then follow
// sizes) and how many were measured.
func (sc *scheduler) speeds(now time.Time) (avg, median float64, n int) {
	var rates []float64
	var sum float64
	for _, s := range sc.spans {
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

// sitsOut says whether w is known to be far slower than the best
// worker of the job.
func (sc *scheduler) sitsOut(w *worker) bool {
	if w.m.last <= 0 {
		return false
	}
	best := 0.0
	for _, o := range sc.workers {
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
func (sc *scheduler) splittable(s *span) bool {
	p := s.part
	return s.end >= 0 && !p.noRanges && p.confirmed && s.gen == p.gen && s.end > s.pos && s.race == nil &&
		!sc.hostFull(p.host)
}

// steal gives w the tail of the claimed span expected to finish
// last. The split follows the measured speeds: the victim keeps what it
// can fetch in the time w needs for the rest, so a connection at a tenth
// of w's speed keeps a tenth-sized share. The share comes from the part
// the victim has not requested yet when it can, so its transfer goes on
// untouched; cutting into a transfer is for stragglers only: a victim
// that would otherwise finish far later than w.
func (sc *scheduler) steal(w *worker) *span {
	now := sc.now()
	avg, median, n := sc.speeds(now)
	if sp := sc.balancedSteal(w, now, avg, median, n); sp != nil {
		return sp
	}
	if n == 0 && sc.sizing() {
		// The ramp-up, and a part's first response has not told its size:
		// wait for it (it wakes the idle workers) rather than halve a part
		// that answered first, so that every part gets its balanced share.
		return nil
	}
	mine, _ := stealerRate(w, median)
	type candidate struct {
		s         *span
		eta, rate float64
	}
	var cands []candidate
	for _, s := range sc.spans {
		if sc.splittable(s) {
			r := spanRate(s, now, avg)
			cands = append(cands, candidate{s, float64(s.end-s.pos) / r, r})
		}
	}
	// The span expected to finish last first; if it cannot give work,
	// the next.
	slices.SortStableFunc(cands, func(a, b candidate) int { return cmp.Compare(b.eta, a.eta) })
	for _, c := range cands {
		if mid, ok := sc.splitPoint(c.s, c.eta, c.rate, mine, n, now); ok {
			end := c.s.end
			c.s.end = mid
			c.s.stolen = true
			sc.log.Debug("steal", "part", c.s.part.idx, "from", mid, "bytes", end-mid, "victim_rate", int(c.rate), "mine", int(mine))
			sp := sc.addSpan(c.s.part, w, mid, end)
			if n > 0 {
				// Ask for a first piece only: the rest stays free for the
				// next idle connections, nothing to cut. In the tail, when
				// many connections are about to be idle at once, each
				// asks for its share of the helpers, not half: one
				// connection holding half in one request would finish
				// last.
				sp.window = max(sc.minSplit, (end-mid)/sc.helpers(sp, c.s, float64(end-mid)/mine, now, avg))
			}
			return sp
		}
		if n == 0 {
			break // the ramp-up: only the largest is split
		}
	}
	return nil
}

// sizing says whether a span waits for its part's size from the
// first response.
func (sc *scheduler) sizing() bool {
	for _, s := range sc.spans {
		if s.end < 0 && !s.part.noRanges {
			return true
		}
	}
	return false
}

// helpers counts the connections that can share the work of a
// span stolen from victim, taking about eta seconds alone: its own, the
// idle ones, and those whose spans end within half of eta (at least 2:
// the thief and the next idle connection).
func (sc *scheduler) helpers(sp, victim *span, eta float64, now time.Time, avg float64) int64 {
	busy := map[*worker]bool{}
	helpers := int64(1)
	for _, s := range sc.spans {
		busy[s.w] = true
		if s == sp || s == victim || s.end < 0 {
			continue
		}
		if float64(s.end-s.pos)/spanRate(s, now, avg) < eta/2 {
			helpers++
		}
	}
	for _, w := range sc.workers {
		if !busy[w] {
			helpers++
		}
	}
	return max(helpers, 2)
}

// splitPoint decides where victim is split for a stealer of speed
// mine (see steal); ok is false when it should not be.
func (sc *scheduler) splitPoint(victim *span, victimETA, victimRate, mine float64, n int, now time.Time) (mid int64, ok bool) {
	remaining := victim.end - victim.pos
	keep := int64(float64(remaining) * victimRate / (victimRate + mine))
	if n == 0 {
		// The ramp-up, no speeds yet: halve. While other parts' probes
		// have not answered, cutting the parts that answered first into
		// pieces smaller than an even share would give them every idle
		// connection; wait for the probes instead (a confirmation wakes
		// the idle workers).
		keep = remaining / 2
		if claimed, probing := sc.claimed(); probing && remaining-keep < claimed/int64(sc.conns) {
			return 0, false
		}
	}
	mid = victim.pos + keep
	unrequested := requestedTo(victim)
	share := victim.end - mid
	straggler := n > 0 && share >= minStragglerShare && victimETA > 2*(float64(share)/mine+stealOverhead)
	// Cutting into a transfer costs its connection (or a drain): only for
	// a victim measured long enough to trust its speed, when the split
	// finishes clearly sooner than the victim alone would.
	finishAfter := max(float64(keep)/victimRate, float64(share)/mine+stealOverhead)
	cuttable := victim.w.m.measuredFor(now) >= cutAfter &&
		(straggler || share >= sc.minSplit && victimETA-finishAfter > minCutGain)
	switch {
	case mid >= unrequested && (share >= sc.minSplit || straggler):
	case mid < unrequested && cuttable:
		// Cut into the victim's transfer: it ends early at mid.
	case victim.end-unrequested >= sc.minSplit &&
		float64(victim.end-unrequested)/mine+stealOverhead < victimETA-minCutGain:
		mid = unrequested // the tail nobody asked for yet, nothing cut
	default:
		return 0, false
	}
	return mid, true
}

// raceTail gives w, idle with nothing left to split, a duplicate of the
// slowest tail: a second request from that span's position. Whichever
// stream delivers first wins each byte; the one that falls behind stops.
// It is worth it only when w would finish the tail well before its
// holder.
func (sc *scheduler) raceTail(w *worker) *span {
	now := sc.now()
	avg, median, _ := sc.speeds(now)
	mine, known := stealerRate(w, median)
	if !known || mine < avg/2 {
		// A connection of unknown or below-average speed does not race:
		// it may be the slow one, and a race holds its range from others.
		return nil
	}
	var victim *span
	var victimETA float64
	for _, s := range sc.spans {
		if !sc.splittable(s) || s.w == w {
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
	sp := sc.addSpan(victim.part, w, victim.pos, victim.end)
	r := &race{front: victim.pos, a: victim, b: sp}
	victim.race, sp.race = r, r
	sc.log.Debug("racing the slow tail", "part", victim.part.idx, "from", victim.pos, "bytes", victim.end-victim.pos, "victim_eta", victimETA, "mine", int(mine))
	return sp
}

// endRace ends sp's race: the other span goes on alone.
func endRace(sp *span) {
	if r := sp.race; r != nil {
		r.other(sp).race = nil
		sp.race = nil
	}
}

// loseRace ends sp's race as the loser: it keeps only what it has
// reserved, so that nobody steals from, or races, a span that is about to
// go (its range is the winner's).
func loseRace(sp *span) {
	endRace(sp)
	sp.end = sp.pos
}
