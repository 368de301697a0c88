// Command fakeqq runs the fake v.qq.com behind its TLS-terminating proxy,
// for the demo and the benchmarks. It prints the proxy URL, then the CA
// file to trust (SSL_CERT_FILE), one per line, and serves until SIGINT or
// SIGTERM, when it prints how many API requests it answered.
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
	seriesFile := flag.String("series-file", "", "the media file of every episode of the long series (default: the source fixture)")
	throttle := flag.Int64("throttle", 0, "CDN bytes/s per response (0 = unlimited)")
	dir := flag.String("dir", os.TempDir(), "where to write the CA file")
	delay := flag.Duration("api-delay", 0, "added to every page and API reply (a round trip to Tencent)")
	failEvery := flag.Int("fail-every", 0, "fail every Nth page or API request (0 = never)")
	failKinds := flag.String("fail-kinds", strings.Join(fakeqq.AllFaults, ","), "the faults, in turn: 503 (Retry-After: 1), reset, 502, hang")
	flag.Parse()
	cfg := fakeqq.Config{MediaDir: *media, PagesDir: *pages, Throttle: *throttle, APIDelay: *delay,
		Faults: fakeqq.Faults{Every: *failEvery, Kinds: strings.Split(*failKinds, ",")}}
	cfg.SeriesFile = *seriesFile
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
	fmt.Fprintf(os.Stderr, "fakeqq: requests: page %d, getvinfo %d, getinfo %d, getkey %d; faults injected %v\n",
		site.Calls("page"), site.Calls("getvinfo"), site.Calls("getinfo"), site.Calls("getkey"), site.Injected())
}
