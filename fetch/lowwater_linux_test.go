package fetch

import (
	"crypto/tls"
	"net"
	"syscall"
	"testing"
	"time"
)

// TestWaterMark: the mark follows the body's remaining bytes (never more
// than they, less the slack), comes back to 1, and is left alone on a
// TLS connection, whose read-ahead cannot be bounded.
func TestWaterMark(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		if c, err := ln.Accept(); err == nil {
			defer c.Close()
			var b [1]byte
			_, _ = c.Read(b[:]) // until the client closes
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if waterMarkOf(tls.Client(c, &tls.Config{})) != nil {
		t.Error("a TLS connection got a mark")
	}
	m := waterMarkOf(c)
	if m == nil {
		t.Fatal("no mark for a TCP connection")
	}
	get := func() int {
		var v int
		var gerr error
		if err := m.rc.Control(func(fd uintptr) {
			v, gerr = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVLOWAT)
		}); err != nil || gerr != nil {
			t.Fatal(err, gerr)
		}
		return v
	}
	const fast = 100 << 20 // bytes/s: the mark is bounded by the body
	for _, tt := range []struct {
		remaining int64
		rate      float64
		stall     time.Duration
		want      int
	}{
		{8 << 20, fast, time.Minute, lowWater},
		{lowWater + lowWaterSlack + 1, fast, time.Minute, lowWater},
		{lowWaterSlack + 5000, fast, time.Minute, 4096}, // the power of two below 5000
		{lowWaterSlack + 4095, fast, time.Minute, 1},    // too small to be worth it
		{lowWaterSlack, fast, time.Minute, 1},
		{8 << 20, 1 << 20, time.Minute, 16 << 10},          // 1 MiB/s brings 26 KB in 25 ms
		{8 << 20, 1 << 20, 80 * time.Millisecond, 8 << 10}, // an eighth of the stall timeout: 13 KB
		{8 << 20, 0, time.Minute, 1},                       // not measured yet
		{8 << 20, 100 << 10, time.Minute, 1},               // 100 KiB/s: 2.5 KB in 25 ms
		{8 << 20, fast, time.Minute, lowWater},
	} {
		raised := m.forRemaining(tt.remaining, tt.rate, tt.stall)
		if got := get(); got != tt.want || raised != (tt.want > 1) {
			t.Errorf("remaining %d at %.0f B/s: mark %d (raised %v), want %d", tt.remaining, tt.rate, got, raised, tt.want)
		}
	}
	m.set(1)
	if got := get(); got != 1 {
		t.Errorf("mark %d after the body, want 1", got)
	}
}

// TestWaterMarkGuard: a mark above the bytes that will ever come (the
// mistake the guard is for) holds the reader back only until the guard
// lowers it; the bytes are read, not left to the stall watchdog.
func TestWaterMarkGuard(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	sent := make(chan struct{})
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		<-sent // the mark is raised before the bytes come
		_, _ = c.Write(make([]byte, 1000))
		var b [1]byte
		_, _ = c.Read(b[:]) // keep the connection open, as a kept-alive server does
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	m := waterMarkOf(c)
	m.set(lowWater)
	close(sent)
	// Far longer than the guard: a read still waiting then is the bug.
	_ = c.SetReadDeadline(time.Now().Add(20 * time.Second))
	got := 0
	buf := make([]byte, 4096)
	for got < 1000 {
		n, err := c.Read(buf)
		if err != nil {
			t.Fatalf("after %d bytes: %v (the guard did not lower the mark)", got, err)
		}
		got += n
	}
}
