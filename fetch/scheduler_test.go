package fetch

import (
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/vdlproject/vdl/request"
)

const mib = 1 << 20

// fakeClock is the scheduler's clock in tests: it moves only when told.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

// newTestScheduler returns a scheduler over parts of the given sizes
// (-1: unknown), all on host "a" and confirmed when sized, with no span.
func newTestScheduler(conns int, minSplit int64, sizes ...int64) (*scheduler, *fakeClock) {
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	var parts []*partState
	for i, size := range sizes {
		u := fmt.Sprintf("http://a/%d", i)
		parts = append(parts, &partState{idx: i, mirrors: request.NewMirrors(u, nil), host: "a", size: size, confirmed: size >= 0})
	}
	opts := Options{Connections: conns, MinSplit: minSplit}
	return newScheduler(parts, opts, clk.now, slog.New(slog.DiscardHandler)), clk
}

// measured returns a worker whose meter saw rate bytes/s for d up to
// now; known workers also carry it as their last request's rate.
func measured(clk *fakeClock, rate float64, d time.Duration, known bool) *worker {
	w := &worker{}
	feed(w, clk.t.Add(-d), d, rate)
	if known {
		w.m.last, w.m.sure = rate, true
	}
	return w
}

// feed records rate bytes/s on w's meter from t0 for d, in meter steps.
func feed(w *worker, t0 time.Time, d time.Duration, rate float64) {
	if w.m.n == 0 {
		w.m.start(t0)
	}
	for el := meterEvery; el <= d; el += meterEvery {
		w.m.add(t0.Add(el), int64(rate*meterEvery.Seconds()))
	}
}

// spanWant describes the span a decision gives the idle worker.
type spanWant struct {
	part      int
	pos, end  int64
	maxWindow int64 // 0: not checked; else its first request is at most this
	raced     bool
}

