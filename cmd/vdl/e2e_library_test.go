package main

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vdlproject/vdl/internal/fakeqq"
	"github.com/vdlproject/vdl/internal/testtools"
)

// Media-library output (issue 19) through the binary, against the fake's
// season 1 (2026), season 2 (its own cover, titled "… 第二季", year 2027,
// with a special) and a movie.

var (
	libShow    = fakeqq.Title2026 + " (" + fakeqq.Year2026 + ")"
	libS2      = "https://v.qq.com/x/cover/" + fakeqq.Cid2026S2 + ".html"
	libMovie   = "https://v.qq.com/x/cover/" + fakeqq.CidMovie + ".html"
	movieStem  = fakeqq.TitleMovie + " (" + fakeqq.YearMovie + ")"
	kodiTVName = []*regexp.Regexp{ // Kodi's default tvshowmatching (AdvancedSettings.cpp), the look-aheads RE2 lacks left out
		regexp.MustCompile(`(?i)s([0-9]+)[ ._x-]*e([0-9]+)([^\\/]*)$`),
		regexp.MustCompile(`(?i)[\._ -]?()e(?:p[ ._-]?)?([0-9]+)([^\\/]*)$`),
	}
	kodiOld  = regexp.MustCompile(`[Ss]([0-9]+)[\]\[ ._-]*[Ee]([0-9]+)([^\\/]*)$`) // the older first rule, as the issue quotes it
	plexName = regexp.MustCompile(`(?i)^(.+?) - s([0-9]{2,})e([0-9]{2,})(?: - .+)?\.[a-z0-9]+$`)
)

func libEpisode(season, ep int, title string) string {
	name := fakeqq.Title2026 + " - S" + twoDigits(season) + "E" + twoDigits(ep)
	if title != "" {
		name += " - " + title
	}
	return filepath.Join(libShow, "Season "+twoDigits(season), name)
}

type nfo struct {
	XMLName   xml.Name
	Title     string   `xml:"title"`
	ShowTitle string   `xml:"showtitle"`
	Season    string   `xml:"season"`
	Episode   string   `xml:"episode"`
	Year      string   `xml:"year"`
	Aired     string   `xml:"aired"`
	Genres    []string `xml:"genre"`
	Actors    []struct {
		Name string `xml:"name"`
	} `xml:"actor"`
	IDs []struct {
		Type    string `xml:"type,attr"`
		Default string `xml:"default,attr"`
		ID      string `xml:",chardata"`
	} `xml:"uniqueid"`
	Thumbs []string `xml:"thumb"`
}

func readNFO(t *testing.T, path string) nfo {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var n nfo
	if err := xml.Unmarshal(b, &n); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if xmllint := testtools.Require(t, "xmllint"); xmllint != "" {
		if _, stderr := testtools.Run(t, xmllint, "--noout", path); stderr != "" {
			t.Errorf("xmllint %s: %s", path, stderr)
		}
	}
	return n
}

