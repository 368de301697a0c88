// Command fakeqq runs the fake v.qq.com behind its TLS-terminating proxy,
// for the demo and the benchmarks. It prints the proxy URL, then the CA
// file to trust (SSL_CERT_FILE), one per line, and serves until killed.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/vdlproject/vdl/internal/fakeqq"
)

func main() {
	media := flag.String("media", "testdata/media", "media fixtures folder")
	pages := flag.String("pages", "testdata/fakeqq", "folder of page.html")
	clips := flag.String("clips", "", "comma-separated clip files of the multi-clip episode (default: the mp4-clips fixtures)")
	throttle := flag.Int64("throttle", 0, "CDN bytes/s per response (0 = unlimited)")
	dir := flag.String("dir", os.TempDir(), "where to write the CA file")
	flag.Parse()
	cfg := fakeqq.Config{MediaDir: *media, PagesDir: *pages, Throttle: *throttle}
	if *clips != "" {
		cfg.Clips = strings.Split(*clips, ",")
	}
	site, err := fakeqq.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	p, err := fakeqq.StartProxy(site, *dir)
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	fmt.Println(p.URL)
	fmt.Println(p.CAFile)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
}