// TestSchedulerDecisions: what an idle worker is given (free work,
// a stolen share, a race of the slow tail, or nothing) for states of the
// job set up by hand, speeds on a fake clock. These are the decisions
// that the end-to-end tests on throttled servers used to show only
// through throughput.
func TestSchedulerDecisions(t *testing.T) {
	tests := []struct {
		name  string
		setup func(sc *scheduler, clk *fakeClock) (thief *worker, victim *span)
		steal bool      // ask steal only, not the whole claim
		want  *spanWant // nil: nothing for the thief
		// victimEnd is where the victim's span ends afterwards (0: not
		// checked).
		victimEnd int64
	}{
		{
			name: "free work in part order",
			setup: func(sc *scheduler, clk *fakeClock) (*worker, *span) {
				sc.parts[0].complete = true
				return &worker{}, nil
			},
			want: &spanWant{part: 1, pos: 0, end: 4 * mib},
		},
		{
			name: "a host at its cap is passed over",
			setup: func(sc *scheduler, clk *fakeClock) (*worker, *span) {
				sc.maxPerHost = 1
				sc.addSpan(sc.parts[0], &worker{}, 0, 4*mib)
				sc.parts[1].host = "b"
				return &worker{}, nil
			},
			want: &spanWant{part: 1, pos: 0, end: 4 * mib},
		},
		{
			name: "an unconfirmed part gets one request, not a split",
			setup: func(sc *scheduler, clk *fakeClock) (*worker, *span) {
				sc.parts[1].complete = true
				sc.parts[0].confirmed = false
				return &worker{}, sc.addSpan(sc.parts[0], &worker{}, 0, 4*mib)
			},
			want:      nil,
			victimEnd: 4 * mib,
		},
		{
			name: "ramp-up: half of the largest range",
			setup: func(sc *scheduler, clk *fakeClock) (*worker, *span) {
				sc.parts[1].complete = true
				return &worker{}, sc.addSpan(sc.parts[0], &worker{}, 0, 4*mib)
			},
			want:      &spanWant{part: 0, pos: 2 * mib, end: 4 * mib},
			victimEnd: 2 * mib,
		},
		{
			name: "ramp-up: no share below even while another part's probe is pending",
			setup: func(sc *scheduler, clk *fakeClock) (*worker, *span) {
				// Halving part 0 gives 2 MiB, under the even share of 68/16 MiB.
				sc.conns = 16
				sc.parts[1].size, sc.parts[1].confirmed = 64*mib, false
				sc.addSpan(sc.parts[1], &worker{}, 0, 64*mib)
				return &worker{}, sc.addSpan(sc.parts[0], &worker{}, 0, 4*mib)
			},
			steal:     true,
			want:      nil,
			victimEnd: 4 * mib,
		},
		{
			name: "ramp-up: the probe answered, the thief takes an even share of its tail",
			setup: func(sc *scheduler, clk *fakeClock) (*worker, *span) {
				// 68 MiB on 16 workers: 4.25 MiB each.
				sc.conns = 16
				sc.parts[1].size = 64 * mib
				sc.addSpan(sc.parts[0], &worker{}, 0, 4*mib)
				v := sc.addSpan(sc.parts[1], &worker{}, 0, 64*mib)
				for range 14 {
					sc.workers = append(sc.workers, &worker{})
				}
				return sc.workers[0], v
			},
			steal:     true,
			want:      &spanWant{part: 1, pos: 64*mib - 17*mib/4, end: 64 * mib},
			victimEnd: 64*mib - 17*mib/4,
		},
		{
			name: "ramp-up without the other workers: the thief takes a third, not half",
			setup: func(sc *scheduler, clk *fakeClock) (*worker, *span) {
				// 68 MiB on the two spans' workers and the thief.
				sc.conns = 16
				sc.parts[1].size = 64 * mib
				sc.addSpan(sc.parts[0], &worker{}, 0, 4*mib)
				return &worker{}, sc.addSpan(sc.parts[1], &worker{}, 0, 64*mib)
			},
			steal:     true,
			want:      &spanWant{part: 1, pos: 64*mib - 68*mib/3, end: 64 * mib},
			victimEnd: 64*mib - 68*mib/3,
		},
		{
			name: "measured: the split follows the speeds, in the unrequested part",
			setup: func(sc *scheduler, clk *fakeClock) (*worker, *span) {
				sc.parts[1].complete = true
				sc.parts[0].size = 11 * mib
				v := sc.addSpan(sc.parts[0], measured(clk, 1*mib, time.Second, false), 0, 11*mib)
				return measured(clk, 10*mib, time.Second, true), v
			},
			want:      &spanWant{part: 0, pos: 1 * mib, end: 11 * mib, maxWindow: 5 * mib},
			victimEnd: 1 * mib,
		},
		{
			name: "measured briefly: a transfer is not cut",
			setup: func(sc *scheduler, clk *fakeClock) (*worker, *span) {
				sc.parts[1].complete = true
				sc.parts[0].size = 11 * mib
				v := sc.addSpan(sc.parts[0], measured(clk, 1*mib, 375*time.Millisecond, false), 0, 11*mib)
				v.reqEnd = 11 * mib // all of it in flight
				return measured(clk, 10*mib, time.Second, true), v
			},
			steal:     true,
			want:      nil,
			victimEnd: 11 * mib,
		},
		{
			name: "measured briefly: the part not yet requested is taken, nothing cut",
			setup: func(sc *scheduler, clk *fakeClock) (*worker, *span) {
				sc.parts[1].complete = true
				sc.parts[0].size = 11 * mib
				v := sc.addSpan(sc.parts[0], measured(clk, 1*mib, 375*time.Millisecond, false), 0, 11*mib)
				v.reqEnd = 2 * mib // [0, 2 MiB) in flight
				return measured(clk, 10*mib, time.Second, true), v
			},
			steal:     true,
			want:      &spanWant{part: 0, pos: 2 * mib, end: 11 * mib, maxWindow: 5 * mib},
			victimEnd: 2 * mib,
		},
		{
			name: "measured long enough: a straggler's transfer is cut",
			setup: func(sc *scheduler, clk *fakeClock) (*worker, *span) {
				sc.parts[1].complete = true
				sc.parts[0].size = 11 * mib
				v := sc.addSpan(sc.parts[0], measured(clk, 1*mib, time.Second, false), 0, 11*mib)
				v.reqEnd = 11 * mib
				return measured(clk, 10*mib, time.Second, true), v
			},
			steal:     true,
			want:      &spanWant{part: 0, pos: 1 * mib, end: 11 * mib},
			victimEnd: 1 * mib,
		},
		{
			name: "nothing to split: a fast known worker races the slow tail",
			setup: func(sc *scheduler, clk *fakeClock) (*worker, *span) {
				sc.parts[1].complete = true
				sc.parts[0].size = 11 * mib
				v := sc.addSpan(sc.parts[0], measured(clk, 1*mib, 375*time.Millisecond, false), 0, 11*mib)
				v.reqEnd = 11 * mib
				return measured(clk, 10*mib, time.Second, true), v
			},
			want:      &spanWant{part: 0, pos: 0, end: 11 * mib, raced: true},
			victimEnd: 11 * mib,
		},
		{
			name: "a worker of unknown speed does not race",
			setup: func(sc *scheduler, clk *fakeClock) (*worker, *span) {
				sc.parts[1].complete = true
				sc.parts[0].size = 11 * mib
				v := sc.addSpan(sc.parts[0], measured(clk, 1*mib, 375*time.Millisecond, false), 0, 11*mib)
				v.reqEnd = 11 * mib
				return &worker{}, v
			},
			want:      nil,
			victimEnd: 11 * mib,
		},
		{
			name: "a worker far slower than the best sits out",
			setup: func(sc *scheduler, clk *fakeClock) (*worker, *span) {
				sc.parts[1].complete = true
				best := measured(clk, 80*mib, time.Second, true)
				sc.workers = append(sc.workers, best)
				return measured(clk, 1*mib, time.Second, true), sc.addSpan(sc.parts[0], best, 0, 4*mib)
			},
			want:      nil,
			victimEnd: 4 * mib,
		},
		{
			name: "a range given back: its first request is a share of the helpers",
			setup: func(sc *scheduler, clk *fakeClock) (*worker, *span) {
				sc.conns = 16
				p := sc.parts[0]
				p.size = 256 * mib
				p.done = rangeSet{{15 * mib, 256 * mib}}
				sc.parts[1].complete = true
				for range 15 {
					sc.workers = append(sc.workers, measured(clk, 4*mib, time.Second, true))
				}
				busy := measured(clk, 4*mib, time.Second, true)
				sc.workers = append(sc.workers, busy)
				sc.addSpan(p, busy, 255*mib, 256*mib).reqEnd = 256 * mib
				return sc.workers[0], nil
			},
			want: &spanWant{part: 0, pos: 0, end: 15 * mib, maxWindow: 2 * mib},
		},
		{
			name: "a tail among fifteen idle workers of one speed: the thief takes a sixteenth, not half",
			setup: func(sc *scheduler, clk *fakeClock) (*worker, *span) {
				sc.conns = 16
				p := sc.parts[0]
				p.size = 256 * mib
				p.done = rangeSet{{14 * mib, 256 * mib}}
				sc.parts[1].complete = true
				for range 15 {
					sc.workers = append(sc.workers, measured(clk, 4*mib, time.Second, true))
				}
				victim := measured(clk, 4*mib, time.Second, true)
				sc.workers = append(sc.workers, victim)
				v := sc.addSpan(p, victim, 0, 14*mib)
				v.reqEnd = mib
				return sc.workers[0], v
			},
			steal:     true,
			want:      &spanWant{part: 0, pos: 14*mib - 14*mib/16, end: 14 * mib},
			victimEnd: 14*mib - 14*mib/16,
		},
		{
			// Fifteen segments on sixteen connections, all at 1 MiB/s: the
			// spare one takes the excess of the span that would finish
			// latest past the balanced end (halving it would leave the
			// other fourteen alone to the end).
			name: "one speed, one idle worker: it takes the latest span's excess over the balanced end",
			setup: func(sc *scheduler, clk *fakeClock) (*worker, *span) {
				var latest *span
				for i := range 15 {
					p := &partState{idx: 10 + i, mirrors: request.NewMirrors("http://a/x", nil), host: "a", size: 3 * mib, confirmed: true}
					sc.parts = append(sc.parts, p)
					w := measured(clk, mib, time.Second, true)
					sc.workers = append(sc.workers, w)
					sp := sc.addSpan(p, w, 0, 3*mib)
					sp.pos, sp.reqEnd = mib, 2*mib
					if i == 7 {
						sp.pos = mib - mib/4 // a quarter second behind the others
						latest = sp
					}
				}
				sc.parts[0].complete, sc.parts[1].complete = true, true
				thief := measured(clk, mib, time.Second, true)
				sc.workers = append(sc.workers, thief)
				return thief, latest
			},
			steal: true,
			// 30.25 MiB left on 16 workers: 1.890625 s each; the latest span
			// has 2.25 MiB, 0.359375 MiB more than its share.
			want:      &spanWant{part: 17, pos: 3*mib - 23*mib/64, end: 3 * mib},
			victimEnd: 3*mib - 23*mib/64,
		},
		{
			// The very end: one span 0.13 s from done, fifteen idle workers.
			// Each one's share of the balanced end is a few kilobytes, too
			// little for a request, yet the span gains by a split: the
			// thief takes the smallest share worth a request, cutting the
			// transfer that holds all of the span.
			name: "the very end, many idle workers: the late span is still split, by the least share",
			setup: func(sc *scheduler, clk *fakeClock) (*worker, *span) {
				sc.parts[1].complete = true
				sc.parts[0].size = 4 * mib
				for range 15 {
					sc.workers = append(sc.workers, measured(clk, mib, 2*time.Second, true))
				}
				v := sc.addSpan(sc.parts[0], measured(clk, mib, 2*time.Second, false), 0, 4*mib)
				v.pos = 4*mib - 136<<10
				v.reqEnd = 4 * mib // all of it in flight
				sc.workers[0].m.latency = time.Millisecond
				return sc.workers[0], v
			},
			steal:     true,
			want:      &spanWant{part: 0, pos: 4*mib - minBalancedShare, end: 4 * mib},
			victimEnd: 4*mib - minBalancedShare,
		},
		{
			name: "ramp-up: a part's size not known yet: the idle worker waits instead of halving",
			setup: func(sc *scheduler, clk *fakeClock) (*worker, *span) {
				sc.parts[1].size, sc.parts[1].confirmed = -1, false
				sc.addSpan(sc.parts[1], &worker{}, 0, -1)
				return &worker{}, sc.addSpan(sc.parts[0], &worker{}, 0, 4*mib)
			},
			steal:     true,
			want:      nil,
			victimEnd: 4 * mib,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, clk := newTestScheduler(4, 256<<10, 4*mib, 4*mib)
			thief, victim := tt.setup(sc, clk)
			var got *span
			if tt.steal {
				got = sc.steal(thief)
			} else {
				got, _ = sc.claim(thief)
			}
			switch {
			case tt.want == nil && got != nil:
				t.Fatalf("gave part %d [%d, %d), want nothing", got.part.idx, got.pos, got.end)
			case tt.want != nil && got == nil:
				t.Fatalf("gave nothing, want part %d [%d, %d)", tt.want.part, tt.want.pos, tt.want.end)
			case got != nil:
				w := tt.want
				if got.part.idx != w.part || got.pos != w.pos || got.end != w.end {
					t.Errorf("gave part %d [%d, %d), want part %d [%d, %d)", got.part.idx, got.pos, got.end, w.part, w.pos, w.end)
				}
				if w.maxWindow > 0 && (got.window <= 0 || got.window > w.maxWindow) {
					t.Errorf("first request of %d bytes, want 1..%d", got.window, w.maxWindow)
				}
				if raced := got.race != nil; raced != w.raced {
					t.Errorf("raced = %v, want %v", raced, w.raced)
				}
				if got.w != thief {
					t.Error("the span is not the thief's")
				}
			}
			if tt.victimEnd != 0 && victim.end != tt.victimEnd {
				t.Errorf("victim ends at %d, want %d", victim.end, tt.victimEnd)
			}
		})
	}
}

