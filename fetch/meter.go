package fetch

import "time"

// meter measures one worker's transfer rate over the last few seconds.
// A worker keeps its connection between requests (keep-alive), so the
// meter follows what the connection delivers rather than one response:
// a server that bursts the first second of every response and then
// throttles (nginx's limit_rate) is judged by what it delivers now, not
// by its start.
type meter struct {
	began      time.Time // when the current work started (start)
	beganBytes int64
	at         [meterSamples]time.Time
	bytes      [meterSamples]int64
	n          int   // samples taken
	total      int64 // bytes so far
	// last is the rate of the worker's last finished request, what it is
	// expected to deliver when it takes new work; sure when it was
	// measured over the window, not guessed from a short transfer.
	last float64
	sure bool
	// latency is how long the worker's last request waited for its
	// response's headers: what another request would cost it.
	latency time.Duration
}

const (
	meterSamples = 16
	meterEvery   = 125 * time.Millisecond
	meterWindow  = 2 * time.Second
	// minRateWindow is how long a worker must have been measured before
	// its rate counts.
	minRateWindow = 300 * time.Millisecond
)

// add records n bytes received at now.
func (m *meter) add(now time.Time, n int64) {
	m.total += n
	if m.n > 0 && now.Sub(m.at[(m.n-1)%meterSamples]) < meterEvery {
		return
	}
	m.at[m.n%meterSamples], m.bytes[m.n%meterSamples] = now, m.total
	m.n++
}

// start marks the beginning of new work after idle time, which must not
// count against the rate: earlier samples are forgotten.
func (m *meter) start(now time.Time) {
	m.n = 1
	m.at[0], m.bytes[0] = now, m.total
	m.began, m.beganBytes = now, m.total
}

// rate returns bytes/s over the window; ok is false when the worker has
// not been measured long enough to tell (a measured 0 is a stall).
func (m *meter) rate(now time.Time) (r float64, ok bool) {
	if m.n == 0 {
		return 0, false
	}
	// The oldest sample still inside the window (or the newest if none).
	oldest := (m.n - 1) % meterSamples
	for k := 1; k < min(m.n, meterSamples); k++ {
		i := (m.n - 1 - k) % meterSamples
		if now.Sub(m.at[i]) > meterWindow {
			break
		}
		oldest = i
	}
	el := now.Sub(m.at[oldest])
	if el < minRateWindow {
		return 0, false
	}
	return float64(m.total-m.bytes[oldest]) / el.Seconds(), true
}

// measuredFor is how long the current measurement has run.
func (m *meter) measuredFor(now time.Time) time.Duration {
	if m.n == 0 {
		return 0
	}
	return now.Sub(m.at[max(m.n-meterSamples, 0)%meterSamples])
}

// finish notes the end of a transfer: its rate is what the worker is
// expected to deliver when it takes new work (idle time must not make
// it look slower than it is).
func (m *meter) finish(now time.Time) {
	if r, ok := m.rate(now); ok && r > 0 {
		m.last, m.sure = r, true
		return
	}
	// Work too short for the window: its average, if it moved enough to
	// tell (a fast connection may finish a piece in a few milliseconds).
	if el, n := now.Sub(m.began), m.total-m.beganBytes; !m.began.IsZero() && el > 0 && n >= minFill {
		m.last, m.sure = float64(n)/el.Seconds(), false
	}
}
