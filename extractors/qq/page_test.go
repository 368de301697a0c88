package qq

import (
	"slices"
	"testing"
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
	}{
		{name: "F5 cover", html: string(loadReply(t, "f5-cover.html")), series: "鸡毛飞上天", video: "鸡毛飞上天 第01集",
			first: "a00269ix3l8", episodes: []string{"a00269ix3l8", "b00269ix3l9"}},
		{name: "og title only, episode divs", html: `<meta property="og:title" content="恋爱细胞2 - 腾讯视频"><div data-vid="q0000000001" class="episode-item-rect">1</div><div data-vid="q0000000002" class="x episode-item-rect--number">2</div><div data-vid="q0000000003" class="episode-item-rect episode-item-rect--trailer">预告</div>`,
			series: "恋爱细胞2", first: "q0000000001", episodes: []string{"q0000000001", "q0000000002"}},
		{name: "old page state", html: `<script>var COVER_INFO = {"title":"\u8d4c\u4fa0","video_ids":["e0765r4mwcr","k0000000000"]};var COLUMN_INFO = {}</script>`,
			first: "e0765r4mwcr", episodes: []string{"e0765r4mwcr", "k0000000000"}},
		{name: "lone video page", html: `<meta property="og:title" content="欧阳娜娜VLOG_腾讯视频"><script>window.__PINIA__={global:{videoInfo:{title:"欧阳娜娜VLOG"}},globalStore:{currentVid:"o3013za7cse"}}</script>`,
			video: "欧阳娜娜VLOG", first: "o3013za7cse"},
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
		})
	}
}
