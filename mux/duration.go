package mux

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"time"
)

// Duration is how long a joined file plays, from its own structure: for
// MP4 until the last audio or video sample ends (its track's leading
// empty edit included), for MPEG-TS the longest span of PES timestamps
// of one stream (33-bit wraps unwrapped). It lets a caller check a
// download against the length the site gave, catching a preview, a
// truncated result, or one stretched by hostile timestamps.
func Duration(path string) (time.Duration, error) {
	t, err := TimingOf(path)
	return t.Duration, err
}

// Timing is how a joined file plays.
type Timing struct {
	Duration time.Duration // see Duration
	// StartGap is how much later one of its audio and video tracks
	// starts than the other (MP4 edit lists; 0 for MPEG-TS and for a
	// file of one track): in a sound file a frame or two, in one made
	// from hostile timestamps hours.
	StartGap time.Duration
}

// TimingOf reads a joined file's Timing.
func TimingOf(path string) (Timing, error) {
	kind, err := sniff(path)
	if err != nil {
		return Timing{}, err
	}
	if kind == "ts" {
		d, err := tsDuration(path)
		return Timing{Duration: d}, err
	}
	m, f, err := openMovie(path)
	if err != nil {
		return Timing{}, err
	}
	defer f.Close()
	var t Timing
	first, last := time.Duration(math.MaxInt64), time.Duration(0)
	for _, tr := range m.tracks {
		if tr.timescale == 0 || tr.handler != "vide" && tr.handler != "soun" {
			continue
		}
		empty, _, _ := tr.normalEdit()
		start := ticks(empty, m.timescale)
		first, last = min(first, start), max(last, start)
		t.Duration = max(t.Duration, start+ticks(tr.mediaDuration(), tr.timescale))
	}
	if t.Duration == 0 {
		return Timing{}, fmt.Errorf("%w: %s has no timed audio or video samples", ErrCorrupt, path)
	}
	t.StartGap = last - first
	return t, nil
}

// ticks converts a count of 1/scale seconds, bounded to 10^6 hours (a
// hostile file's 64-bit count must not overflow into a short length).
func ticks(v uint64, scale uint32) time.Duration {
	if scale == 0 {
		return 0
	}
	return time.Duration(min(float64(v)/float64(scale), 1e6*3600) * float64(time.Second))
}

// tsDuration reads every packet's PES timestamp. A stream's timestamps
// may restart (segments cut by separate encoder runs, EXT-X-DISCONTINUITY
// for ads): each run of steady timestamps counts its span plus one
// frame, and the runs add up.
func tsDuration(path string) (time.Duration, error) {
	f, err := openInput(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	spans := map[uint16]*tsRun{}
	br := bufio.NewReaderSize(f, 256<<10)
	pkt := make([]byte, tsPacket)
	for {
		if _, err := io.ReadFull(br, pkt); err != nil {
			break // the join checked the packets; a partial end only ends the count
		}
		raw, ok := pesTimestamp(pkt)
		if !ok {
			continue
		}
		pid := tsPID(pkt)
		if spans[pid] == nil {
			spans[pid] = &tsRun{}
		}
		spans[pid].add(raw)
	}
	var longest int64
	for _, sp := range spans {
		longest = max(longest, sp.total())
	}
	if longest == 0 {
		return 0, fmt.Errorf("%w: %s has no timestamps", ErrCorrupt, path)
	}
	return time.Duration(longest) * time.Second / 90000, nil
}

// tsRun sums the runs of one stream's 90 kHz timestamps.
type tsRun struct {
	seen        bool
	clock       clock33
	first, last int64 // of the current run
	step        int64 // the last step between timestamps: one frame
	done        int64 // the spans of the runs before
}

// A jump back of more than maxBack, or forward of more than maxGap,
// starts a new run (B-frame reordering moves PTS back by a few frames
// only); the remux stitches over a forward jump of more than maxGap too.
const (
	maxBack = 90000      // 1 s
	maxGap  = 10 * 90000 // 10 s
)

func (r *tsRun) add(raw int64) {
	ts := r.clock.unwrap(raw)
	if !r.seen {
		r.seen, r.first, r.last = true, ts, ts
		return
	}
	if ts < r.last-maxBack || ts > r.last+maxGap {
		r.done += r.last - r.first + r.step
		r.first, r.last = ts, ts
		return
	}
	if d := ts - r.last; d > 0 {
		if r.step == 0 || d < r.step {
			r.step = d
		}
		r.last = ts
	}
}

func (r *tsRun) total() int64 { return r.done + r.last - r.first + r.step }
