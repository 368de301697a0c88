// Package fakeqq is a fake v.qq.com for tests, the demo and benchmarks.
// By default it is the site of 2026: the web player's proxyhttp API (cKey
// 8.5 checked, TS and MP4-clip modes, onlyvkey), 2026 pages, the getPage
// and GetPageData episode lists, and a CDN that refuses what the older
// flows lead to for long episodes; the older getvinfo (cKey 8.1) and
// legacy getinfo/getkey APIs still answer. Config.Legacy is the site of
// 2022-2023 (proxyhttp refuses everything, no getPage, old pages). Two CDN
// prefixes serve real media from testdata with ranges, signed by vkeys and
// expiring path tokens. Proxy puts it behind an HTTP proxy that
// terminates TLS with its own CA, so the real binary reaches it with
// --proxy and SSL_CERT_FILE, no switch.
package fakeqq

import (
	"fmt"
	"html/template"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	texttemplate "text/template"
	"time"

	"github.com/vdlproject/vdl/internal/mediaserver"
)

// Hosts the fake answers for.
const (
	PageHost   = "v.qq.com"
	VinfoHost  = "h5vv6.video.qq.com"
	LegacyHost = "vv.video.qq.com"
	CDNA       = "cdn-a.vod.tc.qq.com" // the first prefix (ul.ui[0])
	CDNB       = "cdn-b.vod.tc.qq.com"
	ProxyHost  = "vd.l.qq.com"  // proxyhttp
	ProxyHost6 = "vd6.l.qq.com" // proxyhttp, the browsers' host since 2024
	ProxyPath  = "/proxyhttp"
	cdnToken   = "/uwMROfz2TEST/"
)

// Flows, named as the extractor names them (Format.Flow): the CDN knows
// which flow issued a URL from its token or vkey.
const (
	FlowProxyTS  = "proxyhttp-ts"
	FlowProxyMP4 = "proxyhttp-mp4"
	FlowGetvinfo = "getvinfo"
	FlowGetinfo  = "getinfo"
)

// Config says where the fake's material is.
type Config struct {
	MediaDir string   // testdata/media
	PagesDir string   // testdata/fakeqq (page.html)
	Clips    []string // the clip episode's files, relative to MediaDir or absolute; default mp4-clips/clip{1,2,3}.mp4
	// SeriesFile is every LongSeries episode's file (relative to MediaDir
	// or absolute); default source/source.mp4.
	SeriesFile string
	Throttle   int64 // CDN bytes/s per response, 0 = unlimited
	NotifyAt   int64 // close CDNReached once the CDN sent this many body bytes
	// APIDelay is added to every page and API reply: the round trip to
	// Tencent, for benchmarks of the extraction (tests leave it 0).
	APIDelay time.Duration
	// Faults fails every Nth page or API request (tests of retries).
	Faults Faults
	// Legacy is the site of 2022-2023: proxyhttp refuses every request
	// (85.-3), getPage is absent, every page is in the old form, and the
	// CDN never refuses getvinfo or legacy URLs.
	Legacy bool
	// TokenTTL is how long a TS path token lives; 0 = 10 minutes.
	TokenTTL time.Duration
}

// Site is the fake. Fault switches may be flipped while it serves.
type Site struct {
	cfg      Config
	page     *template.Template
	page26   *texttemplate.Template
	cdn      *mediaserver.Site
	episodes map[string]*Episode
	eps26    map[string]*Ep26
	series   map[string]*Series
	read     map[string][]byte // media files read, by path
	files26  map[string]int    // 2026 MP4 files on the CDN -> clip index (0: one file)
	segs26   []segment26       // the TS segments every 2026 quality serves

	DeadMirror  atomic.Bool  // CDNA answers 403 to every media request
	ExpireAfter atomic.Int64 // a vkey is refused once it has served this many bytes; 0 = never

	refusePlaylists atomic.Int64 // the next n media playlist GETs answer 403

	faults faultLog
	// now is the fake's clock (cKey skew, token lifetimes, reply times):
	// time.Now, or a fixed time for the recorded replies.
	now func() time.Time

	mu         sync.Mutex
	keys       map[string]*vkey  // issued vkeys
	tokens     map[string]*token // issued TS path tokens
	nextKey    int
	calls      map[string]int // API and page requests by kind
	status     map[string]int // CDN answers: "<host> <status>"
	flowStatus map[string]int // CDN answers: "<flow> <status>"
	refuse     map[string]int // flow -> the status its media URLs get
	loginToken string         // the last logintoken proxyhttp received
}

