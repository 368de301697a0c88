package fetch

import (
	"fmt"
	"net/http"
	"time"

	"github.com/vdlproject/vdl/request"
)

// The scheduler's side of a transfer: what a request is to ask for, and
// what its response and bytes change. Each method is one decision on
// the state, under Job.mu; the transfer loop (transfer.go) does the I/O.

// plan fixes the next request of sp: [pos, reqEnd) of the part, reqEnd -1
// for open-ended (no range support). o is spanMore when there is a
// request to make, spanDone when nothing is left (a stolen-down span,
// or an empty part), spanStale when the part was reset.
func (sc *scheduler) plan(sp *span) (pos, reqEnd int64, noRanges bool, o outcome) {
	p := sp.part
	if sp.gen != p.gen {
		return 0, 0, false, spanStale
	}
	pos, end := sp.pos, sp.end
	if end >= 0 && pos >= end {
		return pos, 0, p.noRanges, spanDone
	}
	reqEnd = -1
	if !p.noRanges {
		if sp.window <= 0 {
			sp.window = sc.initialWindow(p, sp.w)
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
	return pos, reqEnd, p.noRanges, spanMore
}

// initialWindow is the length of w's first request of p: an even
// share of the part (so a ramp-up asks for what each connection will
// fetch), within bounds; it doubles with every request nobody stole from.
func (sc *scheduler) initialWindow(p *partState, w *worker) int64 {
	if p.size < 0 {
		if !sc.probeWorthIt(p, w) {
			return 8 << 20 // most segments fit in one request
		}
		// The size comes back with the first 206; then the rest is free
		// for the connections that fewer parts than connections leave
		// idle, without cutting a transfer short.
		return probeWindow
	}
	share := p.size / int64(sc.conns)
	return min(max(share, 1<<20, 2*sc.minSplit), 32<<20)
}

// probeWorthIt says whether w should ask for p, of unknown size, in a
// first 1 MiB (a probe) rather than whole. The probe's rest costs one
// request more; it pays when connections would otherwise sit idle
// beside p's transfer: they share the rest. None sit idle while the parts
// not yet started are at least the other connections (each will have a
// part of its own), nor among many parts. Once a size and a speed are
// known, the probe must also save more than its request costs: sharing
// the probe's rest (p taken to be as large as the largest part known)
// among the idle connections saves most of the rest's transfer time,
// which for a segment little larger than the probe, or a short transfer
// behind a long round trip (a segment of 1 MiB from a distant fast
// server), is less than a request; such a part is asked for whole.
func (sc *scheduler) probeWorthIt(p *partState, w *worker) bool {
	if len(sc.parts) >= 2*sc.conns {
		return false
	}
	unstarted, known := 0, int64(-1)
	for _, q := range sc.parts {
		known = max(known, q.size)
		if q != p && q.size < 0 && len(q.done) == 0 && !sc.held(q) {
			unstarted++
		}
	}
	idle := sc.conns - 1 - unstarted
	if idle <= 0 {
		return false
	}
	_, median, n := sc.speeds(sc.now())
	r, measured := stealerRate(w, median)
	if known <= 0 || !measured && n == 0 {
		return true // nothing to weigh yet: learn the size early
	}
	rest := float64(max(0, known-probeWindow)) // what the probe leaves, if p is like the largest part known
	saves := rest / r * float64(idle) / float64(idle+1)
	return saves > requestCost(w)
}

// probeWindow is the first request of a part of unknown size when
// probeWorthIt.
const probeWindow = 1 << 20

// held says whether any span works on p.
func (sc *scheduler) held(p *partState) bool {
	for _, s := range sc.spans {
		if s.part == p {
			return true
		}
	}
	return false
}

// wrongRange: a 206 whose Content-Range does not match the request. The
// server's ranges cannot be trusted: the part falls back to one plain
// stream rather than place bytes at a guessed offset.
func (sc *scheduler) wrongRange(sp *span, contentRange string, pos int64) {
	p := sp.part
	if sp.gen == p.gen && !p.noRanges {
		sc.log.Warn("server sent a wrong Content-Range; falling back to a single stream",
			"part", p.idx, "content_range", contentRange, "want_start", pos)
		p.noRanges = true
		sc.reset(p, "")
	}
}

// confirm: a sound 206 for sp. The host proved it serves this many
// transfers at once, and idle workers may now split the part.
func (sc *scheduler) confirm(sp *span) {
	p := sp.part
	if sp.gen != p.gen {
		return
	}
	sc.noteAccepted(sp)
	if !p.confirmed {
		p.confirmed = true
		sc.broadcast()
	}
}

// ignoresRange: a 200 to a ranged request at pos, so no range support.
// From byte 0 the body is usable as is (spanMore); from anywhere else it
// is not, and the part starts over (spanStale).
func (sc *scheduler) ignoresRange(sp *span, pos int64) outcome {
	p := sp.part
	if sp.gen != p.gen {
		return spanStale
	}
	if !p.noRanges {
		sc.log.Info("server ignores Range; using a single stream", "part", p.idx)
	}
	p.noRanges = true
	if pos != 0 {
		sc.reset(p, "")
		return spanStale
	}
	return spanMore
}

// unsatisfiable: a 416 for a range from pos. A file of unknown size ends
// exactly there; otherwise the file got shorter than our progress: it
// changed.
func (sc *scheduler) unsatisfiable(sp *span, pos int64) {
	p := sp.part
	if sp.gen != p.gen {
		return
	}
	if p.size < 0 && pos > 0 && p.done.covers(pos) {
		p.size, sp.end = pos, pos
		sc.checkComplete(p)
		return
	}
	sc.reset(p, "range not satisfiable")
}

// identity compares a response's size and validators with what the
// part's progress belongs to; on a mismatch the progress is discarded
// (bytes of two versions are never mixed). On first contact it records
// them.
func (sc *scheduler) identity(sp *span, total int64, etag, lastMod string) outcome {
	p := sp.part
	if sp.gen != p.gen {
		return spanStale
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
		sc.reset(p, why)
		p.etag, p.lastMod, p.size = etag, lastMod, total
		if p.noRanges && firstByte {
			// This response is a whole fresh body from byte 0: keep it.
			sp.gen = p.gen
			sp.end = total
			return spanMore
		}
		return spanStale
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
		sc.broadcast() // the part can now be split
	}
	if sp.end < 0 || sp.end > p.size && p.size >= 0 {
		sp.end = p.size
	}
	return spanMore
}

// refusal: sp's request was refused with status. limited is a host that
// caps connections speaking (the range goes back to the connections it
// serves, no backoff); delivered says the part's URL gave bytes before
// (a 403 or 410 then means it expired).
func (sc *scheduler) refusal(sp *span, status int) (limited, delivered bool) {
	limited = (status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable) && sc.noteRefusal(sp)
	return limited, sp.part.delivered
}

// reserve accounts for n bytes that arrived at the span's stream
// position: they are [at, at+keep) of the part, of which [at, at+skip)
// were delivered already by the other stream of a race and are not
// written again. Bytes past the span's end (stolen while in flight) or
// past the response's end are dropped. o is spanMore, or how the
// request ends: spanStale, spanLost.
func (sc *scheduler) reserve(sp *span, n, respEnd int64) (at, skip, keep int64, o outcome) {
	p := sp.part
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
	sp.w.m.add(sc.now(), n)
	if r := sp.race; r != nil {
		if at+n <= r.front {
			loseRace(sp) // everything here came first from the other stream
			return 0, 0, 0, spanLost
		}
		skip = max(r.front-at, 0)
		r.front = at + n
	}
	return at, skip, n, spanMore
}

// written records [at, at+n) as on disk and reports whether the span
// has reached its end (for a race: whether either stream has).
func (sc *scheduler) written(sp *span, at, n int64) bool {
	p := sp.part
	if sp.gen != p.gen {
		return true
	}
	sp.written = max(sp.written, at+n)
	if n > 0 {
		p.done = p.done.add(byteRange{at, at + n})
		p.delivered = true
		p.mirrors.Reset()
		sc.done.Add(n)
	}
	finished := sp.end >= 0 && sp.pos >= sp.end
	if finished {
		sp.w.m.finish(sc.now())
	}
	if r := sp.race; r != nil && sp.end >= 0 && r.front >= sp.end {
		other := r.other(sp)
		loseRace(other)
		if other.cancel != nil {
			other.cancel(errRaceLost)
		}
		finished = true
	}
	if finished || n > 0 {
		sc.checkComplete(p) // the last bytes may come from either stream of a race
	}
	return finished
}

// maxRequestSeconds bounds how long a grown request runs.
const maxRequestSeconds = 2

// requestDone ends a request that delivered its whole range: the window
// doubles if nobody stole from the span meanwhile, and the span goes on
// with the next request (spanMore), or ends (spanDone, for a file of
// unknown size whose response was shorter than asked).
func (sc *scheduler) requestDone(sp *span, respEnd int64) outcome {
	p := sp.part
	if sp.gen != p.gen {
		return spanStale
	}
	sp.w.m.finish(sc.now())
	if sp.end < 0 && sp.reqEnd > respEnd {
		p.size, sp.end = respEnd, respEnd // the file ended before the asked range
		sc.checkComplete(p)
		return spanDone
	}
	if !sp.stolen {
		// Grow, but keep a request to a couple of seconds of transfer,
		// so that the tail can still be split without cutting one short.
		limit := int64(1 << 30)
		if r := sp.w.m.last; r > 0 {
			limit = max(2*sc.minSplit, int64(r*maxRequestSeconds))
		}
		sp.window = max(min(sp.window*2, limit), sp.window)
	}
	return spanMore
}

// endOfBody handles EOF: for an unknown size it defines the size; for a
// known one it must coincide with the response's (or span's) end.
func (sc *scheduler) endOfBody(sp *span, respEnd int64) (outcome, error) {
	p := sp.part
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
		sc.checkComplete(p)
		return spanDone, nil
	case sp.pos < want:
		return 0, request.Transient(fmt.Errorf("%w at byte %d of %d", errShortBody, sp.pos, want))
	}
	return spanDone, nil
}

// checkComplete marks p complete when its bytes cover its size, and
// asks for an early checkpoint.
func (sc *scheduler) checkComplete(p *partState) {
	if p.complete || p.size < 0 || !p.done.covers(p.size) && p.size > 0 {
		return
	}
	p.complete = true
	sc.partsDone.Add(1)
	sc.broadcast()
	if sc.completed != nil {
		sc.completed()
	}
}

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
func (sc *scheduler) worthDraining(sp *span, respEnd, pos int64) bool {
	left := respEnd - pos
	if respEnd < 0 || left > maxDrain {
		return false // open-ended or too much: closing is cheaper
	}
	r, ok := sp.w.m.rate(sc.now())
	return left == 0 || !ok || r > 0 && float64(left)/r <= maxDrainTime.Seconds()
}

// release drops a span from the claimed set and wakes waiting workers:
// the unfinished rest of a failed span becomes free work again. A span
// that ends with failed (the job fails) stops the job first, so that no
// other worker picks the range up and asks again before the errgroup
// cancels everything.
func (sc *scheduler) release(sp *span, failed bool) {
	if failed {
		sc.stopped = true
	}
	endRace(sp)
	for i, s := range sc.spans {
		if s == sp {
			sc.spans = append(sc.spans[:i], sc.spans[i+1:]...)
			break
		}
	}
	sc.broadcast()
}

// switchMirror moves p from failed to its next mirror and reports
// whether to retry at once (request.Mirrors: each mirror once per streak
// of failures). Validators are forgotten: mirrors serve the same file
// but may label it differently.
func (sc *scheduler) switchMirror(p *partState, failed string, cause error) bool {
	inUse := p.mirrors.URL() == failed
	if !p.mirrors.Switch(failed) {
		return false
	}
	if inUse {
		p.etag, p.lastMod = "", ""
		p.host = hostOf(p.mirrors.URL())
		sc.log.Warn("mirror failed; trying the next one", "part", p.idx, "failed", request.Redact(failed),
			"next", request.Redact(p.mirrors.URL()), "err", cause)
	}
	return true
}
