package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/vdlproject/vdl/internal/fakeqq"
	"github.com/vdlproject/vdl/internal/testtools"
)

const (
	qqLegacyEp = "https://v.qq.com/x/page/n0687peq62x.html"                  // getvinfo refused: legacy clips
	qqHLSEp    = "https://v.qq.com/x/cover/7ce5noezvafma27/a00269ix3l8.html" // getvinfo: MP4, HLS, DRM
	qqSeries   = "https://v.qq.com/x/cover/7ce5noezvafma27.html"
	qqVIPEp    = "https://v.qq.com/x/cover/7ce5noezvafma27/b00269ix3l9.html"
	qqLegacyMP = "世界杯第一期：100秒速成！“伪球迷”世界杯生存指南.mp4"
)

// startFakeQQ runs the fake v.qq.com behind its TLS-terminating proxy and
// makes the binary trust its CA (SSL_CERT_FILE, inherited by vdl). The
// binary reaches it with --proxy only: no test switch.
func startFakeQQ(t *testing.T, cfg fakeqq.Config) (*fakeqq.Site, *fakeqq.Proxy) {
	t.Helper()
	cfg.MediaDir, cfg.PagesDir = "../../testdata/media", "../../testdata/fakeqq"
	site, err := fakeqq.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p, err := fakeqq.StartProxy(site, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	t.Setenv("SSL_CERT_FILE", p.CAFile)
	return site, p
}

// checkPlays asserts packet counts and duration with ffprobe.
func checkPlays(t *testing.T, file string, video, audio int, duration float64) {
	t.Helper()
	p := testtools.Packets(t, file)
	if p["video"] != video || p["audio"] != audio {
		t.Errorf("%s: packets %v, want %d video + %d audio", filepath.Base(file), p, video, audio)
	}
	if d := testtools.Duration(t, file); math.Abs(d-duration) > 0.05 {
		t.Errorf("%s: duration %.3f s, want %.2f", filepath.Base(file), d, duration)
	}
}

// TestQQEpisodes downloads episodes of the fake through each API flow and
// format kind and proves the outputs play.
func TestQQEpisodes(t *testing.T) {
	testtools.Require(t, "ffprobe")
	site, proxy := startFakeQQ(t, fakeqq.Config{})
	source, err := os.ReadFile("../../testdata/media/source/source.mp4")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, url string
		args      []string
		out       string
		same      []byte // byte-identical to this, else the packet counts below
		video     int
		audio     int
		duration  float64
		stderr    string // a note that must be printed
	}{
		{name: "legacy MP4 clips joined", url: qqLegacyEp, out: qqLegacyMP, video: 375, audio: 705, duration: 15.022},
		{name: "getvinfo progressive MP4 (best)", url: qqHLSEp, out: "鸡毛飞上天 第01集.mp4", same: source},
		{name: "getvinfo HLS fMP4", url: qqHLSEp, args: []string{"-f", "hd"}, out: "鸡毛飞上天 第01集.mp4", video: 375, audio: 705, duration: 15.02},
		{name: "getvinfo HLS TS by height", url: qqHLSEp, args: []string{"-f", "270p"}, out: "鸡毛飞上天 第01集.mp4", video: 375, audio: 705, duration: 15.04},
		{name: "getvinfo HLS TS --remux ts", url: qqHLSEp, args: []string{"-f", "270p", "--remux", "ts"}, out: "鸡毛飞上天 第01集.ts", video: 375, audio: 705, duration: 15.02},
		{name: "fallback list", url: qqLegacyEp, args: []string{"-f", "fhd/hd"}, out: qqLegacyMP, same: source},
		{name: "--no-playlist: a series URL gives the episode its page plays", url: qqSeries, args: []string{"--no-playlist"}, out: "鸡毛飞上天 第01集.mp4", same: source},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			r := runVDL(t, nil, append([]string{"--proxy", proxy.URL, "-d", dir, tt.url}, tt.args...)...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			out := filepath.Join(dir, tt.out)
			if tt.same != nil {
				// Rewritten (moov first, tagged), the same media samples.
				if !slices.Equal(testtools.StreamHash(t, out), testtools.StreamHash(t, "../../testdata/media/source/source.mp4")) {
					t.Fatalf("%s: its streams differ from the served file's", tt.out)
				}
			} else {
				checkPlays(t, out, tt.video, tt.audio, tt.duration)
			}
			if !strings.HasSuffix(out, ".ts") { // MPEG-TS (--remux ts) has no such tags
				switch tags := testtools.FormatTags(t, out); {
				case tags["title"] == "" || tags["comment"] == "":
					t.Errorf("%s: tags %v, want its title and page", tt.out, tags)
				case strings.Contains(tt.out, "鸡毛飞上天") && (tags["show"] != "鸡毛飞上天" || tags["episode_sort"] != "1"):
					t.Errorf("%s: tags %v, want the show and episode 1", tt.out, tags)
				}
			}
			if !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stderr %q does not mention %q", r.stderr, tt.stderr)
			}
			if left, _ := os.ReadDir(dir); len(left) != 1 {
				t.Errorf("output dir holds %d entries, want only the output", len(left))
			}
		})
	}
	if site.Calls("getvinfo") == 0 || site.Calls("getinfo") == 0 || site.Calls("getkey") == 0 {
		t.Errorf("API calls: getvinfo %d, getinfo %d, getkey %d", site.Calls("getvinfo"), site.Calls("getinfo"), site.Calls("getkey"))
	}
	for _, h := range []string{"v.qq.com:443", "h5vv6.video.qq.com:443", "vv.video.qq.com:443", fakeqq.CDNA + ":443"} {
		if proxy.Connects(h) == 0 {
			t.Errorf("no tunnel to %s through the proxy", h)
		}
	}
}

