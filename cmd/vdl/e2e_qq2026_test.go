package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vdlproject/vdl/internal/fakeqq"
	"github.com/vdlproject/vdl/internal/testtools"
)

// The v.qq.com of 2026 (docs/vqq.md §2D, §8): the fake's 2026 catalogue
// is served by proxyhttp in both modes; its CDN refuses what getvinfo and
// the legacy flow lead to, as the real one does for long episodes.

func qq2026Ep(n int) string {
	return "https://v.qq.com/x/cover/" + fakeqq.Cid2026 + "/" + fakeqq.Series2026Vid(n) + ".html"
}

var qq2026Series = "https://v.qq.com/x/cover/" + fakeqq.Cid2026 + ".html"

// qq2026Name is the file an episode downloaded on its own gets.
func qq2026Name(n int) string { return fakeqq.Title2026 + " 第" + twoDigits(n) + "集.mp4" }

// TestQQ2026TSMode: an episode through proxyhttp in TS mode, each form of
// ul.m3u8 (none, a relative link, an absolute link, the playlist text),
// remuxed into an MP4 that plays with the fake's media; neither getvinfo
// nor the legacy API is asked.
func TestQQ2026TSMode(t *testing.T) {
	testtools.Require(t, "ffprobe")
	site, proxy := startFakeQQ(t, fakeqq.Config{})
	for _, n := range []int{1, 2, 3, 4} {
		dir := t.TempDir()
		r := runVDL(t, nil, "--verbose", "--proxy", proxy.URL, "-d", dir, qq2026Ep(n))
		if r.code != 0 {
			t.Fatalf("episode %d: exit %d: %s", n, r.code, r.stderr)
		}
		if !strings.Contains(r.stderr, "downloading through flow proxyhttp-ts") {
			t.Errorf("episode %d: --verbose does not say the flow: %s", n, r.stderr)
		}
		checkPlays(t, filepath.Join(dir, qq2026Name(n)), 375, 705, 15.04)
	}
	if site.Calls("getvinfo") != 0 || site.Calls("getinfo") != 0 || site.Calls("vinfoad:mp4") != 0 {
		t.Errorf("other flows asked: getvinfo %d, getinfo %d, clip mode %d", site.Calls("getvinfo"), site.Calls("getinfo"), site.Calls("vinfoad:mp4"))
	}
	if site.FlowStatus("proxyhttp-ts", 200) == 0 {
		t.Error("no TS-mode segment was served")
	}
	// -F shows each format's flow.
	r := runVDL(t, nil, "--proxy", proxy.URL, "-F", qq2026Ep(2))
	if r.code != 0 || !strings.Contains(r.stdout, "FLOW") || strings.Count(r.stdout, "proxyhttp-ts") != 2 {
		t.Errorf("-F: exit %d:\n%s", r.code, r.stdout)
	}
}

// TestQQ2026HandoverToClipMode: the CDN refuses the TS segments (403
// before any byte): the episode is handed to MP4-clip mode (one onlyvkey
// per clip), the same format, the clips joined; in the same run the next
// episode does not pay the refusal again (the refused flow goes last).
func TestQQ2026HandoverToClipMode(t *testing.T) {
	testtools.Require(t, "ffprobe")
	site, proxy := startFakeQQ(t, fakeqq.Config{})
	site.RefuseFlow("proxyhttp-ts", 403)
	dir := t.TempDir()
	r := runVDL(t, nil, "--verbose", "--proxy", proxy.URL, "-d", dir, "-f", "shd", qq2026Ep(4), qq2026Ep(5))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, n := range []int{4, 5} {
		checkPlays(t, filepath.Join(dir, qq2026Name(n)), 375, 705, 15.022)
	}
	if c := strings.Count(r.stderr, "handing the item to the next flow"); c != 1 {
		t.Errorf("%d handovers, want 1 (the second episode must start on the next flow): %s", c, r.stderr)
	}
	if c := strings.Count(r.stderr, "downloading through flow proxyhttp-mp4 flow=proxyhttp-mp4 format=shd"); c != 2 {
		t.Errorf("%d downloads through clip mode in shd, want 2: %s", c, r.stderr)
	}
	if site.Calls("onlyvkey") == 0 || site.FlowStatus("proxyhttp-ts", 403) == 0 {
		t.Errorf("onlyvkey %d, refused TS requests %d", site.Calls("onlyvkey"), site.FlowStatus("proxyhttp-ts", 403))
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".vdl") {
			t.Errorf("a work folder is left: %v", entries)
		}
	}
}

