// Command fakeqq runs the fake v.qq.com behind its TLS-terminating proxy,
// for the demo and the benchmarks: the site of 2026 by default, the site
// of 2022-2023 with -legacy. It prints the proxy URL, then the CA file to
// trust (SSL_CERT_FILE), one per line, and serves until SIGINT or SIGTERM,
// when it prints how many API requests it answered and what the CDN
// answered each flow.
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
	legacy := flag.Bool("legacy", false, "the site of 2022-2023: no proxyhttp or getPage, old pages, no CDN refusals of older flows")
	tokenTTL := flag.Duration("token-ttl", 0, "lifetime of TS path tokens (0 = 10 minutes)")
	flag.Parse()
	cfg := fakeqq.Config{MediaDir: *media, PagesDir: *pages, Throttle: *throttle, APIDelay: *delay,
		Faults: fakeqq.Faults{Every: *failEvery, Kinds: strings.Split(*failKinds, ",")}, Legacy: *legacy, TokenTTL: *tokenTTL}
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
	fmt.Fprintf(os.Stderr, "fakeqq: requests: page %d, proxyhttp %d (vinfoad %d: ts %d, mp4 %d; onlyvkey %d), getvinfo %d, getinfo %d, getkey %d, getpage %d, pagedata %d; faults injected %v\n",
		site.Calls("page"), site.Calls("proxyhttp"), site.Calls("vinfoad"), site.Calls("vinfoad:ts"), site.Calls("vinfoad:mp4"),
		site.Calls("onlyvkey"), site.Calls("getvinfo"), site.Calls("getinfo"), site.Calls("getkey"), site.Calls("getpage"),
		site.Calls("pagedata"), site.Injected())
	for _, flow := range []string{fakeqq.FlowProxyTS, fakeqq.FlowProxyMP4, fakeqq.FlowGetvinfo, fakeqq.FlowGetinfo} {
		var parts []string
		for _, status := range []int{200, 403, 404, 410, 564} {
			if n := site.FlowStatus(flow, status); n > 0 {
				parts = append(parts, fmt.Sprintf("%d×%d", n, status))
			}
		}
		if len(parts) > 0 {
			fmt.Fprintf(os.Stderr, "fakeqq: CDN, %s URLs: %s\n", flow, strings.Join(parts, ", "))
		}
	}
}