// TestQQListAndJSON: -F shows the quality table, DRM included; --json
// prints the media for scripts; neither downloads anything.
func TestQQListAndJSON(t *testing.T) {
	_, proxy := startFakeQQ(t, fakeqq.Config{})
	dir := t.TempDir()
	r := runVDL(t, nil, "--proxy", proxy.URL, "-d", dir, "-F", qqHLSEp)
	if r.code != 0 {
		t.Fatalf("-F: exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	// Columns: id, label (two words), resolution, fps, bitrate, codecs,
	// size, container, parts, DRM.
	want := [][]string{{"fhd", "蓝光", "1080P", "1920x1080", "DRM"}, {"shd", "超清", "720P", "1280x720", "289.6 KiB", "mp4", "1"},
		{"hd", "高清", "480P", "852x480", "mp4", "5"}, {"sd", "标清", "270P", "480x270", "ts", "4"}}
	if len(lines) != 3+len(want) || lines[len(lines)-1] != "subtitles: zh-cn (srt), en (vtt)" {
		t.Fatalf("-F output:\n%s", r.stdout)
	}
	for i, words := range want {
		fields := strings.Fields(lines[2+i])
		for _, w := range words {
			if !strings.Contains(lines[2+i], w) || !strings.Contains(w, " ") && !slices.Contains(fields, w) {
				t.Errorf("row %d %q lacks %q", i, lines[2+i], w)
			}
		}
	}
	r = runVDL(t, nil, "--proxy", proxy.URL, "-d", dir, "--json", qqLegacyEp)
	for _, w := range []string{`"id": "n0687peq62x"`, `"title": "世界杯第一期`, `"duration": 15.02`, `"id": "shd"`,
		`"size": 299431` /* the three clips */, "h0027rk9fiy.p201.2.mp4?vkey=", `"mirrors"`} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("--json output lacks %s:\n%.600s", w, r.stdout)
		}
	}
	if left, _ := os.ReadDir(dir); r.code != 0 || len(left) != 0 {
		t.Errorf("--json: exit %d, %d files written", r.code, len(left))
	}
}