// New loads the media and the page template.
func New(cfg Config) (*Site, error) {
	if len(cfg.Clips) == 0 {
		cfg.Clips = []string{"mp4-clips/clip1.mp4", "mp4-clips/clip2.mp4", "mp4-clips/clip3.mp4"}
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = 10 * time.Minute
	}
	page, err := template.ParseFiles(filepath.Join(cfg.PagesDir, "page.html"))
	if err != nil {
		return nil, fmt.Errorf("fakeqq: %w", err)
	}
	page26, err := texttemplate.ParseFiles(filepath.Join(cfg.PagesDir, "page2026.html"))
	if err != nil {
		return nil, fmt.Errorf("fakeqq: %w", err)
	}
	s := &Site{cfg: cfg, page: page, page26: page26, episodes: map[string]*Episode{}, eps26: map[string]*Ep26{},
		series: map[string]*Series{}, read: map[string][]byte{}, files26: map[string]int{},
		keys: map[string]*vkey{}, tokens: map[string]*token{}, calls: map[string]int{}, status: map[string]int{},
		flowStatus: map[string]int{}, refuse: map[string]int{}, now: time.Now}
	eps, series := catalogue(cfg.Clips, cfg.SeriesFile)
	files := map[string][]byte{}
	for _, e := range eps {
		s.episodes[e.Vid] = e
		if err := s.addMedia(e, files); err != nil {
			return nil, err
		}
		for _, sub := range e.Subtitles {
			b, err := os.ReadFile(filepath.Join(cfg.PagesDir, "subs", e.Vid+"."+sub))
			if err != nil {
				return nil, fmt.Errorf("fakeqq: %w", err)
			}
			files[cdnToken+"subs/"+e.Vid+"."+sub] = b
		}
	}
	eps26, sr26 := catalogue2026()
	libEps, libSeries := libraryCatalogue()
	eps26 = append(eps26, libEps...)
	for _, e := range eps26 {
		s.eps26[e.Vid] = e
	}
	if err := s.addMedia2026(eps26, files); err != nil {
		return nil, err
	}
	for _, sr := range append(append(series, sr26), libSeries...) {
		s.series[sr.Cid] = sr
	}
	if err := s.addPictures(files); err != nil {
		return nil, err
	}
	s.cdn = mediaserver.NewSite(files, mediaserver.SiteOptions{Throttle: cfg.Throttle, NotifyAt: cfg.NotifyAt})
	return s, nil
}

// addMedia reads an episode's media into the CDN's file table.
func (s *Site) addMedia(e *Episode, files map[string][]byte) error {
	read := func(name string) ([]byte, error) {
		if !filepath.IsAbs(name) {
			name = filepath.Join(s.cfg.MediaDir, name)
		}
		if b, ok := s.read[name]; ok {
			return b, nil // episodes share files: one copy in memory
		}
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("fakeqq: %w", err)
		}
		s.read[name] = b
		return b, nil
	}
	for _, q := range e.Qualities {
		switch q.Kind {
		case "clips", "file":
			for i, f := range q.Files {
				b, err := read(f)
				if err != nil {
					return err
				}
				files[cdnToken+clipName(q, i, len(q.Files))] = b
			}
		case "hls":
			dir := filepath.Join(s.cfg.MediaDir, q.HLSDir)
			entries, err := os.ReadDir(dir)
			if err != nil {
				return fmt.Errorf("fakeqq: %w", err)
			}
			for _, de := range entries {
				b, err := read(filepath.Join(q.HLSDir, de.Name()))
				if err != nil {
					return err
				}
				files[cdnToken+"hls/"+e.Vid+"/"+q.Name+"/"+de.Name()] = b
			}
		}
	}
	return nil
}

