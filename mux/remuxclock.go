package mux

// The remux's clock: 33-bit 90 kHz timestamps unwrapped, and the
// discontinuities of a program's tracks stitched together.

// wrap33 reads a difference of 33-bit timestamps as a signed step.
func wrap33(d int64) int64 {
	d &= 1<<33 - 1
	if d >= 1<<32 {
		d -= 1 << 33
	}
	return d
}

// clock33 unwraps a stream's 33-bit 90 kHz timestamps (the clock wraps
// every 26.5 hours): each step is read as the shorter way round.
type clock33 struct {
	have    bool
	lastRaw int64
	last    int64 // unwrapped
}

func (c *clock33) unwrap(raw int64) int64 {
	if !c.have {
		c.have, c.lastRaw, c.last = true, raw, raw
		return raw
	}
	c.last += wrap33(raw - c.lastRaw)
	c.lastRaw = raw
	return c.last
}

// timeline is a track's clock: unwrapped, with its discontinuities
// stitched.
type timeline struct {
	clock  clock33
	offset int64 // added by stitching
}

func (c *timeline) unwrap(raw int64) int64 { return c.clock.unwrap(raw) + c.offset }

// stitch moves the clock over a discontinuity at ts so that the stream
// goes on at expected. When another track of the same program jumped by
// about as much, its correction is used instead, so that audio and video
// keep their relative timing across the jump.
func (c *timeline) stitch(t *tsTrack, ts, expected, last int64) int64 {
	delta := ts - expected
	if shared, ok := t.jumps.take(t, delta); ok && ts-shared > last {
		delta = shared
	} else {
		t.jumps.add(t, delta)
	}
	c.offset -= delta
	return ts - delta
}

// jumpLog pairs the discontinuities of a program's tracks.
type jumpLog struct {
	pending []jump
}

type jump struct {
	by    *tsTrack
	delta int64
}

func (j *jumpLog) add(by *tsTrack, delta int64) {
	j.pending = append(j.pending, jump{by, delta})
	if len(j.pending) > 8 {
		j.pending = j.pending[1:]
	}
}

// take returns (and consumes) another track's jump within 2 s of delta.
func (j *jumpLog) take(t *tsTrack, delta int64) (int64, bool) {
	for i := len(j.pending) - 1; i >= 0; i-- {
		p := j.pending[i]
		if p.by != t && p.delta-delta < 2*90000 && delta-p.delta < 2*90000 {
			j.pending = append(j.pending[:i], j.pending[i+1:]...)
			return p.delta, true
		}
	}
	return 0, false
}