// TestQQHandoverFromGetvinfo: on the older site (proxyhttp refuses 8.5),
// the CDN refusing getvinfo's media (564, yt-dlp#8171) hands the episode
// to the legacy flow: the same file as when getvinfo's media is served.
func TestQQHandoverFromGetvinfo(t *testing.T) {
	_, want := downloadQQEpisode(t, fakeqq.Config{Legacy: true}, qqHLSEp, nil, 10*time.Second)
	site, proxy := startFakeQQ(t, fakeqq.Config{Legacy: true})
	site.RefuseFlow("getvinfo", 564)
	dir := t.TempDir()
	second := "https://v.qq.com/x/cover/" + fakeqq.LongSeries + "/" + fakeqq.LongSeriesVid(1) + ".html"
	r := runVDL(t, nil, "--verbose", "--proxy", proxy.URL, "-d", dir, qqHLSEp, second)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if got := sha(t, filepath.Join(dir, want.name)); got != want.sum {
		t.Errorf("%s differs from the file getvinfo's media gives", want.name)
	}
	if c := strings.Count(r.stderr, "handing the item to the next flow"); c != 1 {
		t.Errorf("%d handovers, want 1: %s", c, r.stderr)
	}
	if c := strings.Count(r.stderr, "downloading through flow getinfo"); c != 2 {
		t.Errorf("%d downloads through the legacy flow, want 2: %s", c, r.stderr)
	}
	if n := site.FlowStatus("getvinfo", 564); n == 0 {
		t.Error("the CDN refused nothing")
	}
}

// TestQQ2026Series: the series from getPage (two tabs): episodes named by
// their own numbers with the gap kept (E05, then E07), the preview-only
// VIP episode refused before any media byte (exit 7, nothing under its
// name), the trailer and the vid-less item left out; -I counts items in
// list order (item 6 is E07).
func TestQQ2026Series(t *testing.T) {
	site, proxy := startFakeQQ(t, fakeqq.Config{})
	dir := t.TempDir()
	r := runVDL(t, nil, "--proxy", proxy.URL, "-d", dir, qq2026Series)
	if r.code != exitPartial {
		t.Fatalf("exit %d, want %d: %s", r.code, exitPartial, r.stderr)
	}
	if !strings.Contains(r.stderr, "VIP only") || !strings.Contains(r.stderr, "15-second preview") {
		t.Errorf("the preview's refusal is not reported: %s", r.stderr)
	}
	var got []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && p != dir {
			got = append(got, strings.TrimPrefix(p, dir+"/"))
		}
		return nil
	})
	for _, n := range fakeqq.Series2026Numbers() {
		mark := " - S01E" + twoDigits(n) + ".mp4"
		has := slices.ContainsFunc(got, func(p string) bool { return strings.Contains(p, mark) })
		switch {
		case n == fakeqq.Preview2026Episode && has:
			t.Errorf("something saved under the preview episode's name: %v", got)
		case n != fakeqq.Preview2026Episode && !has:
			t.Errorf("E%02d missing: %v", n, got)
		}
	}
	if slices.ContainsFunc(got, func(p string) bool { return strings.Contains(p, "E06") || strings.Contains(p, "预告") }) {
		t.Errorf("the gap or the trailer got a file: %v", got)
	}
	if site.Calls("getpage") != 2 {
		t.Errorf("getPage asked %d times, want 2 (one per tab)", site.Calls("getpage"))
	}
	if n := site.FlowStatus("proxyhttp-ts", 200) + site.FlowStatus("proxyhttp-mp4", 200); n == 0 {
		t.Error("no media served")
	}

	dir2 := t.TempDir()
	r = runVDL(t, nil, "--proxy", proxy.URL, "-d", dir2, "-I", "6", qq2026Series)
	if r.code != 0 {
		t.Fatalf("-I 6: exit %d: %s", r.code, r.stderr)
	}
	matches, _ := filepath.Glob(filepath.Join(dir2, "*", "Season 01", "* - S01E07.mp4"))
	if len(matches) != 1 {
		all, _ := filepath.Glob(filepath.Join(dir2, "*", "*", "*"))
		t.Errorf("-I 6 gave %v, want E07 only", all)
	}
}

