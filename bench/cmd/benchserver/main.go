// Command benchserver serves a random file with per-connection throttling,
// optionally making one response ten times slower than the others (the
// case work stealing exists for), every connection after the first few
// crawl (the slow tail), or refusing connections beyond a cap; or, with
// -dir, a directory (demo.sh serves the HLS fixtures with it). GET
// /stats answers its counters as JSON. Used by the bench scripts and
// demo.sh.
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
	slowAfter := flag.Int64("slow-after", 0, "connections after the first n send at -slow-rate")
	slowRate := flag.Int64("slow-rate", 16<<10, "bytes/s of the connections after -slow-after")
	maxConns := flag.Int64("max-conns", 0, "answer 503 beyond this many requests at once (0 = no cap)")
	flag.Parse()

	media := ms.Handler(ms.RandomBytes(int(*size)), ms.Options{Throttle: *throttle, SlowConn: *slow,
		SlowAfterConns: *slowAfter, SlowRate: *slowRate, MaxConns: *maxConns})
	mux := http.NewServeMux()
	mux.HandleFunc("/stats", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, `{"requests":%d,"sent":%d,"conns":%d,"refused":%d}`+"\n",
			media.Requests.Load(), media.Sent.Load(), media.Conns.Load(), media.Refused.Load())
	})
	mux.Handle("/", media)
	var srv http.Handler = mux
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
	hs := &http.Server{Handler: srv, ConnContext: media.ConnContext}
	if err := hs.Serve(l); err != nil && !errors.Is(err, net.ErrClosed) {
		log.Fatal(err)
	}
}
