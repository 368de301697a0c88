//go:build live

package qq

// Live checks against the real v.qq.com, for users with internet access:
//
//	go test -tags live -run Live -v ./extractors/qq
//
// They were never run where vdl was written (no internet there). They
// use yt-dlp's and lux's public test videos (docs/vqq.md §7); a failure
// says which flow or field the site changed. TestLiveFlows asks each
// flow on its own (proxyhttp TS mode, MP4-clip mode, getvinfo, legacy)
// and probes the CDN with the first media request, so its log tells
// which flows the site and its CDN serve today.

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/request"
)

func TestLiveExtract(t *testing.T) {
	tests := []struct {
		url, id, title string
	}{
		{"https://v.qq.com/x/page/q326831cny0.html", "q326831cny0", "我是选手：雷霆裂阵，终极时刻"},
		{"https://v.qq.com/x/page/o3013za7cse.html", "o3013za7cse", "欧阳娜娜VLOG"},
		{"https://v.qq.com/x/cover/mzc00200p29k31e/s0043cwsgj0.html", "s0043cwsgj0", "第1集：如何快乐吃糖？"},
		{"https://v.qq.com/x/page/n0687peq62x.html", "n0687peq62x", "世界杯第一期"},
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			u, _ := url.Parse(tc.url)
			res, err := New(extractors.Env{HTTP: &request.Client{HTTP: http.DefaultClient}, Log: log}).Extract(ctx, u)
			if errors.Is(err, extractors.ErrVIP) || errors.Is(err, extractors.ErrGeo) {
				t.Skipf("refused from here: %v", err)
			}
			if err != nil {
				t.Fatal(err)
			}
			m := res.Media[0]
			if m.ID != tc.id || !strings.Contains(m.Title, tc.title) {
				t.Errorf("id %s title %q, want %s %q", m.ID, m.Title, tc.id, tc.title)
			}
			f, err := extractors.Select(m.Formats, "best")
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("best: %s %s %dx%d, %d streams", f.ID, f.Label, f.Width, f.Height, len(f.Streams))
			t.Logf("flow %s", f.Flow)
			if status := probeFirst(ctx, t, f); status != http.StatusPartialContent && status != http.StatusOK {
				t.Errorf("first segment of flow %s: HTTP %d", f.Flow, status)
			}
		})
	}
}

// probeFirst asks the first kilobyte of a format's first segment with
// the extractor's headers and returns the status.
func probeFirst(ctx context.Context, t *testing.T, f *extractors.Format) int {
	t.Helper()
	seg := f.Streams[0].Segments[0]
	if f.Streams[0].Init != nil {
		seg = *f.Streams[0].Init
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, seg.URL, nil)
	req.Header = f.Streams[0].Header.Clone()
	req.Header.Set("Range", "bytes=0-1023")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestLiveFlows reports, flow by flow, whether the API answers and the
// CDN serves the first media bytes; it fails only when no flow does.
func TestLiveFlows(t *testing.T) {
	u, _ := url.Parse("https://v.qq.com/x/cover/mzc00200p29k31e/s0043cwsgj0.html")
	served := 0
	for _, name := range []string{flowProxyTS, flowProxyMP4, flowVinfo, flowLegacy} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		x := New(extractors.Env{HTTP: &request.Client{HTTP: http.DefaultClient}, Log: slog.New(slog.DiscardHandler)}).(*extractor)
		id, _ := parseURL(u)
		ep := episode{vid: id.vid, cid: id.cid}
		ep.pageURL = episodeURL(ep)
		var r *resolved
		var err error
		for _, f := range x.flows {
			if f.name() == name {
				r, err = f.resolve(ctx, ep)
			}
		}
		switch {
		case err != nil:
			t.Logf("flow %s: the API refuses: %v", name, err)
		default:
			status := probeFirst(ctx, t, &r.formats[0])
			t.Logf("flow %s: %d formats, best %s; first media request: HTTP %d", name, len(r.formats), r.formats[0].ID, status)
			if status == http.StatusOK || status == http.StatusPartialContent {
				served++
			}
		}
		cancel()
	}
	if served == 0 {
		t.Fatal("no flow's media is served")
	}
}