// TestSchedulerHostCaps: a 429/503 while others transfer from the host
// lowers its cap to them (and the range goes back without backoff); a
// refusal with nobody else transferring is an outage, left to the retry
// policy; accepted transfers raise a learnt cap again; an explicit cap
// is never passed.
func TestSchedulerHostCaps(t *testing.T) {
	tests := []struct {
		name        string
		maxPerHost  int
		running     int // other spans transferring from the host
		status      int
		accepted    int // transfers accepted afterwards at once (0: none)
		wantLimited bool
		wantCap     int // hostCap afterwards
	}{
		{name: "503 with two running: cap 2", running: 2, status: 503, wantLimited: true, wantCap: 2},
		{name: "429 with three running: cap 3", running: 3, status: 429, wantLimited: true, wantCap: 3},
		{name: "503 alone is an outage", running: 0, status: 503, wantLimited: false, wantCap: 0},
		{name: "500 is not a cap", running: 2, status: 500, wantLimited: false, wantCap: 0},
		{name: "a learnt cap rises with accepted transfers", running: 2, status: 503, accepted: 4, wantLimited: true, wantCap: 4},
		{name: "an explicit cap stays", maxPerHost: 2, running: 3, status: 503, accepted: 5, wantLimited: true, wantCap: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, _ := newTestScheduler(8, 256<<10, 64*mib)
			sc.maxPerHost = tt.maxPerHost
			p := sc.parts[0]
			for i := range tt.running {
				sc.addSpan(p, &worker{}, int64(i)*mib, int64(i+1)*mib).transferring = true
			}
			refused := sc.addSpan(p, &worker{}, 32*mib, 33*mib)
			limited, _ := sc.refusal(refused, tt.status)
			if limited != tt.wantLimited {
				t.Errorf("limited = %v, want %v", limited, tt.wantLimited)
			}
			if limited && sc.refused.Load() != 1 {
				t.Errorf("refused counter %d, want 1", sc.refused.Load())
			}
			sc.release(refused, false)
			if tt.accepted > 0 {
				for len(sc.spans) < tt.accepted {
					sc.addSpan(p, &worker{}, 40*mib, 41*mib).transferring = true
				}
				sp := sc.spans[len(sc.spans)-1]
				sp.transferring = false
				sc.noteAccepted(sp)
			}
			if got := sc.hostCap("a"); got != tt.wantCap {
				t.Errorf("cap %d, want %d", got, tt.wantCap)
			}
			if tt.wantCap > 0 {
				for len(sc.spans) < tt.wantCap {
					sc.addSpan(p, &worker{}, 50*mib, 51*mib)
				}
				if !sc.hostFull("a") {
					t.Errorf("host not full at %d spans under cap %d", len(sc.spans), tt.wantCap)
				}
			}
		})
	}
}

