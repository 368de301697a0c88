package qq

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/request"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// replay is a RoundTripper answering from fixture files: route maps a
// request to a status and a body. It records what was asked.
type replay struct {
	t     *testing.T
	route func(r *http.Request) (int, string)
	mu    sync.Mutex
	seen  []*http.Request
}

func (rp *replay) RoundTrip(r *http.Request) (*http.Response, error) {
	rp.mu.Lock()
	rp.seen = append(rp.seen, r)
	rp.mu.Unlock()
	status, body := rp.route(r)
	return &http.Response{StatusCode: status, Status: http.StatusText(status), Header: http.Header{},
		Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

func (rp *replay) requests(host, path string) []*http.Request {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	var out []*http.Request
	for _, r := range rp.seen {
		if r.URL.Host == host && r.URL.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// routes builds a route from "host/path[?defn=x]" -> fixture file (or
// literal reply when it starts with "QZOutputJson" or "{"); pages and
// anything unrouted are 404s.
func routes(t *testing.T, m map[string]string) func(*http.Request) (int, string) {
	return func(r *http.Request) (int, string) {
		key := r.URL.Host + r.URL.Path
		for _, k := range []string{key + "?defn=" + r.URL.Query().Get("defn"), key} {
			v, ok := m[k]
			if !ok {
				continue
			}
			if strings.HasPrefix(v, "QZOutputJson") || strings.HasPrefix(v, "{") || strings.HasPrefix(v, "<") {
				return 200, v
			}
			if code, ok := strings.CutPrefix(v, "status:"); ok {
				n, _ := strconv.Atoi(code)
				return n, "server error"
			}
			return 200, string(loadReply(t, v))
		}
		if r.URL.Host == LegacyHostForTest && r.URL.Path == "/getkey" {
			return 200, `QZOutputJson={"s":"o","key":"KEY-` + r.URL.Query().Get("filename") + `"};`
		}
		if strings.HasSuffix(r.URL.Path, ".m3u8") {
			return 200, string(loadReply(t, "hls-media.m3u8"))
		}
		return 404, "not found"
	}
}

// LegacyHostForTest is the host of getinfo/getkey.
const LegacyHostForTest = "vv.video.qq.com"

func extract(t *testing.T, rp *replay, raw string) (*extractors.Media, error) {
	t.Helper()
	return extractMode(t, rp, raw, extractors.PlaylistAuto)
}

func extractResult(rp *replay, raw string, mode extractors.PlaylistMode) (*extractors.Result, error) {
	u, _ := url.Parse(raw)
	x := New(extractors.Env{HTTP: &request.Client{HTTP: &http.Client{Transport: rp}, Policy: request.Policy{Retries: -1}},
		Log: slog.New(slog.DiscardHandler), UserAgent: "TestAgent/1.0", Playlist: mode})
	return x.Extract(context.Background(), u)
}

func extractMode(t *testing.T, rp *replay, raw string, mode extractors.PlaylistMode) (*extractors.Media, error) {
	t.Helper()
	res, err := extractResult(rp, raw, mode)
	if err != nil {
		return nil, err
	}
	if len(res.Media) != 1 {
		t.Fatalf("got %d media", len(res.Media))
	}
	return res.Media[0], nil
}

// golden compares m's JSON with testdata/golden/<name>.json (-update
// rewrites it).
func golden(t *testing.T, name string, m *extractors.Media) {
	t.Helper()
	goldenJSON(t, filepath.Join("testdata", "golden", name+".json"), m)
}

// goldenJSON compares v's indented JSON with the file at path (-update
// rewrites it): the one golden check of the package's tests.
func goldenJSON(t *testing.T, path string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(bytes.TrimSpace(want), bytes.TrimSpace(got)) {
		t.Errorf("differs from %s:\n%s", path, got)
	}
}

// TestExtractGolden runs whole extractions over the fixtures of vqq.md §6
// and compares the media with golden JSON.
func TestExtractGolden(t *testing.T) {
	tests := []struct {
		name   string
		url    string
		routes map[string]string
		mode   extractors.PlaylistMode
		check  func(t *testing.T, m *extractors.Media, rp *replay)
	}{
		{
			// F0, the real reply: getvinfo refuses the cKey, the legacy
			// flow gives one file; getkey has no key, so fvkey is used.
			name: "f0-legacy-single-file", url: "https://v.qq.com/x/page/d0516l19tbd.html",
			routes: map[string]string{
				"h5vv6.video.qq.com/getvinfo": "f3-ckey.txt",
				"vv.video.qq.com/getinfo":     "f0-getinfo-p101001.txt",
				"vv.video.qq.com/getkey":      `QZOutputJson={"s":"o"};`,
			},
			check: func(t *testing.T, m *extractors.Media, rp *replay) {
				f := m.Formats[0]
				// vqq.md §6 F0's expected URL.
				want := "http://ugcdx.qq.com/d0516l19tbd.m701.mp4?vkey=3BB495FB1BD78D19DE92E3952F597197..."
				if got := f.Streams[0].Segments[0].URL; got != want {
					t.Errorf("URL %s, want %s", got, want)
				}
				if f.ID != "msd" || f.Width != 480 || f.Height != 272 || len(f.Streams[0].Segments[0].Mirrors) != 2 {
					t.Errorf("format %+v", f)
				}
			},
		},
		{
			// F1: four qualities asked one by one; fhd is three clips on
			// two prefixes, sd one clip, hd DRM (listed, not playable).
			name: "f1-legacy-clips", url: "https://v.qq.com/x/page/n0687peq62x.html",
			routes: map[string]string{
				"h5vv6.video.qq.com/getvinfo":      "f3-ckey.txt",
				"vv.video.qq.com/getinfo?defn=shd": "f1-getinfo-shd.txt",
				"vv.video.qq.com/getinfo?defn=fhd": "f1-getinfo-fhd.txt",
				"vv.video.qq.com/getinfo?defn=sd":  "f1-getinfo-sd.txt",
				"vv.video.qq.com/getinfo?defn=hd":  "f1-getinfo-hd-drm.txt",
			},
			check: func(t *testing.T, m *extractors.Media, rp *replay) {
				best, err := extractors.Select(m.Formats, "best")
				if err != nil || best.ID != "fhd" || best.Size != 23759683 || best.Label != "蓝光 (1080P)" {
					t.Fatalf("best: %+v, %v", best, err)
				}
				for i, s := range best.Streams[0].Segments {
					name := "n0687peq62x.p209." + string(rune('1'+i)) + ".mp4"
					if s.URL != "http://video.dispatch.tc.qq.com/uwMROfz2TEST/"+name+"?vkey=KEY-"+name {
						t.Errorf("clip %d URL %s", i, s.URL)
					}
				}
				if _, err := extractors.Select(m.Formats, "hd"); !errors.Is(err, extractors.ErrDRM) {
					t.Errorf("-f hd: %v, want DRM", err)
				}
				if n := len(rp.requests("vv.video.qq.com", "/getkey")); n != 3+3+1 {
					t.Errorf("%d getkey requests, want one per clip (7)", n)
				}
			},
		},
		{
			// F2: getvinfo HLS, hd and shd, the sd request refused as VIP.
			name: "f2-getvinfo-hls", url: "https://v.qq.com/x/cover/mzc00200p29k31e/s0043cwsgj0.html",
			routes: map[string]string{
				"h5vv6.video.qq.com/getvinfo?defn=hd":  "f2-getvinfo-hd.txt",
				"h5vv6.video.qq.com/getvinfo?defn=shd": "f2-getvinfo-shd.txt",
				"h5vv6.video.qq.com/getvinfo?defn=sd":  "f3-not-pay.txt",
			},
			check: func(t *testing.T, m *extractors.Media, rp *replay) {
				if m.Formats[0].ID != "shd" || len(m.Formats) != 2 {
					t.Fatalf("formats %v", m.Formats)
				}
				seg := m.Formats[0].Streams[0].Segments[0]
				if !strings.HasPrefix(seg.URL, "https://apd-vlive.apdcdn.tc.qq.com/") || len(seg.Mirrors) != 1 ||
					!strings.HasPrefix(seg.Mirrors[0], "https://ltsbsy.qq.com/B_TESTTOKEN/svp_50112/gzc_") {
					t.Errorf("segment %+v", seg)
				}
				for _, r := range rp.requests("h5vv6.video.qq.com", "/getvinfo") {
					if r.Header.Get("User-Agent") != "TestAgent/1.0" || r.URL.Query().Get("cid") != "mzc00200p29k31e" {
						t.Errorf("getvinfo request UA %q cid %q", r.Header.Get("User-Agent"), r.URL.Query().Get("cid"))
					}
				}
			},
		},
		{
			// A series URL with --no-playlist: the cover page (F5) names
			// the episode.
			name: "f5-series-first-episode", url: "https://v.qq.com/x/cover/7ce5noezvafma27.html", mode: extractors.PlaylistNo,
			routes: map[string]string{
				"v.qq.com/x/cover/7ce5noezvafma27.html":             "f5-cover.html",
				"v.qq.com/x/cover/7ce5noezvafma27/a00269ix3l8.html": "f5-cover.html",
				"h5vv6.video.qq.com/getvinfo":                       "f2-getvinfo-hd.txt",
			},
			check: func(t *testing.T, m *extractors.Media, rp *replay) {
				if m.Series != "鸡毛飞上天" || m.Episode != 1 || m.ID != "a00269ix3l8" {
					t.Errorf("series %q episode %d id %s", m.Series, m.Episode, m.ID)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rp := &replay{t: t, route: routes(t, tc.routes)}
			m, err := extractMode(t, rp, tc.url, tc.mode)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, m, rp)
			golden(t, tc.name, m)
		})
	}
}
