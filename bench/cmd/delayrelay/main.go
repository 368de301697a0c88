// Command delayrelay is a TCP relay that models a distant, throttling
// CDN: every chunk a client sends (an HTTP request) reaches the server
// only after -delay, and each connection's responses flow at most at
// -rate bytes/s. nginx's own limit_rate cannot do the latter for short
// segments: it lets the first second's worth of bytes of every request
// through at once, so a 300 KB segment is never throttled. Used by
// bench/hls.sh.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/time/rate"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	target := flag.String("target", "", "host:port to relay to")
	delay := flag.Duration("delay", 50*time.Millisecond, "latency added to each client chunk")
	perConn := flag.Int("rate", 0, "bytes/s per connection for responses (0 = unlimited)")
	flag.Parse()
	if *target == "" {
		log.Fatal("delayrelay: -target is required")
	}
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(l.Addr()) // the first line tells scripts where to connect
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		<-sig
		l.Close()
	}()
	for {
		c, err := l.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			log.Fatal(err)
		}
		go relay(c, *target, *delay, *perConn)
	}
}

func relay(client net.Conn, target string, delay time.Duration, perConn int) {
	defer client.Close()
	server, err := net.Dial("tcp", target)
	if err != nil {
		log.Print(err)
		return
	}
	defer server.Close()
	done := make(chan struct{}, 2)
	go func() {
		// Requests: hold each chunk back by the delay.
		buf := make([]byte, 32<<10)
		for {
			n, err := client.Read(buf)
			if n > 0 {
				time.Sleep(delay)
				if _, werr := server.Write(buf[:n]); werr != nil {
					break
				}
			}
			if err != nil {
				break
			}
		}
		if tc, ok := server.(*net.TCPConn); ok {
			tc.CloseWrite()
		}
		done <- struct{}{}
	}()
	go func() {
		copyPaced(client, server, perConn)
		if tc, ok := client.(*net.TCPConn); ok {
			tc.CloseWrite()
		}
		done <- struct{}{}
	}()
	<-done
	<-done
}

// copyPaced copies src to dst at most at bps bytes/s (0 = no limit), in
// small steps so the stream is smooth rather than bursty.
func copyPaced(dst io.Writer, src io.Reader, bps int) {
	if bps <= 0 {
		io.Copy(dst, src)
		return
	}
	step := min(16<<10, max(bps/50, 1))
	lim := rate.NewLimiter(rate.Limit(bps), step)
	buf := make([]byte, step)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if lim.WaitN(context.Background(), n) != nil {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