// TestSchedulerDropsSlow: a transfer below an eighth of the median for
// three seconds is cancelled with errSlow; a shorter dip, too few
// transfers to compare, or an unconfirmed part is left alone.
func TestSchedulerDropsSlow(t *testing.T) {
	tests := []struct {
		name        string
		fast        int // transfers at 4 MiB/s beside the slow one
		slowRate    float64
		for_        time.Duration
		unconfirmed bool
		wantDropped bool
	}{
		{name: "slow for 3 s among three", fast: 3, slowRate: 64 << 10, for_: 3 * time.Second, wantDropped: true},
		{name: "slow for 2 s only", fast: 3, slowRate: 64 << 10, for_: 2 * time.Second},
		{name: "too few to compare", fast: 1, slowRate: 64 << 10, for_: 4 * time.Second},
		{name: "an eighth is not slow enough", fast: 3, slowRate: 1 << 20, for_: 4 * time.Second},
		{name: "an unconfirmed part is not dropped", fast: 3, slowRate: 64 << 10, for_: 4 * time.Second, unconfirmed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, clk := newTestScheduler(8, 256<<10, 64*mib)
			p := sc.parts[0]
			p.confirmed = !tt.unconfirmed
			rates := map[*worker]float64{}
			add := func(rate float64, at int64) *span {
				w := measured(clk, rate, time.Second, false)
				rates[w] = rate
				sp := sc.addSpan(p, w, at*mib, (at+1)*mib)
				sp.transferring = true
				return sp
			}
			for i := range tt.fast {
				add(4<<20, int64(i))
			}
			slow := add(tt.slowRate, 10)
			var cause error
			slow.cancel = func(c error) { cause = c }
			for _, s := range sc.spans {
				if s != slow {
					s.cancel = func(error) { t.Error("a fast transfer was dropped") }
				}
			}
			// The watcher looks every slowEvery while the transfers go on.
			for el := time.Duration(0); el <= tt.for_; el += slowEvery {
				sc.dropSlow()
				t0 := clk.t
				clk.t = clk.t.Add(slowEvery)
				for w, r := range rates {
					feed(w, t0, slowEvery, r)
				}
			}
			if dropped := errors.Is(cause, errSlow); dropped != tt.wantDropped {
				t.Errorf("dropped = %v (cause %v), want %v", dropped, cause, tt.wantDropped)
			}
		})
	}
}