// clipName is the CDN file name of file i of a quality: fn itself for a
// single file, fn with the 1-based index inserted for clips.
func clipName(q Quality, i, n int) string {
	if q.Kind != "clips" {
		return q.FN
	}
	ext := filepath.Ext(q.FN)
	return fmt.Sprintf("%s.%d%s", strings.TrimSuffix(q.FN, ext), i+1, ext)
}

// ServeHTTP routes by host, as the proxy delivers every host here.
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host := strings.ToLower(r.Host)
	if h, _, ok := strings.Cut(host, ":"); ok {
		host = h
	}
	if host != CDNA && host != CDNB {
		if s.cfg.APIDelay > 0 {
			select {
			case <-time.After(s.cfg.APIDelay):
			case <-r.Context().Done():
				return
			}
		}
		if s.inject(w, r) {
			return
		}
	}
	if vid := r.URL.Query().Get("vid"); vid != "" {
		s.count("vid:" + vid) // an API request about the video (proxyhttp counts its own)
	}
	switch {
	case (host == ProxyHost || host == ProxyHost6) && r.URL.Path == ProxyPath:
		s.count("proxyhttp")
		s.serveProxy(w, r)
	case host == GetPageHost && r.URL.Path == GetPagePath:
		s.count("getpage")
		s.serveGetPage(w, r)
	case host == PageHost || host == "m."+PageHost:
		s.count("page")
		s.count("page:" + r.URL.Path)
		s.servePage(w, r)
	case host == VinfoHost && r.URL.Path == "/getvinfo":
		s.count("getvinfo")
		s.serveVinfo(w, r)
	case host == LegacyHost && r.URL.Path == "/getinfo":
		s.count("getinfo")
		s.serveGetinfo(w, r)
	case host == LegacyHost && r.URL.Path == "/getkey":
		s.count("getkey")
		s.serveGetkey(w, r)
	case host == PageDataHost && r.URL.Path == PageDataPath:
		s.count("pagedata")
		s.servePageData(w, r)
	case host == DanmakuHost:
		s.serveDanmaku(w, r)
	case host == CDNA || host == CDNB:
		s.serveCDN(w, r, host)
	default:
		http.Error(w, "fakeqq: unknown host "+host, http.StatusBadGateway)
	}
}

func (s *Site) count(kind string) {
	s.mu.Lock()
	s.calls[kind]++
	s.mu.Unlock()
}

// Calls returns how many requests of a kind arrived: "page", "getvinfo",
// "getinfo", "getkey", "pagedata", "getpage"; "proxyhttp" (every request
// to it), "vinfoad", "vinfoad:ts", "vinfoad:mp4", "onlyvkey" (requests of
// that buid, refused ones included); "vid:<vid>" (API requests about a
// video) and "page:<path>" (a page).
func (s *Site) Calls(kind string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[kind]
}

// CDNStatus returns how often a CDN host answered with a status.
func (s *Site) CDNStatus(host string, status int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status[fmt.Sprintf("%s %d", host, status)]
}

// CDN exposes the media server's counters (bytes and requests per path).
func (s *Site) CDN() *mediaserver.Site { return s.cdn }

// FilePath is the CDN path of an episode's file i (0-based) of a quality,
// for tests that count what was sent (CDN().SentFor). For a 2026 episode
// it is the MP4-clip mode's file (shd: 3 clips, hd: 1 file).
func (s *Site) FilePath(vid, quality string, i int) string {
	if _, ok := s.eps26[vid]; ok {
		q := quality26ByName(quality)
		return cdnToken + clipFile26(vid, q.clipID, q.clips, i+1)
	}
	e := s.episodes[vid]
	if e == nil {
		return ""
	}
	for _, q := range e.Qualities {
		if q.Name == quality {
			return cdnToken + clipName(q, i, len(q.Files))
		}
	}
	return ""
}
