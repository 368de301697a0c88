// Command benchserver serves a random file with per-connection throttling,
// optionally making one response ten times slower than the others: the
// case work stealing exists for; or, with -dir, a directory (demo.sh
// serves the HLS fixtures with it). Used by bench/run.sh and demo.sh.
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	ms "github.com/vdlproject/vdl/internal/mediaserver"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	size := flag.Int64("size", 64<<20, "file size in bytes")
	throttle := flag.Int64("throttle", 0, "bytes/s per response (0 = unlimited)")
	slow := flag.Int64("slow", 0, "make the n-th response (1-based) ten times slower")
	dir := flag.String("dir", "", "serve this directory instead of a random file")
	flag.Parse()

	var srv http.Handler = ms.Handler(ms.RandomBytes(int(*size)), ms.Options{Throttle: *throttle, SlowConn: *slow})
	file := "/file.bin"
	if *dir != "" {
		srv, file = http.FileServer(http.Dir(*dir)), "/"
	}
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	// The first line tells scripts where to connect.
	fmt.Printf("http://%s%s\n", l.Addr(), file)
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		<-sig
		l.Close()
	}()
	if err := http.Serve(l, srv); err != nil && !errors.Is(err, net.ErrClosed) {
		log.Fatal(err)
	}
}
