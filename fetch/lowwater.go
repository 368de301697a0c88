package fetch

import (
	"math/bits"
	"net"
	"sync"
	"syscall"
	"time"
)

// Fewer, larger reads on a slow or shaped link: a socket wakes its reader
// for every packet train, so a connection at a few MB/s is read a few
// kilobytes at a time, each read a wake-up and a syscall or two. A
// receive low-water mark (SO_RCVLOWAT) makes the kernel wake the reader
// only once the mark's bytes are buffered: up to lowWater, and no more
// than the connection's measured rate brings in lowWaterTime, so that a
// slow connection is not held back (forRemaining).
//
// The mark must never exceed what is still to come on the socket, or the
// last bytes of a response would sit unread until the stall watchdog
// fired, and a kept-alive connection's next response (headers of a few
// hundred bytes) must find it back at 1. So a body sets it to at most
// its remaining bytes less lowWaterSlack (what net/http's 4 KiB reader
// may already hold of them) and lowers it as the body ends; every
// transfer puts it back to 1 before the next request is sent.
//
// Plain TCP only: a TLS connection reads ahead into a buffer that grows
// with what the socket holds, so the bytes still to come on the socket
// cannot be bounded from the body's remaining bytes (a download through
// the fake v.qq.com's TLS CDN stalled at the end of a response).

const (
	lowWater      = 64 << 10
	lowWaterSlack = 16 << 10
)

// waterMark holds a connection's low-water mark; nil when the
// connection's socket cannot be reached (a wrapper we do not know).
// Its methods are called by the connection's transfer loop; only the
// guard's timer runs elsewhere.
type waterMark struct {
	rc    syscall.RawConn
	mu    sync.Mutex
	cur   int
	guard *time.Timer
}

// waterMarkOf returns the mark of c when it is a plain TCP connection.
func waterMarkOf(c net.Conn) *waterMark {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return nil
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return nil
	}
	return &waterMark{rc: rc, cur: 1}
}

// lowWaterTime bounds the time a mark may hold the reader back, at the
// connection's measured rate: wake-ups stay under 40 a second, and a
// connection that slows down is still read long before the stall
// watchdog or the slow-connection check could mistake it for silent.
const lowWaterTime = 25 * time.Millisecond

// forRemaining sets the mark for a body with remaining bytes still to
// read, on a connection measured at rate bytes/s (0: not yet), whose
// silences are cut after stall: a power of two up to lowWater, at most
// remaining less lowWaterSlack and what rate brings in lowWaterTime (or
// an eighth of stall), else 1. It says whether the mark is raised.
func (m *waterMark) forRemaining(remaining int64, rate float64, stall time.Duration) (raised bool) {
	wait := lowWaterTime
	if stall > 0 {
		wait = min(wait, stall/8)
	}
	most := min(float64(remaining-lowWaterSlack), rate*wait.Seconds(), lowWater)
	want := 1
	if most >= minLowWater {
		want = 1 << (bits.Len(uint(most)) - 1) // the largest power of two not above most
	}
	m.set(want)
	return want > 1
}

// minLowWater: a smaller mark saves too few wake-ups for its syscall.
const minLowWater = 4 << 10

// guardAfter is how long a read may wait on a raised mark before the
// guard lowers it: should any path leave a mark above the bytes still to
// come, the transfer loses this much, not the stall timeout (raising the
// mark while a reader waits is harmless; lowering it wakes the reader
// when bytes are buffered).
const guardAfter = 4 * lowWaterTime

// set changes the mark when it differs; a failure (the connection
// closed) leaves it as it was. A raised mark arms the guard.
func (m *waterMark) set(n int) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if n > 1 {
		if m.guard == nil {
			m.guard = time.AfterFunc(guardAfter, m.lower)
		} else {
			m.guard.Reset(guardAfter)
		}
	} else if m.guard != nil {
		m.guard.Stop()
	}
	m.setLocked(n)
}

// lower puts the mark back to 1 (the guard's timer).
func (m *waterMark) lower() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.setLocked(1)
}

func (m *waterMark) setLocked(n int) {
	if n == m.cur {
		return
	}
	var err error
	if cerr := m.rc.Control(func(fd uintptr) { err = setRcvLowat(fd, n) }); cerr != nil || err != nil {
		return
	}
	m.cur = n
}