func twoDigits(n int) string { return string([]byte{byte('0' + n/10), byte('0' + n%10)}) }

// TestQQ2026PreviewKept: --no-check-duration keeps the preview on
// purpose, named as a preview; without it the episode is refused (exit
// 4) before any media byte.
func TestQQ2026PreviewKept(t *testing.T) {
	site, proxy := startFakeQQ(t, fakeqq.Config{})
	dir := t.TempDir()
	url := qq2026Ep(fakeqq.Preview2026Episode)
	r := runVDL(t, nil, "--proxy", proxy.URL, "-d", dir, url)
	if r.code != exitRefused {
		t.Fatalf("exit %d, want %d: %s", r.code, exitRefused, r.stderr)
	}
	oneErrorLine(t, r.stderr, "VIP only (a 15-second preview)")
	if site.CDN().TotalSent() != 0 {
		t.Errorf("%d media bytes fetched for a refused preview", site.CDN().TotalSent())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files left: %v", entries)
	}
	r = runVDL(t, nil, "--proxy", proxy.URL, "-d", dir, "--no-check-duration", url)
	if r.code != 0 {
		t.Fatalf("--no-check-duration: exit %d: %s", r.code, r.stderr)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "*[[]preview].mp4"))
	if len(matches) != 1 {
		entries, _ := os.ReadDir(dir)
		t.Errorf("want one file named as a preview, have %v", entries)
	}
}