func TestLibrarySeasonsSpecialAndMovie(t *testing.T) {
	testtools.Require(t, "ffprobe")
	_, proxy := startFakeQQ(t, fakeqq.Config{})
	dir := t.TempDir()
	for _, u := range []string{qq2026Series, libS2, libMovie} {
		args := []string{"--proxy", proxy.URL, "-d", dir, "--library", u}
		if u == qq2026Series {
			args = append(args, "-I", "1-3")
		}
		r := runVDL(t, nil, args...)
		if r.code != 0 {
			t.Fatalf("%s: exit %d: %s", u, r.code, r.stderr)
		}
		if u == qq2026Series && !strings.Contains(r.stderr, "E03 "+fakeqq.Title2026+" 第03集: no ") {
			t.Errorf("the still that is an HTML page is not noted in the summary:\n%s", r.stderr)
		}
	}
	tree := listTree(dir)
	want := []string{
		libEpisode(1, 1, "") + ".mp4", libEpisode(1, 2, "") + ".mp4", libEpisode(1, 3, "") + ".mp4",
		libEpisode(2, 1, "") + ".mp4", libEpisode(2, 2, "") + ".mp4", // season 2 joins the show folder of season 1
		libEpisode(0, 1, fakeqq.Special2026S2Title) + ".mp4", // the special
		filepath.Join(libShow, "tvshow.nfo"), filepath.Join(libShow, "poster.jpg"), filepath.Join(libShow, "fanart.png"),
		filepath.Join(libShow, "season01-poster.jpg"), filepath.Join(libShow, "season02-poster.jpg"), filepath.Join(libShow, "season-specials-poster.jpg"),
		libEpisode(1, 1, "") + "-thumb.jpg", libEpisode(1, 2, "") + "-thumb.webp", // named by the bytes, not the URL
		libEpisode(1, 1, "") + ".nfo", libEpisode(1, 1, "") + ".info.json",
		filepath.Join(movieStem, movieStem+".mp4"), filepath.Join(movieStem, "movie.nfo"), filepath.Join(movieStem, movieStem+".nfo"),
		filepath.Join(movieStem, "poster.jpg"),
	}
	for _, w := range want {
		if !slices.Contains(tree, w) {
			t.Errorf("no %s in\n%s", w, strings.Join(tree, "\n"))
		}
	}
	for _, p := range tree {
		if strings.Contains(p, "S01E03-thumb") || strings.HasSuffix(p, ".vdl") {
			t.Errorf("%s should not be there", p)
		}
	}
	// Season 2's poster is its own cover's, not the show's.
	p1, _ := os.ReadFile(filepath.Join(dir, libShow, "season01-poster.jpg"))
	p2, _ := os.ReadFile(filepath.Join(dir, libShow, "season02-poster.jpg"))
	if len(p1) == 0 || string(p1) == string(p2) {
		t.Error("season 2's poster is season 1's")
	}
	// Every episode name is what Kodi's and Plex's scanners read.
	for _, ep := range [][3]int{{1, 1}, {1, 2}, {1, 3}, {2, 1}, {2, 2}, {0, 1}} {
		p := "/tv/" + libEpisode(ep[0], ep[1], map[bool]string{true: fakeqq.Special2026S2Title}[ep[0] == 0]) + ".mp4"
		m := kodiTVName[0].FindStringSubmatch(p)
		if m == nil || atoi(m[1]) != ep[0] || atoi(m[2]) != ep[1] {
			t.Errorf("Kodi reads %q as %v, want S%02dE%02d", p, m, ep[0], ep[1])
		}
		if m := kodiOld.FindStringSubmatch(p); m == nil || atoi(m[1]) != ep[0] || atoi(m[2]) != ep[1] {
			t.Errorf("Kodi's older rule reads %q as %v", p, m)
		}
		base := filepath.Base(p)
		if m := plexName.FindStringSubmatch(base); m == nil || m[1] != fakeqq.Title2026 || atoi(m[2]) != ep[0] || atoi(m[3]) != ep[1] {
			t.Errorf("Plex's pattern reads %q as %v", base, m)
		}
		if season := filepath.Base(filepath.Dir(p)); season != "Season "+twoDigits(ep[0]) {
			t.Errorf("%s is in %q", p, season)
		}
	}
	// NFOs: well-formed, their fields the site's; the show's stays season 1's.
	show := readNFO(t, filepath.Join(dir, libShow, "tvshow.nfo"))
	if show.XMLName.Local != "tvshow" || show.Title != fakeqq.Title2026 || show.Year != fakeqq.Year2026 || len(show.IDs) != 1 ||
		show.IDs[0].Type != "qq" || show.IDs[0].Default != "true" || show.IDs[0].ID != fakeqq.Cid2026 ||
		strings.Join(show.Genres, ",") != fakeqq.Genres2026 || len(show.Actors) != 2 || len(show.Thumbs) != 0 {
		t.Errorf("tvshow.nfo %+v", show)
	}
	ep := readNFO(t, filepath.Join(dir, libEpisode(2, 2, "")+".nfo"))
	if ep.XMLName.Local != "episodedetails" || ep.ShowTitle != fakeqq.Title2026 || ep.Season != "2" || ep.Episode != "2" ||
		ep.Aired != "2027-01-02" || len(ep.IDs) != 1 || ep.IDs[0].ID != fakeqq.Season2Vid(2) {
		t.Errorf("S02E02 nfo %+v", ep)
	}
	sp := readNFO(t, filepath.Join(dir, libEpisode(0, 1, fakeqq.Special2026S2Title)+".nfo"))
	if sp.Season != "0" || sp.Episode != "1" || sp.Title != fakeqq.Special2026S2Title {
		t.Errorf("special nfo %+v", sp)
	}
	mv := readNFO(t, filepath.Join(dir, movieStem, "movie.nfo"))
	if mv.XMLName.Local != "movie" || mv.Title != fakeqq.TitleMovie || mv.Year != fakeqq.YearMovie {
		t.Errorf("movie.nfo %+v", mv)
	}
	// The MP4s: tags and cover art (E02's WebP still as PNG).
	e2 := filepath.Join(dir, libEpisode(1, 2, "")+".mp4")
	tags := testtools.FormatTags(t, e2)
	for k, v := range map[string]string{"show": fakeqq.Title2026, "season_number": "1", "episode_sort": "2", "episode_id": "S01E02",
		"media_type": "10", "date": "2026-03-02", "genre": "剧情/悬疑"} {
		if tags[k] != v {
			t.Errorf("S01E02 tag %s = %q, want %q", k, tags[k], v)
		}
	}
	for file, codec := range map[string]string{e2: "png", filepath.Join(dir, libEpisode(1, 1, "")+".mp4"): "mjpeg"} {
		out, _ := testtools.Run(t, "ffprobe", "-v", "error", "-show_entries", "stream=codec_name:stream_disposition=attached_pic", "-of", "csv=p=0", file)
		if !strings.Contains(out, codec+",1") {
			t.Errorf("%s: no %s cover art: %q", filepath.Base(file), codec, out)
		}
	}
	if tags := testtools.FormatTags(t, filepath.Join(dir, movieStem, movieStem+".mp4")); tags["media_type"] != "9" {
		t.Errorf("movie media_type %q", tags["media_type"])
	}
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// segmentRequests counts the CDN's requests for the TS segments of the
// 2026 episodes given, every quality.
func segmentRequests(site *fakeqq.Site, eps ...int) int {
	n := 0
	for _, ep := range eps {
		for _, q := range []string{"fhd", "shd", "hd"} {
			for idx := 1; idx <= 8; idx++ {
				n += site.CDN().RequestsFor(site.SegmentPath(fakeqq.Series2026Vid(ep), q, idx))
			}
		}
	}
	return n
}

func TestLibraryRerunFetchesNothing(t *testing.T) {
	site, proxy := startFakeQQ(t, fakeqq.Config{})
	dir := t.TempDir()
	args := []string{"--proxy", proxy.URL, "-d", dir, "--library", "-I", "1-2", qq2026Series}
	if r := runVDL(t, nil, args...); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	// A user edits an episode's NFO, and one NFO is lost.
	edited := filepath.Join(dir, libEpisode(1, 1, "")+".nfo")
	os.WriteFile(edited, []byte("<episodedetails><title>my title</title></episodedetails>\n"), 0o644)
	lost := filepath.Join(dir, libEpisode(1, 2, "")+".nfo")
	os.Remove(lost)
	media := segmentRequests(site, 1, 2)
	poster := site.CDN().RequestsFor("/pic/vcover_vt_pic/" + fakeqq.Cid2026 + ".jpg")
	thumb := site.CDN().RequestsFor("/pic/vpic_cover/" + fakeqq.Series2026Vid(1) + "_hz.jpg")
	r := runVDL(t, nil, args...)
	if r.code != 0 {
		t.Fatalf("rerun: exit %d: %s", r.code, r.stderr)
	}
	if n := segmentRequests(site, 1, 2); n != media || media == 0 {
		t.Errorf("the rerun fetched media: %d segment requests (%d before)", n-media, media)
	}
	if site.CDN().RequestsFor("/pic/vcover_vt_pic/"+fakeqq.Cid2026+".jpg") != poster || site.CDN().RequestsFor("/pic/vpic_cover/"+fakeqq.Series2026Vid(1)+"_hz.jpg") != thumb {
		t.Error("the rerun fetched an image again")
	}
	if b, _ := os.ReadFile(edited); !strings.Contains(string(b), "my title") {
		t.Error("the user's NFO was overwritten")
	}
	if n := readNFO(t, lost); n.Episode != "2" {
		t.Errorf("the lost NFO was not written again: %+v", n)
	}
}

func TestLibraryOlderLayoutLeftInPlace(t *testing.T) {
	site, proxy := startFakeQQ(t, fakeqq.Config{})
	dir := t.TempDir()
	old := "%(series)s/%(series)s - E%(episode)02d - %(title)s.%(ext)s" // how vdl named a series' episodes before
	if r := runVDL(t, nil, "-q", "--proxy", proxy.URL, "-d", dir, "-o", old, "-I", "1-2", qq2026Series); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	media := segmentRequests(site, 1, 2)
	r := runVDL(t, nil, "--proxy", proxy.URL, "-d", dir, "-I", "1-3", qq2026Series)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if c := strings.Count(r.stderr, "left where they are"); c != 1 {
		t.Errorf("said %d times that older episodes stay put:\n%s", c, r.stderr)
	}
	tree := listTree(dir)
	for _, n := range []int{1, 2} {
		p := filepath.Join(fakeqq.Title2026, fakeqq.Title2026+" - E"+twoDigits(n)+" - "+fakeqq.Title2026+" 第"+twoDigits(n)+"集.mp4")
		if !slices.Contains(tree, p) || slices.Contains(tree, libEpisode(1, n, "")+".mp4") {
			t.Errorf("E%02d moved or fetched again: %v", n, tree)
		}
	}
	if !slices.Contains(tree, libEpisode(1, 3, "")+".mp4") {
		t.Errorf("E03 not in the library layout: %v", tree)
	}
	if got := segmentRequests(site, 1, 2); got != media || media == 0 {
		t.Errorf("E01 and E02 fetched again: %d segment requests (%d before)", got-media, media)
	}
}

// TestLibraryRerunWithArchiveAddsSidecars: with --download-archive, an
// archived episode whose file lacks a sidecar now asked for is taken
// again for its metadata (no media fetched) and gets it; one that lacks
// nothing is skipped before any request, as the archive promises.
func TestLibraryRerunWithArchiveAddsSidecars(t *testing.T) {
	site, proxy := startFakeQQ(t, fakeqq.Config{})
	dir := t.TempDir()
	archive := filepath.Join(t.TempDir(), "archive.txt")
	if r := runVDL(t, nil, "-q", "--proxy", proxy.URL, "-d", dir, "--download-archive", archive, "-I", "1-2", qq2026Series); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	nfo := filepath.Join(dir, libEpisode(1, 1, "")+".nfo")
	if fileExists(nfo) {
		t.Fatal("an NFO without --write-nfo")
	}
	// E02 has every sidecar the rerun asks for; E01 has none.
	e2 := filepath.Join(dir, libEpisode(1, 2, ""))
	os.WriteFile(e2+".nfo", []byte("<episodedetails><title>mine</title></episodedetails>\n"), 0o644)
	media := segmentRequests(site, 1, 2)
	e2page := site.Calls("page:/x/cover/" + fakeqq.Cid2026 + "/" + fakeqq.Series2026Vid(2) + ".html")
	r := runVDL(t, nil, "--proxy", proxy.URL, "-d", dir, "--download-archive", archive, "--write-nfo", "-I", "1-2", qq2026Series)
	if r.code != 0 {
		t.Fatalf("rerun: exit %d: %s", r.code, r.stderr)
	}
	if n := readNFO(t, nfo); n.Episode != "1" || n.ShowTitle != fakeqq.Title2026 {
		t.Errorf("E01's NFO %+v", n)
	}
	if got := segmentRequests(site, 1, 2); got != media {
		t.Errorf("the rerun fetched %d segments", got-media)
	}
	if site.Calls("page:/x/cover/"+fakeqq.Cid2026+"/"+fakeqq.Series2026Vid(2)+".html") != e2page {
		t.Error("E02, archived with its sidecars, was asked about")
	}
	if b, _ := os.ReadFile(e2 + ".nfo"); !strings.Contains(string(b), "mine") {
		t.Error("E02's NFO was replaced")
	}
}

// TestLibraryAndDanmakuUnderFaults: with every 2nd page, API and comment
// request failing (503, reset, 502, hang in turn), the library files and
// the comment files are the same as without faults.
func TestLibraryAndDanmakuUnderFaults(t *testing.T) {
	injected := 0
	run := func(every int) map[string]string {
		site, proxy := startFakeQQ(t, fakeqq.Config{Faults: fakeqq.Faults{Every: every}})
		defer func() {
			for _, n := range site.Injected() {
				injected += n
			}
		}()
		dir := t.TempDir()
		r := runVDL(t, nil, "-q", "--timeout", "3s", "--proxy", proxy.URL, "-d", dir, "--write-nfo", "--write-info-json", "--write-danmaku", "-I", "1-2", qq2026Series)
		if r.code != 0 {
			t.Fatalf("faults every %d: exit %d: %s", every, r.code, r.stderr)
		}
		got := map[string]string{}
		for _, p := range listTree(dir) {
			if strings.HasSuffix(p, ".nfo") || strings.HasSuffix(p, ".danmaku.ass") {
				b, _ := os.ReadFile(filepath.Join(dir, p))
				got[p] = string(b)
			}
		}
		return got
	}
	want, got := run(0), run(2)
	if injected == 0 {
		t.Fatal("no fault was injected")
	}
	if len(want) != 5 { // tvshow.nfo, 2 episode NFOs, 2 comment files
		t.Fatalf("without faults: %d files", len(want))
	}
	for p, w := range want {
		if got[p] != w {
			t.Errorf("%s differs under faults", p)
		}
	}
}
