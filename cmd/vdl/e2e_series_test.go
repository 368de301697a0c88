package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/vdlproject/vdl/internal/fakeqq"
	"github.com/vdlproject/vdl/internal/testtools"
)

var qqLongSeries = "https://v.qq.com/x/cover/" + fakeqq.LongSeries + ".html"

// seriesFile is where an episode of the fake's long series goes by
// default: the library layout (its pages give no year; the titles say
// only the number).
func seriesFile(dir string, n int) string {
	t := fakeqq.LongSeriesTitle
	return filepath.Join(dir, t, "Season 01", fmt.Sprintf("%s - S01E%02d.mp4", t, n))
}

// checkSeries asserts that the episodes in want (and no other) are in
// the series folder, each the served file.
func checkSeries(t *testing.T, dir string, want ...int) {
	t.Helper()
	source := testtools.StreamHash(t, "../../testdata/media/source/source.mp4")
	entries, _ := os.ReadDir(filepath.Join(dir, fakeqq.LongSeriesTitle, "Season 01"))
	if len(entries) != len(want) {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("series folder holds %d entries, want %d: %q", len(entries), len(want), names)
	}
	for _, n := range want {
		p := seriesFile(dir, n)
		if !fileExists(p) || !slices.Equal(testtools.StreamHash(t, p), source) {
			t.Errorf("episode %d: %s missing or not the served media", n, p)
			continue
		}
		tags := testtools.FormatTags(t, p)
		if tags["show"] != fakeqq.LongSeriesTitle || tags["episode_sort"] != fmt.Sprint(n) || tags["season_number"] != "1" {
			t.Errorf("episode %d: tags %v", n, tags)
		}
	}
}

func allBut(skip int, n int) []int {
	var out []int
	for i := 1; i <= n; i++ {
		if i != skip {
			out = append(out, i)
		}
	}
	return out
}

