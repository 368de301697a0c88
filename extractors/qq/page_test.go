package qq

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vdlproject/vdl/extractors"
)

// TestParsePage reads F5 (a cover page) and older/odd page shapes.
func TestParsePage(t *testing.T) {
	tests := []struct {
		name     string
		html     string
		series   string
		video    string
		first    string
		episodes []string
		numbers  []int // episodeNumber of each episode
	}{
		{name: "F5 cover", html: string(loadReply(t, "f5-cover.html")), series: "鸡毛飞上天", video: "鸡毛飞上天 第01集",
			first: "a00269ix3l8", episodes: []string{"a00269ix3l8", "b00269ix3l9"}, numbers: []int{1, 2}},
		{name: "og title only, episode divs", html: `<meta property="og:title" content="恋爱细胞2 - 腾讯视频"><div data-vid="q0000000001" class="episode-item-rect">1</div><div data-vid="q0000000002" class="x episode-item-rect--number">2</div><div data-vid="q0000000003" class="episode-item-rect episode-item-rect--trailer">预告</div>`,
			series: "恋爱细胞2", first: "q0000000001", episodes: []string{"q0000000001", "q0000000002"}, numbers: []int{1, 2}},
		{name: "divs numbered with a gap, one unnumbered", html: `<div data-vid="q0000000001" class="episode-item-rect">5</div><div data-vid="q0000000002" class="episode-item-rect">7</div><div data-vid="q0000000003" class="episode-item-rect">花絮</div>`,
			first: "q0000000001", episodes: []string{"q0000000001", "q0000000002", "q0000000003"}, numbers: []int{5, 7, 3}},
		{name: "old page state", html: `<script>var COVER_INFO = {"title":"\u8d4c\u4fa0","video_ids":["e0765r4mwcr","k0000000000"]};var COLUMN_INFO = {}</script>`,
			series: "赌侠", first: "e0765r4mwcr", episodes: []string{"e0765r4mwcr", "k0000000000"}, numbers: []int{1, 2}},
		{name: "lone video page", html: `<meta property="og:title" content="欧阳娜娜VLOG_腾讯视频"><script>window.__PINIA__={global:{videoInfo:{title:"欧阳娜娜VLOG"}},globalStore:{currentVid:"o3013za7cse"}}</script>`,
			video: "欧阳娜娜VLOG", first: "o3013za7cse"},
		{name: "lone video in a videoInfoMap", html: `<script>window.__vikor__context__={_piniaState:{videoInfoMap:{"o3013za7cse":{c_covers:{a:{title:"no"}},title:"VLOG"}}},isHarmonyClient:!1}</script>`,
			video: "VLOG", first: "o3013za7cse"},
		{name: "state that does not parse: og and divs still read", html: `<meta property="og:title" content="剧_腾讯视频"><script>window.__PINIA__={a:b}</script><div data-vid="q0000000001" class="episode-item-rect">1</div>`,
			series: "剧", first: "q0000000001", episodes: []string{"q0000000001"}, numbers: []int{1}},
		{name: "nothing", html: `<html><body>404</body></html>`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := parsePage([]byte(tc.html))
			if err != nil {
				t.Fatal(err)
			}
			if p.seriesTitle() != tc.series || p.videoTitle != tc.video || p.firstVid() != tc.first || !slices.Equal(p.episodes, tc.episodes) {
				t.Errorf("got series %q video %q first %q episodes %v", p.seriesTitle(), p.videoTitle, p.firstVid(), p.episodes)
			}
			var numbers []int
			for _, v := range p.episodes {
				numbers = append(numbers, p.episodeNumber(v))
			}
			if !slices.Equal(numbers, tc.numbers) {
				t.Errorf("episode numbers %v, want %v", numbers, tc.numbers)
			}
			if strings.Contains(tc.name, "does not parse") != (len(p.stateErrs) > 0) {
				t.Errorf("state errors: %v", p.stateErrs)
			}
		})
	}
}

// pageSummary is what the golden files hold of a parsed page.
type pageSummary struct {
	CurrentVid string           `json:"current_vid"`
	CurrentCid string           `json:"current_cid"`
	Series     string           `json:"series"`
	Video      string           `json:"video"`
	FirstVid   string           `json:"first_vid"`
	Episodes   []string         `json:"episodes"`
	Items      []itemSummary    `json:"items"`
	Numbers    map[string]int   `json:"episode_numbers"`
	Show       *extractors.Show `json:"show"`
	StateErrs  []string         `json:"state_errors,omitempty"`
}

type itemSummary struct {
	Vid     string `json:"vid"`
	Title   string `json:"title"`
	Number  int    `json:"number"`
	Trailer bool   `json:"trailer,omitempty"`
}

