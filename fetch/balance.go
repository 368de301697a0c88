package fetch

import "time"

// Balanced stealing: when every byte is claimed, an idle worker takes
// from the span that would finish furthest past the job's balanced end
// the part of it that its holder cannot fetch by then, not half of it.
//
// Halving is the right move for a single straggler, but on a job whose
// spans all run at one speed it leaves most of them alone: fifteen
// segments on sixteen connections were halved one at a time, twelve of
// them ran to the end on their own connections, and the transfer reached
// 94 % of the per-connection limit. Taking each span's excess over the
// balanced end instead lets the spare connections share every span's
// tail, so that they all finish together.

const (
	// minBalancedShare is the smallest excess worth a request of its own.
	minBalancedShare = 64 << 10
	// minBalancedSeconds is the least time, at the stealer's measured
	// speed, that an excess must take to be worth a request, and the
	// least a span must be expected to finish past the balanced end to
	// give one; both also at least the stealer's round trip (requestCost),
	// which the request spends before its first byte. A transfer is cut
	// short only for a span twice that late.
	minBalancedSeconds = 0.03
	// defaultRequestCost is a request's cost before one was timed.
	defaultRequestCost = 25 * time.Millisecond
)

// requestCost is what a new request costs w: its last wait for headers.
func requestCost(w *worker) float64 {
	if w.m.latency > 0 {
		return w.m.latency.Seconds()
	}
	return defaultRequestCost.Seconds()
}

// balancedEnd returns, for the idle worker w, the seconds from now in which the claimed work
// would be done if it were shared in proportion to the speeds of every
// worker that takes work (spans' measured rates, idle workers' expected
// ones; all 1 with no measurements, which makes it bytes per worker).
// ok is false while it cannot be told: a size is unknown, a probe has not
// answered, or a race fetches some bytes twice.
func (sc *scheduler) balancedEnd(w *worker, now time.Time, avg, median float64) (end float64, ok bool) {
	if _, probing := sc.claimed(); probing {
		return 0, false
	}
	var remaining, rate float64
	busy := map[*worker]bool{}
	for _, s := range sc.spans {
		if s.end < 0 || s.race != nil {
			return 0, false
		}
		busy[s.w] = true
		remaining += float64(max(s.end-s.pos, 0))
		rate += spanRate(s, now, avg)
	}
	idle := append([]*worker{w}, sc.workers...)
	for _, o := range idle {
		if !busy[o] && !sc.sitsOut(o) {
			busy[o] = true // w is among the workers, once
			r, _ := stealerRate(o, median)
			rate += r
		}
	}
	if rate <= 0 || remaining <= 0 {
		return 0, false
	}
	return remaining / rate, true
}

// balancedSteal gives w the excess of the span expected to finish
// furthest past the balanced end (see balancedEnd), or nil when no span
// has an excess worth a request. The excess comes from the part of the
// span not requested yet when it can; a transfer is cut short only for a
// span measured long enough to trust its speed.
func (sc *scheduler) balancedSteal(w *worker, now time.Time, avg, median float64, n int) *span {
	horizon, ok := sc.balancedEnd(w, now, avg, median)
	if !ok {
		return nil
	}
	mine, _ := stealerRate(w, median)
	least := max(minBalancedSeconds, requestCost(w))
	var victim *span
	var late, share float64
	for _, s := range sc.spans {
		if !sc.splittable(s) || s.w == w {
			continue
		}
		r := spanRate(s, now, avg)
		rest := float64(s.end - s.pos)
		over := rest/r - horizon // seconds past the balanced end
		if over < least || victim != nil && over <= late {
			continue
		}
		// The stealer takes no more than it can fetch by the end itself,
		// unless that is too little for a request: at the very end, with
		// many idle workers, the end is near and each one's share tiny,
		// yet a span late by a tenth of a second still gains by a split.
		excess := min(rest-r*horizon, max(mine*horizon, minBalancedShare, mine*least))
		if excess < minBalancedShare || n > 0 && excess/mine < least {
			continue
		}
		victim, late, share = s, over, excess
	}
	if victim == nil {
		return nil
	}
	mid := victim.end - int64(share)
	if unrequested := requestedTo(victim); mid < unrequested {
		switch {
		case victim.w.m.measuredFor(now) >= cutAfter && late >= 2*least:
			// Cut into the transfer: it ends early at mid.
		case victim.end-unrequested >= minBalancedShare:
			mid = unrequested // less than the excess, but nothing cut
		default:
			return nil
		}
	}
	end := victim.end
	victim.end = mid
	victim.stolen = true
	sc.log.Debug("steal to balance", "part", victim.part.idx, "from", mid, "bytes", end-mid, "late", late, "horizon", horizon)
	sp := sc.addSpan(victim.part, w, mid, end)
	if n > 0 {
		// A first piece, as in steal: the rest stays free for the next
		// idle connections without cutting into this one's transfer.
		sp.window = max(sc.minSplit, (end-mid)/sc.helpers(sp, victim, float64(end-mid)/mine, now, avg))
	}
	return sp
}

// requestedTo is where the bytes of s not yet asked for begin.
func requestedTo(s *span) int64 {
	switch {
	case s.reqEnd < 0:
		return s.end // an open-ended request: all in flight
	case s.reqEnd > s.pos:
		return min(s.reqEnd, s.end)
	}
	return s.pos
}