// TestQQRefusals: a VIP episode, a region-blocked one and a DRM-only
// choice fail with one line, exit 4 and nothing written.
func TestQQRefusals(t *testing.T) {
	_, proxy := startFakeQQ(t, fakeqq.Config{})
	tests := []struct {
		name, url string
		args      []string
		want      string
	}{
		{"VIP episode", qqVIPEp, nil, "VIP only: qq: this video needs a VIP account (getvinfo: not pay"},
		{"region blocked", "https://v.qq.com/x/page/g00269ix3l0.html", nil, "not available in this region"},
		{"DRM format", qqHLSEp, []string{"-f", "fhd"}, "format fhd: DRM protected"},
		{"VIP quality", qqLegacyEp, []string{"-f", "fhd"}, `no format matches "fhd"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			r := runVDL(t, nil, append([]string{"--proxy", proxy.URL, "-d", dir, tt.url}, tt.args...)...)
			if r.code != exitRefused {
				t.Errorf("exit %d, want %d (%s)", r.code, exitRefused, r.stderr)
			}
			oneErrorLine(t, r.stderr, tt.want)
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				t.Errorf("%d files written", len(left))
			}
		})
	}
}

// TestQQMirrorsAndExpiry: the first CDN prefix refuses everything and
// each vkey dies after 40 KB; the download still completes, from the
// second prefix, asking the API for fresh keys as they expire.
func TestQQMirrorsAndExpiry(t *testing.T) {
	testtools.Require(t, "ffprobe")
	tests := []struct {
		name        string
		dead        bool
		expireAfter int64
	}{
		{name: "dead first mirror", dead: true},
		{name: "expiring vkeys", expireAfter: 40 << 10},
		{name: "both", dead: true, expireAfter: 40 << 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site, proxy := startFakeQQ(t, fakeqq.Config{})
			site.DeadMirror.Store(tt.dead)
			site.ExpireAfter.Store(tt.expireAfter)
			dir := t.TempDir()
			r := runVDL(t, nil, "--proxy", proxy.URL, "-d", dir, "-n", "4", qqLegacyEp)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			checkPlays(t, filepath.Join(dir, qqLegacyMP), 375, 705, 15.022)
			if tt.dead {
				// The warning names the hosts and the reason; the signed
				// URLs (hundreds of characters) only with --verbose.
				want := "vdl: warning: mirror " + fakeqq.CDNA + " failed (403 Forbidden); trying " + fakeqq.CDNB
				if site.CDNStatus(fakeqq.CDNA, 403) == 0 || site.CDNStatus(fakeqq.CDNB, 200) == 0 || !strings.Contains(r.stderr, want) {
					t.Errorf("CDN A 403s %d, CDN B 200s %d; stderr %q, want %q", site.CDNStatus(fakeqq.CDNA, 403), site.CDNStatus(fakeqq.CDNB, 200), r.stderr, want)
				}
				for _, l := range strings.Split(r.stderr, "\n") {
					if strings.Contains(l, "mirror") && (strings.Contains(l, "https://") || strings.Contains(l, "vkey")) {
						t.Errorf("a mirror warning shows a URL: %q", l)
					}
				}
			}
			if tt.expireAfter > 0 {
				// The first extraction asks 3 keys for shd and 1 for hd;
				// every refresh asks them again.
				if site.Calls("getkey") <= 4 || !strings.Contains(r.stderr, "media URLs expired") {
					t.Errorf("getkey asked %d times; stderr %q: want refreshes", site.Calls("getkey"), r.stderr)
				}
			}
			var sent, size int64
			for i := range 3 {
				p := site.FilePath("n0687peq62x", "shd", i)
				sent += site.CDN().SentFor(p)
				size += int64(site.CDN().Size(p))
			}
			if sent > size+size/10 {
				t.Errorf("CDN sent %d bytes for %d bytes of clips: finished bytes were fetched again", sent, size)
			}
		})
	}
}

// TestQQInterruptResume: Ctrl-C in the middle of a throttled episode,
// then the same command finishes it without fetching finished bytes again.
func TestQQInterruptResume(t *testing.T) {
	testtools.Require(t, "ffprobe")
	site, proxy := startFakeQQ(t, fakeqq.Config{Throttle: 100 << 10, NotifyAt: 120 << 10})
	dir := t.TempDir()
	args := []string{"--proxy", proxy.URL, "-d", dir, "-n", "3", qqLegacyEp}
	code, _, stderr := interruptVDLOutput(t, site.CDN().Reached, syscall.SIGINT, args...)
	if code != exitInterrupted {
		t.Fatalf("interrupted run: exit %d, want %d", code, exitInterrupted)
	}
	if !strings.Contains(stderr, "vdl: interrupted; progress is saved") {
		t.Errorf("after Ctrl-C with bytes on disk: %s", stderr)
	}
	if !fileExists(filepath.Join(dir, qqLegacyMP+".vdl", "state.json")) {
		t.Fatal("no resume state after Ctrl-C")
	}
	before := site.CDN().TotalSent()
	r := runVDL(t, nil, args...)
	if r.code != 0 {
		t.Fatalf("resumed run: exit %d: %s", r.code, r.stderr)
	}
	checkPlays(t, filepath.Join(dir, qqLegacyMP), 375, 705, 15.022)
	var size int64
	for i := range 3 {
		size += int64(site.CDN().Size(site.FilePath("n0687peq62x", "shd", i)))
	}
	second := site.CDN().TotalSent() - before
	if second >= size-(60<<10) {
		t.Errorf("resumed run fetched %d of %d bytes: it did not resume", second, size)
	}
	// What the first run received and saved is not fetched again; only
	// bytes in flight at the signal are (a chunk per connection).
	if waste := before + second - size; waste > size/7 {
		t.Errorf("%d bytes fetched twice (first run %d, second %d, clips %d)", waste, before, second, size)
	}
	t.Logf("first run %d bytes, resumed run %d, clips %d: %d fetched twice", before, second, size, before+second-size)
}

// TestQQNameCollision: remote titles name the files. Another video (here
// another format) with the same title gets a numbered name, never an
// overwrite; a rerun of a finished download is recognised and skipped.
func TestQQNameCollision(t *testing.T) {
	_, proxy := startFakeQQ(t, fakeqq.Config{})
	dir := t.TempDir()
	first := filepath.Join(dir, "鸡毛飞上天 第01集.mp4")
	second := filepath.Join(dir, "鸡毛飞上天 第01集 (2).mp4")
	steps := []struct {
		args   []string
		file   string // the file this step must write or keep
		stderr string
	}{
		{[]string{"-f", "hd"}, first, "saved"},
		{nil, second, "saved"}, // shd: same title, different video file
		{[]string{"-f", "hd"}, first, "already downloaded"},
		{nil, second, "already downloaded"},
	}
	var sums [][32]byte
	for i, st := range steps {
		r := runVDL(t, nil, append([]string{"--proxy", proxy.URL, "-d", dir, qqHLSEp}, st.args...)...)
		if r.code != 0 || !strings.Contains(r.stderr, st.stderr) || !strings.Contains(r.stderr, filepath.Base(st.file)) {
			t.Fatalf("step %d: exit %d, stderr %q; want %q about %s", i, r.code, r.stderr, st.stderr, filepath.Base(st.file))
		}
		if i < 2 {
			sums = append(sums, sha(t, st.file))
		}
	}
	if sha(t, first) != sums[0] || sha(t, second) != sums[1] || sums[0] == sums[1] {
		t.Error("a file was overwritten or the two downloads are the same")
	}
}

// TestQQShortResultRefused: the API says 60 s, the file plays 15 s (a
// preview): exit 6, no file under the name, the parts kept; a rerun with
// --no-check-duration saves it without fetching again.
func TestQQShortResultRefused(t *testing.T) {
	site, proxy := startFakeQQ(t, fakeqq.Config{})
	dir := t.TempDir()
	url := "https://v.qq.com/x/page/" + fakeqq.PreviewVid + ".html"
	r := runVDL(t, nil, "-q", "--proxy", proxy.URL, "-d", dir, url)
	if r.code != exitJoin {
		t.Fatalf("exit %d, want %d: %s", r.code, exitJoin, r.stderr)
	}
	oneErrorLine(t, r.stderr, "the site says 1m0s")
	out := filepath.Join(dir, "preview only.mp4")
	if fileExists(out) || !fileExists(out+".vdl") {
		t.Fatalf("output there: %v; parts kept: %v", fileExists(out), fileExists(out+".vdl"))
	}
	sent := site.CDN().TotalSent()
	r = runVDL(t, nil, "-q", "--no-check-duration", "--proxy", proxy.URL, "-d", dir, url)
	if r.code != 0 || !fileExists(out) {
		t.Fatalf("--no-check-duration: exit %d: %s", r.code, r.stderr)
	}
	if site.CDN().TotalSent() != sent {
		t.Errorf("the rerun fetched %d bytes again", site.CDN().TotalSent()-sent)
	}
}

// TestQQSubtitles: the episode's subtitles are listed by -F and --json,
// and --write-subs / --sub-langs save them beside the video byte for
// byte; a rerun leaves them as they are.
func TestQQSubtitles(t *testing.T) {
	_, proxy := startFakeQQ(t, fakeqq.Config{})
	r := runVDL(t, nil, "--proxy", proxy.URL, "-F", qqHLSEp)
	if r.code != 0 || !strings.Contains(r.stdout, "subtitles: zh-cn (srt), en (vtt)") {
		t.Fatalf("-F: exit %d:\n%s", r.code, r.stdout)
	}
	r = runVDL(t, nil, "--proxy", proxy.URL, "--json", qqHLSEp)
	if !strings.Contains(r.stdout, `"subtitles": {`) || !strings.Contains(r.stdout, `"zh-cn": [`) {
		t.Errorf("--json has no subtitles:\n%s", r.stdout)
	}
	srt, _ := os.ReadFile("../../testdata/fakeqq/subs/a00269ix3l8.zh-cn.srt")
	vtt, _ := os.ReadFile("../../testdata/fakeqq/subs/a00269ix3l8.en.vtt")
	for _, tt := range []struct {
		args []string
		want map[string][]byte // sidecar suffix -> content; nil: must not exist
	}{
		{[]string{"--write-subs"}, map[string][]byte{".zh-cn.srt": srt, ".en.vtt": vtt}},
		{[]string{"--sub-langs", "en"}, map[string][]byte{".en.vtt": vtt, ".zh-cn.srt": nil}},
		{nil, map[string][]byte{".en.vtt": nil, ".zh-cn.srt": nil}},
	} {
		dir := t.TempDir()
		for run := range 2 {
			r := runVDL(t, nil, append([]string{"-q", "--proxy", proxy.URL, "-d", dir, qqHLSEp}, tt.args...)...)
			if r.code != 0 {
				t.Fatalf("%v run %d: exit %d: %s", tt.args, run, r.code, r.stderr)
			}
		}
		for suffix, want := range tt.want {
			got, err := os.ReadFile(filepath.Join(dir, "鸡毛飞上天 第01集"+suffix))
			switch {
			case want == nil && err == nil:
				t.Errorf("%v: %s written", tt.args, suffix)
			case want != nil && (err != nil || !bytes.Equal(got, want)):
				t.Errorf("%v: %s missing or not byte-exact (%v)", tt.args, suffix, err)
			}
		}
	}
}

// TestQQEmbedSubtitles: --embed-subs writes the subtitles into the MP4
// as text tracks with their languages (and, without --write-subs, no
// sidecar files).
func TestQQEmbedSubtitles(t *testing.T) {
	testtools.Require(t, "ffprobe")
	_, proxy := startFakeQQ(t, fakeqq.Config{})
	dir := t.TempDir()
	r := runVDL(t, nil, "-q", "--proxy", proxy.URL, "-d", dir, "--embed-subs", qqHLSEp)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	out := filepath.Join(dir, "鸡毛飞上天 第01集.mp4")
	var langs []string
	for _, s := range testtools.Streams(t, out) {
		if s["codec_type"] == "subtitle" && s["codec_name"] == "mov_text" {
			langs = append(langs, s["TAG:language"])
		}
	}
	if strings.Join(langs, ",") != "zho,eng" {
		t.Errorf("subtitle tracks %v, want zho,eng", langs)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d entries in the folder: sidecars written without --write-subs", len(entries))
	}
	srtOut, _ := testtools.Run(t, "ffmpeg", "-v", "error", "-i", out, "-map", "0:s:0", "-f", "srt", "-")
	if !strings.Contains(srtOut, "第一句字幕") || !strings.Contains(srtOut, "00:00:10,000 --> 00:00:14,500") {
		t.Errorf("the Chinese track reads back as:\n%s", srtOut)
	}
}