// TestSchedulerRequestWindow: a request that delivered its range while
// nobody stole from the span doubles the next one, up to about two
// seconds of the connection's rate; a stolen-from span keeps its window.
func TestSchedulerRequestWindow(t *testing.T) {
	tests := []struct {
		name   string
		window int64
		rate   float64 // the worker's last rate (0: none)
		stolen bool
		want   int64
	}{
		{name: "doubles", window: 1 * mib, want: 2 * mib},
		{name: "two seconds of transfer at most", window: 4 * mib, rate: 3 * mib, want: 6 * mib},
		{name: "never below twice the minimum split", window: 300 << 10, rate: 1 << 10, want: 512 << 10},
		{name: "never shrinks", window: 8 * mib, rate: 1 * mib, want: 8 * mib},
		{name: "stolen from: unchanged", window: 1 * mib, stolen: true, want: 1 * mib},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, _ := newTestScheduler(4, 256<<10, 64*mib)
			w := &worker{}
			w.m.last = tt.rate
			sp := sc.addSpan(sc.parts[0], w, 0, 64*mib)
			sp.window, sp.stolen, sp.reqEnd = tt.window, tt.stolen, tt.window
			if o := sc.requestDone(sp, tt.window); o != spanMore {
				t.Fatalf("outcome %v, want spanMore", o)
			}
			if sp.window != tt.want {
				t.Errorf("next window %d, want %d", sp.window, tt.want)
			}
		})
	}
}