func summarize(items []seriesItem) []itemSummary {
	var out []itemSummary
	for _, it := range items {
		out = append(out, itemSummary{it.vid, it.title, it.number, it.trailer})
	}
	return out
}

// pagesGolden compares v's JSON with testdata/pages/golden/<name>.json
// (go test -update rewrites it).
func pagesGolden(t *testing.T, name string, v any) {
	t.Helper()
	goldenJSON(t, filepath.Join("testdata", "pages", "golden", name+".json"), v)
}

// TestParsePageGolden reads the recorded page forms: 2026 cover and
// episode pages (state in _piniaState, no divs), a 2023 __PINIA__ page
// and a pre-2022 COVER_INFO page.
func TestParsePageGolden(t *testing.T) {
	tests := []struct {
		file string
		// checks beyond the golden file, so that -update cannot bless a
		// regression of what the issue names
		vid, series, video string
		show               extractors.Show
	}{
		{file: "cover-2026", vid: "k4100gap001", series: "缺口之城", video: "缺口之城 第1集",
			show: extractors.Show{Title: "缺口之城", Year: 2026, Type: "电视剧", Cast: []string{"张三", "李四", "王五"}}},
		{file: "episode-2026", vid: "k4100gap008", series: "缺口之城", video: "缺口之城 第8集",
			show: extractors.Show{Title: "缺口之城", Year: 2026, Type: "电视剧", Cast: []string{"张三", "李四"}}},
		{file: "pinia-2023", vid: "o2023old001", series: "旧日长街", video: "旧日长街 第1集",
			show: extractors.Show{Title: "旧日长街", Year: 2023, Type: "动漫"}},
		{file: "cover-info-2019", vid: "e0765r4mwcr", series: "赌侠", video: "赌侠",
			show: extractors.Show{Title: "赌侠", Year: 1990, Type: "电影", Cast: []string{"刘德华", "周星驰"}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			p, err := parsePage(loadReply(t, filepath.Join("pages", tt.file+".html")))
			if err != nil {
				t.Fatal(err)
			}
			s := pageSummary{CurrentVid: p.currentVid, CurrentCid: p.currentCid, Series: p.seriesTitle(), Video: p.videoTitle,
				FirstVid: p.firstVid(), Episodes: p.episodes, Items: summarize(p.items), Numbers: map[string]int{}, Show: p.show()}
			for _, v := range p.episodes {
				s.Numbers[v] = p.episodeNumber(v)
			}
			for _, e := range p.stateErrs {
				s.StateErrs = append(s.StateErrs, e.Error())
			}
			pagesGolden(t, "page-"+tt.file, s)
			if s.FirstVid != tt.vid || s.Series != tt.series || s.Video != tt.video || len(s.StateErrs) > 0 {
				t.Errorf("first %q series %q video %q errors %v", s.FirstVid, s.Series, s.Video, s.StateErrs)
			}
			if sh := s.Show; sh == nil || sh.Title != tt.show.Title || sh.Year != tt.show.Year || sh.Type != tt.show.Type ||
				!slices.Equal(sh.Cast, tt.show.Cast) || sh.Description == "" {
				t.Errorf("show %+v, want %+v and a description", s.Show, tt.show)
			}
		})
	}
}

// TestEpisodeNumber2026: the episode page lists the tab it plays from (7
// onwards): the number is the item's title, not its position.
func TestEpisodeNumber2026(t *testing.T) {
	p, err := parsePage(loadReply(t, filepath.Join("pages", "episode-2026.html")))
	if err != nil {
		t.Fatal(err)
	}
	for vid, want := range map[string]int{"k4100gap008": 8, "k4100gap012": 12, "k4100gap001": 0} {
		if got := p.episodeNumber(vid); got != want {
			t.Errorf("episodeNumber(%s) = %d, want %d", vid, got, want)
		}
	}
	cover, err := parsePage(loadReply(t, filepath.Join("pages", "cover-2026.html")))
	if err != nil {
		t.Fatal(err)
	}
	// The special is unnumbered: its position among the non-trailers.
	if got := cover.episodeNumber("k4100gap0sp"); got != 6 {
		t.Errorf("the special's number %d, want its position 6", got)
	}
	if got := cover.episodeNumber("t4100gap0tr"); got != 0 {
		t.Errorf("the trailer's number %d, want 0", got)
	}
}

// TestShowNone: a page that says nothing of a series has no Show.
func TestShowNone(t *testing.T) {
	p, err := parsePage([]byte(`<script>window.__PINIA__={global:{videoInfo:{title:"x"}}}</script>`))
	if err != nil {
		t.Fatal(err)
	}
	if s := p.show(); s != nil {
		t.Errorf("show %+v, want nil", s)
	}
}