// TestQQ2026PlaylistSubtitle: an sfl subtitle ending .vtt.m3u8 is an HLS
// WebVTT playlist: the sidecar holds its cues, never the playlist text.
func TestQQ2026PlaylistSubtitle(t *testing.T) {
	_, proxy := startFakeQQ(t, fakeqq.Config{})
	dir := t.TempDir()
	r := runVDL(t, nil, "--proxy", proxy.URL, "-d", dir, "--write-subs", "--sub-langs", "zh-cn", qq2026Ep(1))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	b, err := os.ReadFile(filepath.Join(dir, strings.TrimSuffix(qq2026Name(1), ".mp4")+".zh-cn.vtt"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if !strings.HasPrefix(s, "WEBVTT") || strings.Contains(s, "#EXTM3U") || !strings.Contains(s, fakeqq.Sub2026Cue1) || !strings.Contains(s, fakeqq.Sub2026Cue2) {
		t.Errorf("sidecar:\n%s", s)
	}
}

// TestQQ2026ExpiredPlaylists: playlists whose keys expired while vdl
// waited (403 on the signed playlist) are asked for afresh: the same
// format and the same file as without, never a lower quality.
func TestQQ2026ExpiredPlaylists(t *testing.T) {
	_, want := downloadQQEpisode(t, fakeqq.Config{}, qq2026Ep(1), nil, 10*time.Second)
	site, proxy := startFakeQQ(t, fakeqq.Config{Faults: fakeqq.Faults{Every: 3, Kinds: []string{fakeqq.FaultHang}}})
	site.RefusePlaylists(4)
	dir := t.TempDir()
	r := runVDL(t, nil, "--verbose", "--timeout", "1s", "--proxy", proxy.URL, "-d", dir, qq2026Ep(1))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if got := sha(t, filepath.Join(dir, want.name)); got != want.sum {
		t.Errorf("the result differs from the one without expired playlists")
	}
	if strings.Contains(r.stderr, "quality left out") && !strings.Contains(want.stderr, "quality left out") {
		t.Errorf("a quality was dropped: %s", r.stderr)
	}
	if !strings.Contains(r.stderr, "asking for fresh ones") {
		t.Errorf("no fresh ask logged: %s", r.stderr)
	}
}

// TestQQ2026ResumeOnItsFlow: a download handed over to clip mode and
// interrupted resumes on clip mode even when TS mode is served again:
// the work folder records its flow, so nothing is fetched twice.
func TestQQ2026ResumeOnItsFlow(t *testing.T) {
	testtools.Require(t, "ffprobe")
	site, proxy := startFakeQQ(t, fakeqq.Config{Throttle: 100 << 10, NotifyAt: 120 << 10})
	site.RefuseFlow("proxyhttp-ts", 403)
	dir := t.TempDir()
	args := []string{"--proxy", proxy.URL, "-d", dir, "-n", "3", "-f", "shd", qq2026Ep(7)}
	code, _ := interruptVDL(t, site.CDN().Reached, syscall.SIGINT, args...)
	if code != exitInterrupted {
		t.Fatalf("interrupted run: exit %d, want %d", code, exitInterrupted)
	}
	site.RefuseFlow("proxyhttp-ts", 0)
	before := site.FlowStatus("proxyhttp-ts", 200)
	r := runVDL(t, nil, append([]string{"--verbose"}, args...)...)
	if r.code != 0 {
		t.Fatalf("resumed run: exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "downloading through flow proxyhttp-mp4") || site.FlowStatus("proxyhttp-ts", 200) != before {
		t.Errorf("the rerun did not resume on clip mode: %s", r.stderr)
	}
	if !strings.Contains(r.stderr, "bytes_reused") {
		t.Errorf("nothing reused: %s", r.stderr)
	}
	checkPlays(t, filepath.Join(dir, qq2026Name(7)), 375, 705, 15.022)
}

// refuseTSMode answers proxyhttp's TS-mode vinfoad with the 85.-3
// refusal, as a site that stopped offering it: clip mode serves.
type refuseTSMode struct{ next http.Handler }

func (h refuseTSMode) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && strings.HasPrefix(r.Host, fakeqq.ProxyHost) {
		body, _ := io.ReadAll(r.Body)
		if strings.Contains(string(body), `dtype=3`) || strings.Contains(string(body), `dtype%3D3`) {
			inner := `{"ip":"1.2.3.4","retry":1,"s":"f","em":85,"exem":-3,"msg":"refused","type":-3,"code":"85.-3"}`
			b, _ := json.Marshal(map[string]any{"errCode": 0, "vinfo": inner})
			w.Write(b)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	h.next.ServeHTTP(w, r)
}

// startClipModeQQ is the fake whose proxyhttp refuses TS mode.
func startClipModeQQ(t *testing.T) (*fakeqq.Site, *fakeqq.Proxy) {
	t.Helper()
	site, err := fakeqq.New(fakeqq.Config{MediaDir: "../../testdata/media", PagesDir: "../../testdata/fakeqq"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := fakeqq.StartProxy(refuseTSMode{next: site}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	t.Setenv("SSL_CERT_FILE", p.CAFile)
	return site, p
}

// TestQQ2026PreviewInClipMode: in MP4-clip mode a preview whose reply has
// no preview field and no clip durations (one file) is told by the file's
// own header: refused as VIP (exit 4; a refused item in a series), never
// downloaded, nothing left under the episode's name.
func TestQQ2026PreviewInClipMode(t *testing.T) {
	site, proxy := startClipModeQQ(t)
	dir := t.TempDir()
	r := runVDL(t, nil, "--proxy", proxy.URL, "-d", dir, "-f", "hd", qq2026Ep(fakeqq.Preview2026Episode))
	if r.code != exitRefused {
		t.Fatalf("exit %d, want %d: %s", r.code, exitRefused, r.stderr)
	}
	oneErrorLine(t, r.stderr, "VIP only (a 15-second preview)")
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files left: %v", entries)
	}
	if site.Calls("vinfoad:mp4") == 0 {
		t.Error("clip mode was never asked: the test proves nothing")
	}
	r = runVDL(t, nil, "--proxy", proxy.URL, "-d", dir, "-I", "8", qq2026Series)
	if r.code != exitPartial && r.code != exitRefused || !strings.Contains(r.stderr, "1 refused") {
		t.Errorf("in a series: exit %d: %s", r.code, r.stderr)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "*", "*E09*"))
	if len(matches) != 0 {
		t.Errorf("something saved under E09's name: %v", matches)
	}
}

// TestQQ2026SeriesPaysRefusalOnce: a whole series whose TS segments the
// CDN refuses hands over once: the next episode starts only when the
// current one's bytes flow, on the flow that works.
func TestQQ2026SeriesPaysRefusalOnce(t *testing.T) {
	site, proxy := startFakeQQ(t, fakeqq.Config{})
	site.RefuseFlow("proxyhttp-ts", 403)
	r := runVDL(t, nil, "--proxy", proxy.URL, "-d", t.TempDir(), "-I", "1-6", qq2026Series)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if c := strings.Count(r.stderr, "handing the item to the next flow"); c != 1 {
		t.Errorf("%d handovers for six episodes, want 1: %s", c, r.stderr)
	}
}

// TestQQ2026TokensExpiredAhead: an episode extracted ahead whose TS path
// tokens expired before its turn is asked afresh on the same flow: an
// expiry is not a refusal, nothing is handed over.
func TestQQ2026TokensExpiredAhead(t *testing.T) {
	site, proxy := startFakeQQ(t, fakeqq.Config{Throttle: 50 << 10, NotifyAt: 40 << 10})
	go func() {
		<-site.CDN().Reached
		site.ExpireTokens()
	}()
	r := runVDL(t, nil, "--verbose", "--proxy", proxy.URL, "-d", t.TempDir(), "-n", "1", "-f", "shd", "-I", "4-5", qq2026Series)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "handing the item to the next flow") || strings.Count(r.stderr, "downloading through flow proxyhttp-ts") < 2 {
		t.Errorf("an expiry was taken for a refusal: %s", r.stderr)
	}
}

// TestQQ2026ResumeOnRefusedFlow: parts of a flow the CDN refuses by the
// rerun can never be finished: the rerun starts over on the next flow
// (saying so) instead of failing on every rerun.
func TestQQ2026ResumeOnRefusedFlow(t *testing.T) {
	site, proxy := startFakeQQ(t, fakeqq.Config{Throttle: 100 << 10, NotifyAt: 120 << 10})
	dir := t.TempDir()
	args := []string{"--proxy", proxy.URL, "-d", dir, "-n", "2", "-f", "shd", qq2026Ep(8)}
	if code, _ := interruptVDL(t, site.CDN().Reached, syscall.SIGINT, args...); code != exitInterrupted {
		t.Fatalf("interrupted run: exit %d", code)
	}
	site.RefuseFlow("proxyhttp-ts", 403)
	r := runVDL(t, nil, args...)
	if r.code != 0 {
		t.Fatalf("rerun: exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "discarding its unfinished parts") || !fileExists(filepath.Join(dir, qq2026Name(8))) {
		t.Errorf("rerun: %s", r.stderr)
	}
}