// journalOutcomes reads the journal: outcome per episode, last run wins.
func journalOutcomes(t *testing.T, dir string) map[int]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "vdl-journal.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[int]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var line struct {
			Episode int    `json:"episode"`
			Outcome string `json:"outcome"`
			Reason  string `json:"reason"`
			ID      string `json:"id"`
			File    string `json:"file"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("journal line %q: %v", sc.Text(), err)
		}
		out[line.Episode] = line.Outcome
	}
	return out
}

// TestSeriesWithVIPEpisode: a whole series through the fake: 13 items
// listed 10 at a time, a trailer left out, the VIP episode refused (exit
// 7, named in the summary), the others in their series folder.
func TestSeriesWithVIPEpisode(t *testing.T) {
	// The older site: no getPage, so GetPageData lists the series, ten
	// items a page.
	site, proxy := startFakeQQ(t, fakeqq.Config{Legacy: true})
	dir := t.TempDir()
	r := runVDL(t, nil, "--proxy", proxy.URL, "-d", dir, qqLongSeries)
	if r.code != exitPartial {
		t.Fatalf("exit %d, want %d: %s", r.code, exitPartial, r.stderr)
	}
	if !strings.Contains(r.stderr, "11 downloaded") || !strings.Contains(r.stderr, "E06 ") || !strings.Contains(r.stderr, "VIP only") {
		t.Errorf("the summary does not name the VIP episode: %s", r.stderr)
	}
	checkSeries(t, dir, allBut(6, 12)...)
	if site.Calls("pagedata") < 2 {
		t.Errorf("GetPageData asked %d times: the second page was not read", site.Calls("pagedata"))
	}
	if n := site.Calls("vid:" + fakeqq.LongSeriesVid(0)); n != 0 {
		t.Errorf("the trailer was asked about %d times", n)
	}
	got := journalOutcomes(t, dir)
	for n := 1; n <= 12; n++ {
		want := "downloaded"
		if n == 6 {
			want = "refused"
		}
		if got[n] != want {
			t.Errorf("journal: episode %d %q, want %q", n, got[n], want)
		}
	}
	// A rerun without an archive fetches no media: every episode is
	// recognised on disk.
	sent := site.CDN().TotalSent()
	r = runVDL(t, nil, "-q", "--proxy", proxy.URL, "-d", dir, qqLongSeries)
	if r.code != exitPartial || site.CDN().TotalSent() != sent {
		t.Errorf("rerun: exit %d, %d media bytes fetched again: %s", r.code, site.CDN().TotalSent()-sent, r.stderr)
	}
	if !strings.Contains(r.stderr, "11 skipped") {
		t.Errorf("rerun summary: %s", r.stderr)
	}
}

// TestSeriesArchive: with --download-archive a rerun asks nothing about
// an archived episode (the fake's request log), only the list.
func TestSeriesArchive(t *testing.T) {
	site, proxy := startFakeQQ(t, fakeqq.Config{})
	dir := t.TempDir()
	archive := filepath.Join(t.TempDir(), "archive.txt")
	args := []string{"-q", "--proxy", proxy.URL, "-d", dir, "--download-archive", archive, "-I", "1-3,5-"}
	if r := runVDL(t, nil, append(args, qqLongSeries)...); r.code != exitPartial {
		t.Fatalf("first run: exit %d: %s", r.code, r.stderr)
	}
	lines, _ := os.ReadFile(archive)
	if n := strings.Count(string(lines), "\n"); n != 10 || !strings.Contains(string(lines), "qq "+fakeqq.LongSeriesVid(1)+"\n") {
		t.Fatalf("archive:\n%s", lines)
	}
	before := map[int]int{}
	for n := 1; n <= 12; n++ {
		before[n] = site.Calls("vid:" + fakeqq.LongSeriesVid(n))
	}
	pages := site.Calls("page")
	r := runVDL(t, nil, append(args, qqLongSeries)...)
	if r.code != exitPartial || !strings.Contains(r.stderr, "10 skipped") {
		t.Fatalf("rerun: exit %d: %s", r.code, r.stderr)
	}
	for n := 1; n <= 12; n++ {
		got := site.Calls("vid:"+fakeqq.LongSeriesVid(n)) - before[n]
		if n != 6 && got != 0 {
			t.Errorf("episode %d: %d API requests for an archived item", n, got)
		}
	}
	if p := site.Calls("page") - pages; p != 2 {
		t.Errorf("rerun read %d pages, want the cover and the VIP episode's alone", p)
	}
	checkSeries(t, dir, 1, 2, 3, 5, 7, 8, 9, 10, 11, 12)
}

// TestSeriesItemsAndDryRun: -I picks items; --dry-run resolves them,
// prints each with its format, size and file, and the total, and writes
// and fetches nothing.
func TestSeriesItemsAndDryRun(t *testing.T) {
	site, proxy := startFakeQQ(t, fakeqq.Config{})
	dir := filepath.Join(t.TempDir(), "never")
	r := runVDL(t, nil, "--proxy", proxy.URL, "-d", dir, "--dry-run", "-I", "2-3,11", qqLongSeries)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, n := range []int{2, 3, 11} {
		if !strings.Contains(r.stdout, fmt.Sprintf("E%02d", n)) || !strings.Contains(r.stdout, seriesFile(dir, n)) {
			t.Errorf("the plan does not show episode %d:\n%s", n, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "E01") || !strings.Contains(r.stdout, "total: 3 items, 868.9 KiB") || !strings.Contains(r.stdout, "free space") {
		t.Errorf("plan:\n%s", r.stdout)
	}
	if fileExists(dir) || site.CDN().TotalSent() != 0 {
		t.Errorf("a dry run wrote %v or fetched %d media bytes", fileExists(dir), site.CDN().TotalSent())
	}
	if r := runVDL(t, nil, "--proxy", proxy.URL, "-I", "3-1", qqLongSeries); r.code != exitUsage {
		t.Errorf("-I 3-1: exit %d, want %d", r.code, exitUsage)
	}
}

// TestSeriesKilledAndResumed: SIGKILL mid-series, then the same command:
// every episode there, at most 1.15x the series' bytes fetched in all.
func TestSeriesKilledAndResumed(t *testing.T) {
	const size = 296583
	site, proxy := startFakeQQ(t, fakeqq.Config{Throttle: 1 << 20, NotifyAt: 5 * size})
	dir := t.TempDir()
	args := []string{"-q", "--proxy", proxy.URL, "-d", dir, "-n", "4", qqLongSeries}
	if code, _ := interruptVDL(t, site.CDN().Reached, syscall.SIGKILL, args...); code != -1 {
		t.Fatalf("killed run: exit %d", code)
	}
	r := runVDL(t, nil, args...)
	if r.code != exitPartial {
		t.Fatalf("rerun: exit %d: %s", r.code, r.stderr)
	}
	checkSeries(t, dir, allBut(6, 12)...)
	if sent, limit := site.CDN().TotalSent(), int64(11*size)*115/100; sent > limit {
		t.Errorf("%d bytes fetched for a %d-byte series (over 1.15x)", sent, 11*size)
	}
}

// TestSeriesUnderAPIFaults: every third page or API request fails (503,
// resets, hangs); the result is the same series.
func TestSeriesUnderAPIFaults(t *testing.T) {
	site, proxy := startFakeQQ(t, fakeqq.Config{Faults: fakeqq.Faults{Every: 3}})
	dir := t.TempDir()
	r := runVDL(t, nil, "-q", "--timeout", "1s", "--proxy", proxy.URL, "-d", dir, qqLongSeries)
	if r.code != exitPartial {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	checkSeries(t, dir, allBut(6, 12)...)
	if len(site.Injected()) == 0 {
		t.Error("no fault was injected")
	}
}

// TestBatchFileAndTemplate: -a reads URLs (comments and blank lines
// skipped, - for standard input) and goes on past a refused one; an -o
// template names the files (folders under -d, never out of it).
func TestBatchFileAndTemplate(t *testing.T) {
	site, proxy := startFakeQQ(t, fakeqq.Config{})
	dir := t.TempDir()
	batch := "# my list\n\n" + "https://v.qq.com/x/cover/" + fakeqq.LongSeries + "/" + fakeqq.LongSeriesVid(2) + ".html\n" +
		"; another comment\n" + qqVIPEp + "\n" + "https://v.qq.com/x/cover/" + fakeqq.LongSeries + "/" + fakeqq.LongSeriesVid(3) + ".html\n"
	cmd := exec.Command(vdlBin, "-q", "--proxy", proxy.URL, "-d", dir, "-a", "-", "-o", "%(site)s/%(series)s E%(episode)02d [%(id)s].%(ext)s")
	cmd.Stdin = strings.NewReader(batch)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	if code := cmd.ProcessState.ExitCode(); code != exitPartial {
		t.Fatalf("exit %d (%v), want %d: %s", code, err, exitPartial, stderr.String())
	}
	for _, n := range []int{2, 3} {
		p := filepath.Join(dir, "qq", fmt.Sprintf("%s E%02d [%s].mp4", fakeqq.LongSeriesTitle, n, fakeqq.LongSeriesVid(n)))
		if !fileExists(p) {
			t.Errorf("%s missing", p)
		}
	}
	if !strings.Contains(stderr.String(), "VIP only") || !strings.Contains(stderr.String(), "2 downloaded") {
		t.Errorf("summary: %s", stderr.String())
	}
	_ = site
	r := runVDL(t, nil, "--proxy", proxy.URL, "-d", dir, "-o", "../%(id)s.%(ext)s", qqLongSeries)
	if r.code != exitUsage || !strings.Contains(r.stderr, "leaves the download folder") {
		t.Errorf("a template out of -d: exit %d: %s", r.code, r.stderr)
	}
}

// TestSeriesWithExpiringURLs: every vkey stops working after 100 KB, so
// each episode (extracted ahead of its turn) needs fresh URLs mid-way:
// the refresh path gives them, and the series completes.
func TestSeriesWithExpiringURLs(t *testing.T) {
	site, proxy := startFakeQQ(t, fakeqq.Config{Throttle: 2 << 20})
	site.ExpireAfter.Store(100 << 10)
	dir := t.TempDir()
	r := runVDL(t, nil, "-q", "-n", "2", "--proxy", proxy.URL, "-d", dir, "-I", "1-4", qqLongSeries)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	checkSeries(t, dir, 1, 2, 3, 4)
	if site.CDNStatus(fakeqq.CDNA, 403)+site.CDNStatus(fakeqq.CDNB, 403) == 0 {
		t.Error("no vkey expired: the test did not test the refresh")
	}
}

// TestSeriesListAndJSON: -F and --json of a series list its entries
// (number, id, title) without extracting any; --json in yt-dlp's shape.
func TestSeriesListAndJSON(t *testing.T) {
	site, proxy := startFakeQQ(t, fakeqq.Config{})
	r := runVDL(t, nil, "--proxy", proxy.URL, "-F", qqLongSeries)
	if r.code != 0 || strings.Count(r.stdout, "vdlser00") != 12 || !strings.Contains(r.stdout, fakeqq.LongSeriesVid(12)) {
		t.Fatalf("-F: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runVDL(t, nil, "--proxy", proxy.URL, "--json", qqLongSeries)
	var pl struct {
		Type    string `json:"_type"`
		Title   string `json:"title"`
		Entries []struct {
			ID            string `json:"id"`
			URL           string `json:"url"`
			EpisodeNumber int    `json:"episode_number"`
			PlaylistIndex int    `json:"playlist_index"`
		} `json:"entries"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &pl); err != nil || r.code != 0 {
		t.Fatalf("--json: exit %d, %v:\n%s", r.code, err, r.stdout)
	}
	if pl.Type != "playlist" || pl.Title != fakeqq.LongSeriesTitle || len(pl.Entries) != 12 ||
		pl.Entries[5].ID != fakeqq.LongSeriesVid(6) || pl.Entries[5].EpisodeNumber != 6 || pl.Entries[5].PlaylistIndex != 6 {
		t.Errorf("--json: %+v", pl)
	}
	for n := 0; n <= 12; n++ {
		if c := site.Calls("vid:" + fakeqq.LongSeriesVid(n)); c != 0 {
			t.Errorf("listing asked the API about episode %d (%d requests)", n, c)
		}
	}
}
