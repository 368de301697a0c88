// Command fakeqq runs the fake v.qq.com behind its TLS-terminating proxy,
// for the demo and the benchmarks: the site of 2026 by default, the site
// of 2022-2023 with -legacy. It prints the proxy URL, then the CA file to
// trust (SSL_CERT_FILE), one per line, and serves until SIGINT or SIGTERM,
// when it prints how many API requests it answered and what the CDN
// answered each flow.
//
// For bench/qq.sh it also meters every run: a plain GET of
// http://fakeqq.stats/ through the proxy (curl -x PROXY) answers one line
// of counters since the previous such GET (page and API requests by kind,
// CDN media requests, the times of the first media request and of the
// first media body byte), then starts them again.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/vdlproject/vdl/internal/fakeqq"
)

func main() {
	media := flag.String("media", "testdata/media", "media fixtures folder (the 2026 catalogue takes hls-ts, mp4-clips/clip{1,2,3}.mp4 and source/source.mp4 from it)")
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
	refuseFlow := flag.String("refuse-flow", "", "comma-separated flow=status (proxyhttp-ts=403): the CDN answers status to every media request of that flow, so the download hands over")
	refuseMode := flag.String("refuse-api-mode", "", "ts or mp4: proxyhttp refuses that mode's vinfoad as it refuses a bad cKey (85.-3), so the extraction moves to the next flow before any media request")
	flag.Parse()
	cfg := fakeqq.Config{MediaDir: *media, PagesDir: *pages, Throttle: *throttle, APIDelay: *delay,
		Faults: fakeqq.Faults{Every: *failEvery, Kinds: strings.Split(*failKinds, ",")}, Legacy: *legacy, TokenTTL: *tokenTTL}
	cfg.SeriesFile = *seriesFile
	if *clips != "" {
		cfg.Clips = strings.Split(*clips, ",")
	}
	dtype, ok := map[string]string{"": "", "ts": "3", "mp4": "1"}[*refuseMode]
	if !ok {
		log.Fatalf("fakeqq: -refuse-api-mode %q: want ts or mp4", *refuseMode)
	}
	site, err := fakeqq.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	if err := applyRefusals(site, *refuseFlow); err != nil {
		log.Fatal(err)
	}
	m := &meter{site: site, refuseDtype: dtype, last: map[string]int{}}
	p, err := fakeqq.StartProxy(m, *dir)
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
	for _, flow := range flows() {
		var parts []string
		for _, status := range cdnStatuses() {
			if n := site.FlowStatus(flow, status); n > 0 {
				parts = append(parts, fmt.Sprintf("%d×%d", n, status))
			}
		}
		if len(parts) > 0 {
			fmt.Fprintf(os.Stderr, "fakeqq: CDN, %s URLs: %s\n", flow, strings.Join(parts, ", "))
		}
	}
}

// flows are the flows the CDN tells apart, in the extractor's order.
func flows() []string {
	return []string{fakeqq.FlowProxyTS, fakeqq.FlowProxyMP4, fakeqq.FlowGetvinfo, fakeqq.FlowGetinfo}
}

// cdnStatuses are the CDN answers reported per flow.
func cdnStatuses() []int { return []int{200, 403, 404, 410, 564} }

// apiKinds are the Site.Calls kinds of page and API requests; their sum
// (with the injected faults) is every request to a page or API host, as
// proxyhttp counts once per request whatever its buid.
func apiKinds() []string {
	return []string{"page", "proxyhttp", "getvinfo", "getinfo", "getkey", "getpage", "pagedata"}
}

// subKinds break proxyhttp down by buid and mode.
func subKinds() []string { return []string{"vinfoad:ts", "vinfoad:mp4", "onlyvkey"} }

// applyRefusals parses -refuse-flow.
func applyRefusals(site *fakeqq.Site, spec string) error {
	for _, part := range strings.Split(spec, ",") {
		if part == "" {
			continue
		}
		flow, st, ok := strings.Cut(part, "=")
		status, err := strconv.Atoi(st)
		if !ok || err != nil {
			return fmt.Errorf("fakeqq: -refuse-flow %q: want flow=status", part)
		}
		if !slices.Contains(flows(), flow) {
			return fmt.Errorf("fakeqq: -refuse-flow: unknown flow %q (want one of %s)", flow, strings.Join(flows(), ", "))
		}
		site.RefuseFlow(flow, status)
	}
	return nil
}

// statsHost is the plain-HTTP host the meter answers itself.
const statsHost = "fakeqq.stats"

// meter sits in front of the site: it counts what the site does not
// (CDN media requests, the first media byte's time), spoils the cKey of
// the refused proxyhttp mode, and answers statsHost.
type meter struct {
	site        *fakeqq.Site
	refuseDtype string // "3" (TS) or "1" (clips): that mode's vinfoad is refused; "" none

	media, mediaRefused, spoiled atomic.Int64
	// Unix nanoseconds of the first media request, of the first media
	// body byte and of the last media body write since the last stats
	// GET; 0 = none yet.
	firstRequest, firstByte, lastByte atomic.Int64

	mu   sync.Mutex
	last map[string]int // the cumulative counters at the last stats GET
}