// TestSchedulerFirstWindow: the first request of a part of unknown size
// is whole (8 MiB) or a 1 MiB probe whose rest idle connections can
// share. A probe is made only when connections would sit idle beside the
// part and, once a size and a speed are known, when sharing its rest saves
// more than the request it costs.
func TestSchedulerFirstWindow(t *testing.T) {
	tests := []struct {
		name    string
		parts   int
		held    int     // parts 0..held-1 have a span
		done    int     // parts 0..done-1 are complete, of size known
		known   int64   // their size
		rate    float64 // the claiming worker's last rate (0: none)
		latency time.Duration
		want    int64
	}{
		{name: "the first of 31 unknown segments on 16 connections: whole", parts: 31, want: 8 * mib},
		{name: "the 16th claim: 15 parts not started, one for every other connection: whole", parts: 31, held: 15, want: 8 * mib},
		{name: "the 17th claim, no size known yet: 14 parts left for 15 connections: a probe", parts: 31, held: 16, want: mib},
		{name: "15 segments on 16 connections: a probe, to learn the sizes", parts: 15, want: mib},
		{name: "many segments: whole", parts: 40, want: 8 * mib},
		{name: "segments little larger than the probe: whole (its rest would cost a request for nothing)",
			parts: 31, held: 25, done: 25, known: mib + 56<<10, rate: 25 * mib, latency: 40 * time.Millisecond, want: 8 * mib},
		{name: "3 MiB segments at 1 MiB/s: a probe (its 2 MiB rest shared saves seconds)",
			parts: 31, held: 25, done: 25, known: 3 * mib, rate: mib, latency: 5 * time.Millisecond, want: mib},
		{name: "4 MiB segments from a fast, distant server: whole (sharing saves less than a round trip)",
			parts: 31, held: 25, done: 25, known: 4 * mib, rate: 200 * mib, latency: 40 * time.Millisecond, want: 8 * mib},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sizes := make([]int64, tt.parts)
			for i := range sizes {
				sizes[i] = -1
			}
			sc, clk := newTestScheduler(16, 256<<10, sizes...)
			for i := 0; i < tt.held; i++ {
				p := sc.parts[i]
				if i < tt.done {
					p.size, p.done, p.complete = tt.known, rangeSet{{0, tt.known}}, true
					continue
				}
				sc.addSpan(p, &worker{}, 0, -1)
			}
			w := &worker{}
			if tt.rate > 0 {
				w = measured(clk, tt.rate, time.Second, true)
				w.m.latency = tt.latency
			}
			p := sc.parts[tt.held]
			sc.addSpan(p, w, 0, -1)
			if got := sc.initialWindow(p, w); got != tt.want {
				t.Errorf("first window %d, want %d", got, tt.want)
			}
		})
	}
}
