package fetch

import (
	"log/slog"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/vdlproject/vdl/request"
)

// scheduler decides who fetches what: it hands out work (free ranges,
// a share stolen from a span, a race of the slow tail) and takes the
// outcomes of transfers (bytes reserved and written, a request done, a
// part reset or confirmed, a host's refusal, a slow connection). It does
// no I/O and reads the time only through now, so its decisions can be
// tested with a fake clock and no network. It is not safe for concurrent
// use: Job.mu is held around every call.
type scheduler struct {
	now        func() time.Time
	log        *slog.Logger
	conns      int   // connections of the job (Options.Connections)
	minSplit   int64 // Options.MinSplit
	maxPerHost int   // Options.MaxConnsPerHost
	// completed, if set, is told when a part becomes complete (the
	// checkpointer saves early).
	completed func()

	parts    []*partState
	spans    []*span
	workers  []*worker      // every worker, for the best known speed
	changed  chan struct{}  // closed and replaced when work may have appeared
	stopped  bool           // a worker failed: the others take no new work
	hostCaps map[string]int // learnt connection caps per host

	// Read without the lock by Job.Progress.
	done      atomic.Int64 // bytes on disk
	partsDone atomic.Int64
	refused   atomic.Int64 // requests a connection-capped host refused
}

// newScheduler returns a scheduler for parts under opts (defaults
// applied), reading the time from now.
func newScheduler(parts []*partState, opts Options, now func() time.Time, log *slog.Logger) *scheduler {
	return &scheduler{now: now, log: log, conns: opts.Connections, minSplit: opts.MinSplit, maxPerHost: opts.MaxConnsPerHost,
		parts: parts, changed: make(chan struct{}), hostCaps: map[string]int{}}
}

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

// allDone says whether every part is complete.
func (sc *scheduler) allDone() bool {
	for _, p := range sc.parts {
		if !p.complete {
			return false
		}
	}
	return true
}

// claim claims free work (in part order, so earlier parts of a
// playlist finish first), else steals from the span expected to finish
// last, else races the slowest tail.
func (sc *scheduler) claim(w *worker) (sp *span, allDone bool) {
	allDone = true
	for _, p := range sc.parts {
		if p.complete {
			continue
		}
		allDone = false
		if sc.hostFull(p.host) {
			continue
		}
		if sp = sc.claimFree(p, w); sp != nil {
			return sp, false
		}
	}
	if allDone {
		return nil, true
	}
	if sc.sitsOut(w) {
		return nil, false
	}
	if sp = sc.steal(w); sp != nil {
		return sp, false
	}
	return sc.raceTail(w), false
}

// claimFree claims the first unclaimed gap of p, if any.
func (sc *scheduler) claimFree(p *partState, w *worker) *span {
	if p.size < 0 || p.noRanges || !p.confirmed {
		// One stream only: the size is unknown (nothing to split yet), the
		// server cannot serve ranges, or it has not yet shown that it can
		// (every extra request would otherwise get the whole body).
		for _, s := range sc.spans {
			if s.part == p {
				return nil
			}
		}
		if !p.noRanges && p.size >= 0 {
			// Unconfirmed: probe with the first gap; stealers split it
			// once the server answers 206.
			for _, g := range p.done.gaps(p.size) {
				return sc.addSpan(p, w, g.Start, g.End)
			}
			return nil
		}
		start := int64(0)
		switch {
		case len(p.done) == 0:
		case p.noRanges || p.done[0].Start != 0:
			// Without ranges only a fresh stream from byte 0 is sound.
			sc.reset(p, "")
		default:
			start = p.done[0].End // a single stream grows a prefix
		}
		return sc.addSpan(p, w, start, p.size)
	}
	for _, g := range p.done.gaps(p.size) {
		for _, free := range subtractClaims(g, sc.spans, p) {
			sp := sc.addSpan(p, w, free.Start, free.End)
			now := sc.now()
			if avg, median, n := sc.speeds(now); n > 0 {
				// A range given back mid-job (a dropped slow connection, a
				// failed span): ask for a first piece only, sized for the
				// connections about to be idle, so that they take the rest
				// without cutting into a transfer.
				mine, _ := stealerRate(w, median)
				first := max(sc.minSplit, (free.End-free.Start)/sc.helpers(sp, nil, float64(free.End-free.Start)/mine, now, avg))
				sp.window = min(first, sc.initialWindow(p, w))
			}
			return sp
		}
	}
	return nil
}

// subtractClaims returns the pieces of gap g not claimed by spans of p.
func subtractClaims(g byteRange, spans []*span, p *partState) []byteRange {
	free := []byteRange{g}
	for _, s := range spans {
		if s.part != p || s.end < 0 {
			continue
		}
		var next []byteRange
		for _, f := range free {
			if s.end <= f.Start || s.written >= f.End {
				next = append(next, f)
				continue
			}
			if s.written > f.Start {
				next = append(next, byteRange{f.Start, s.written})
			}
			if s.end < f.End {
				next = append(next, byteRange{s.end, f.End})
			}
		}
		free = next
	}
	return free
}

// claimed sums the unfetched bytes of all claimed spans and says
// whether a probe of a sized part is still waiting for its first 206.
func (sc *scheduler) claimed() (claimed int64, probing bool) {
	for _, s := range sc.spans {
		if s.end > s.pos {
			claimed += s.end - s.pos
		}
		if !s.part.confirmed && !s.part.noRanges && s.part.size >= 0 {
			probing = true
		}
	}
	return claimed, probing
}

func (sc *scheduler) addSpan(p *partState, w *worker, start, end int64) *span {
	sp := &span{part: p, w: w, gen: p.gen, written: start, pos: start, end: end, reqEnd: start}
	sc.spans = append(sc.spans, sp)
	return sp
}

// broadcast wakes every worker waiting in next.
func (sc *scheduler) broadcast() {
	close(sc.changed)
	sc.changed = make(chan struct{})
}

// reset discards all progress of p (the remote file changed, or the
// server turned out not to support ranges) and invalidates its spans.
func (sc *scheduler) reset(p *partState, why string) {
	lost := p.done.total()
	if why != "" && lost > 0 {
		sc.log.Warn("remote file changed; discarding stale progress", "part", p.idx, "reason", why, "bytes", lost)
	}
	sc.done.Add(-lost)
	p.done = nil
	p.gen++
	p.complete = false
	sc.broadcast()
}