func (m *meter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host := strings.ToLower(r.Host)
	if h, _, ok := strings.Cut(host, ":"); ok {
		host = h
	}
	switch {
	case host == statsHost:
		m.serveStats(w)
		return
	case (host == fakeqq.CDNA || host == fakeqq.CDNB) && isMedia(r.URL.Path):
		m.media.Add(1)
		m.firstRequest.CompareAndSwap(0, time.Now().UnixNano())
		w = &mediaWriter{ResponseWriter: w, m: m}
	case m.refuseDtype != "" && (host == fakeqq.ProxyHost || host == fakeqq.ProxyHost6) && r.URL.Path == fakeqq.ProxyPath:
		m.spoil(r)
	}
	m.site.ServeHTTP(w, r)
}

// isMedia says a CDN path is media (a TS or HLS segment, an MP4 clip or
// file), not a playlist, subtitle or picture.
func isMedia(p string) bool {
	switch path.Ext(p) {
	case ".ts", ".mp4", ".m4s":
		return !strings.Contains(p, "/subs/") && !strings.HasPrefix(p, "/pic/")
	}
	return false
}

// spoil replaces the cKey of a vinfoad request of the refused mode, so
// the site answers it as it answers any bad cKey: the API failing for
// that mode alone, which the fake package has no switch for.
func (m *meter) spoil(r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return
	}
	var req map[string]any
	if json.Unmarshal(body, &req) != nil || req["buid"] != "vinfoad" {
		return
	}
	param, _ := req["vinfoparam"].(string)
	q, err := url.ParseQuery(param)
	if err != nil || q.Get("dtype") != m.refuseDtype {
		return
	}
	q.Set("cKey", "--01SPOILEDBYFAKEQQ")
	req["vinfoparam"] = q.Encode()
	nb, err := json.Marshal(req)
	if err != nil {
		return
	}
	m.spoiled.Add(1)
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(nb)), int64(len(nb))
	r.Header.Set("Content-Length", strconv.Itoa(len(nb)))
}

// counters are the cumulative counts the stats line reports as
// differences.
func (m *meter) counters() map[string]int {
	c := map[string]int{}
	for _, k := range append(apiKinds(), subKinds()...) {
		c[k] = m.site.Calls(k)
	}
	for _, n := range m.site.Injected() {
		c["faults"] += n
	}
	c["spoiled"] = int(m.spoiled.Load())
	c["media"] = int(m.media.Load())
	c["media_refused"] = int(m.mediaRefused.Load())
	for _, f := range flows() {
		for _, st := range cdnStatuses() {
			c[fmt.Sprintf("cdn:%s:%d", f, st)] = m.site.FlowStatus(f, st)
		}
	}
	return c
}

// serveStats writes "key=value ..." for the requests since the last
// stats GET: api (every page and API request, faults included), each
// kind, media requests, and first_request, first_byte and last_byte in
// Unix nanoseconds (0: none); then starts again.
func (m *meter) serveStats(w http.ResponseWriter) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.counters()
	d := func(k string) int { return now[k] - m.last[k] }
	api := d("faults")
	for _, k := range apiKinds() {
		api += d(k)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "api=%d", api)
	for _, k := range append(append(apiKinds(), subKinds()...), "faults", "spoiled", "media", "media_refused") {
		fmt.Fprintf(&b, " %s=%d", strings.ReplaceAll(k, ":", "_"), d(k))
	}
	for _, f := range flows() {
		for _, st := range cdnStatuses() {
			if n := d(fmt.Sprintf("cdn:%s:%d", f, st)); n > 0 {
				fmt.Fprintf(&b, " cdn_%s_%d=%d", f, st, n)
			}
		}
	}
	fmt.Fprintf(&b, " first_request=%d first_byte=%d last_byte=%d\n", m.firstRequest.Swap(0), m.firstByte.Swap(0), m.lastByte.Swap(0))
	m.last = now
	w.Header().Set("Content-Type", "text/plain")
	io.WriteString(w, b.String())
}

// mediaWriter notes a media response's status and the time of the first
// body byte of a successful one.
type mediaWriter struct {
	http.ResponseWriter
	m      *meter
	status int
}

func (w *mediaWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
		if code >= 400 {
			w.m.mediaRefused.Add(1)
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *mediaWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	n, err := w.ResponseWriter.Write(p)
	if n > 0 && w.status < 300 {
		now := time.Now().UnixNano()
		w.m.firstByte.CompareAndSwap(0, now)
		w.m.lastByte.Store(now) // after the write: the bytes are on their way
	}
	return n, err
}

// Flush passes through: the media server flushes as it throttles.
func (w *mediaWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *mediaWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
