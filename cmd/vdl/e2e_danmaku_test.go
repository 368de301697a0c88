package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vdlproject/vdl/internal/fakeqq"
	"github.com/vdlproject/vdl/internal/testtools"
)

// Bullet comments (issue 20) through the binary, against the fake's
// danmaku API: 5 s segments, a duplicate on every boundary, junk items,
// comments past the end, and episode 3's third segment always failing.

// qq2026SeriesName is an episode's file in the series layout, without
// its extension.
func qq2026SeriesName(n int) string {
	return filepath.Join(fakeqq.Title2026+" ("+fakeqq.Year2026+")", "Season 01", fakeqq.Title2026+" - S01E"+twoDigits(n))
}

// danmakuEvents returns the comment lines of an ASS file.
func danmakuEvents(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "Dialogue: 0,") && strings.Contains(l, ",Danmaku,") {
			out = append(out, l)
		}
	}
	return out
}

func TestDanmakuSeries(t *testing.T) {
	testtools.Require(t, "ffprobe")
	site, proxy := startFakeQQ(t, fakeqq.Config{})
	dir := t.TempDir()
	r := runVDL(t, nil, "--proxy", proxy.URL, "-d", dir, "--write-danmaku", "--danmaku-raw", "-I", "1-3", qq2026Series)
	if r.code != 0 {
		t.Fatalf("a danmaku failure must not fail the series: exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "E03 "+fakeqq.Title2026+" 第03集: danmaku: 3 of 4 segments") {
		t.Errorf("the summary does not name the incomplete comments:\n%s", r.stderr)
	}
	for _, n := range []int{1, 2, 3} {
		base := filepath.Join(dir, qq2026SeriesName(n))
		checkPlays(t, base+".mp4", 375, 705, 15.04)
		vid := fakeqq.Series2026Vid(n)
		events := danmakuEvents(t, base+".danmaku.ass")
		want := len(site.DanmakuFor(vid)) // each once: boundary repeats, junk and those past the end left out
		if n == 3 {
			want = 0
			// The failed window's comments are missing but for the two on
			// its edges, which its neighbours serve too.
			start := int64(fakeqq.DanmakuFailSegment * fakeqq.DanmakuSpanMS)
			for _, c := range site.DanmakuFor(vid) {
				if c.TimeMS <= start || c.TimeMS >= start+fakeqq.DanmakuSpanMS {
					want++
				}
			}
		}
		if len(events) != want {
			t.Errorf("E%02d: %d comments in the ASS, want %d", n, len(events), want)
		}
		ass, _ := os.ReadFile(base + ".danmaku.ass")
		for _, other := range []int{1, 2, 3} {
			mark := "‹" + fakeqq.Series2026Vid(other)[:3] + "›"
			if got := strings.Contains(string(ass), mark); got != (other == n) {
				t.Errorf("E%02d's file holds comments of E%02d: %v", n, other, got)
			}
		}
		if strings.Contains(string(ass), "; INCOMPLETE") != (n == 3) {
			t.Errorf("E%02d: the ASS header's incomplete mark is wrong", n)
		}
		var raw struct {
			Schema   string `json:"schema"`
			Complete bool   `json:"complete"`
			Segments struct {
				Total, Fetched int
				Missing        []string
			} `json:"segments"`
			Comments []struct {
				ID string `json:"id"`
			} `json:"comments"`
		}
		b, _ := os.ReadFile(base + ".danmaku.json")
		if err := json.Unmarshal(b, &raw); err != nil || raw.Schema != "vdl-danmaku/1" || raw.Complete != (n != 3) {
			t.Errorf("E%02d raw file: %v %+v", n, err, raw)
		}
		if n == 3 && (raw.Segments.Fetched != 3 || raw.Segments.Total != 4 || len(raw.Segments.Missing) != 1) {
			t.Errorf("E03 raw segments %+v", raw.Segments)
		}
	}
	// The comments render: libass burns E01's into its own frames, and the
	// frame at a comment's time differs from the same frame without them.
	ffmpeg := testtools.Require(t, "ffmpeg")
	ass := filepath.Join(t.TempDir(), "e01.ass") // no characters the filter graph would need escaped
	b, _ := os.ReadFile(filepath.Join(dir, qq2026SeriesName(1)+".danmaku.ass"))
	os.WriteFile(ass, b, 0o644)
	frame := func(vf string) string {
		out, stderr := testtools.Run(t, ffmpeg, "-v", "error", "-i", filepath.Join(dir, qq2026SeriesName(1)+".mp4"), "-vf", vf, "-ss", "4", "-frames:v", "1", "-f", "md5", "-")
		if strings.TrimSpace(stderr) != "" {
			t.Fatalf("ffmpeg -vf %s: %s", vf, stderr)
		}
		return out
	}
	if frame("subtitles="+ass+",format=rgb24") == frame("format=rgb24") {
		t.Error("libass drew no comment on the frame at 4 s")
	}
}

func TestDanmakuOnlyBesideAnExistingDownload(t *testing.T) {
	site, proxy := startFakeQQ(t, fakeqq.Config{})
	dir := t.TempDir()
	if r := runVDL(t, nil, "--proxy", proxy.URL, "-d", dir, qq2026Ep(2)); r.code != 0 {
		t.Fatalf("download: exit %d: %s", r.code, r.stderr)
	}
	video := filepath.Join(dir, qq2026Name(2))
	before, _ := os.Stat(video)
	served := site.FlowStatus("proxyhttp-ts", 200)
	r := runVDL(t, nil, "--proxy", proxy.URL, "-d", dir, "--danmaku-only", qq2026Ep(2))
	if r.code != 0 {
		t.Fatalf("--danmaku-only: exit %d: %s", r.code, r.stderr)
	}
	if site.FlowStatus("proxyhttp-ts", 200) != served {
		t.Error("--danmaku-only fetched media")
	}
	after, _ := os.Stat(video)
	if !after.ModTime().Equal(before.ModTime()) || after.Size() != before.Size() {
		t.Error("--danmaku-only touched the video")
	}
	ass := strings.TrimSuffix(video, ".mp4") + ".danmaku.ass"
	if n := len(danmakuEvents(t, ass)); n != len(site.DanmakuFor(fakeqq.Series2026Vid(2))) {
		t.Errorf("%d comments beside the existing download", n)
	}
	// A rerun refreshes vdl's own file; a file of the user's is kept.
	os.WriteFile(ass, []byte("mine"), 0o644)
	r = runVDL(t, nil, "--proxy", proxy.URL, "-d", dir, "--danmaku-only", qq2026Ep(2))
	if b, _ := os.ReadFile(ass); r.code != 0 || string(b) != "mine" || !strings.Contains(r.stderr, "which vdl did not write") {
		t.Errorf("a user's file: exit %d, content %q: %s", r.code, b, r.stderr)
	}
}

func TestDanmakuMergeSubs(t *testing.T) {
	_, proxy := startFakeQQ(t, fakeqq.Config{})
	dir := t.TempDir()
	r := runVDL(t, nil, "--proxy", proxy.URL, "-d", dir, "--write-danmaku", "--danmaku-merge-subs", "--sub-langs", "zh-cn", qq2026Ep(1))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	b, err := os.ReadFile(filepath.Join(dir, strings.TrimSuffix(qq2026Name(1), ".mp4")+".danmaku.ass"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, cue := range []string{fakeqq.Sub2026Cue1, fakeqq.Sub2026Cue2} {
		if !strings.Contains(s, ",Subtitle,,0,0,0,,"+cue) {
			t.Errorf("the merged file lacks the subtitle cue %q:\n%s", cue, s)
		}
	}
	if !strings.Contains(s, ",Danmaku,") {
		t.Error("the merged file has no comments")
	}
}

func TestDanmakuFlagsRefused(t *testing.T) {
	for _, args := range [][]string{
		{"--danmaku-opacity", "2"}, {"--danmaku-area", "0"}, {"--danmaku-scroll-time", "0s"},
		{"--danmaku-filter", "("}, {"--danmaku-filter-file", "/nonexistent"}, {"--danmaku-merge-subs"},
		{"--danmaku-font-size", "NaN"},
	} {
		r := runVDL(t, nil, append(args, "https://v.qq.com/x/cover/"+fakeqq.Cid2026+".html")...)
		if r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q (want exit 2 and one line)", args, r.code, r.stderr)
		}
	}
}
