package download

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/vdlproject/vdl/extractors"
)

func TestEpisodeTitle(t *testing.T) {
	for _, tc := range []struct{ title, show, full, want string }{
		{"青春里的风 第06集", "青春里的风", "青春里的风", ""},
		{"青春里的风 第二季 第06集", "青春里的风", "青春里的风 第二季", ""},
		{"青春里的风 第二季 特别篇", "青春里的风", "青春里的风 第二季", "特别篇"},
		{"青春里的风 - 重逢", "青春里的风", "青春里的风", "重逢"},
		{"第6集", "x", "x", ""},
		{"Episode 12", "x", "x", ""},
		{"EP03", "x", "x", ""},
		{"07", "x", "x", ""},
		{"E3 Expo", "x", "x", "(E3 Expo)"}, // Jellyfin would read "S01E06 - E3" as episodes 6-3
		{"x264 remaster", "x", "x", "(x264 remaster)"},
		{"Episode of the year", "x", "x", "Episode of the year"},
		{"", "x", "x", ""},
	} {
		if got := episodeTitle(tc.title, tc.show, tc.full); got != tc.want {
			t.Errorf("episodeTitle(%q) = %q, want %q", tc.title, got, tc.want)
		}
	}
}

func TestLibraryNames(t *testing.T) {
	dir := t.TempDir()
	d := &Downloader{opts: Options{Dir: dir}}
	f := &extractors.Format{ID: "shd", Container: "mp4"}
	show := &extractors.Show{Title: "青春里的风", Year: 2024}
	for _, tc := range []struct {
		name string
		t    *task
		want string
	}{
		{"episode", &task{m: &extractors.Media{Title: "青春里的风 第06集", Show: show}, series: "青春里的风", episode: 6},
			"青春里的风 (2024)/Season 01/青春里的风 - S01E06.mp4"},
		{"season from the title", &task{m: &extractors.Media{Title: "青春里的风 第二季 第01集", Show: &extractors.Show{Title: "青春里的风 第二季", Year: 2025}},
			series: "青春里的风 第二季", episode: 1}, "青春里的风 (2025)/Season 02/青春里的风 - S02E01.mp4"},
		{"special", &task{m: &extractors.Media{Title: "青春里的风 花絮", Show: show}, series: "青春里的风", special: 2},
			"青春里的风 (2024)/Season 00/青春里的风 - S00E02 - 花絮.mp4"},
		{"movie", &task{m: &extractors.Media{Title: "某电影", Show: &extractors.Show{Title: "某电影", Year: 2020, Type: "电影"}}, series: "某电影"},
			"某电影 (2020)/某电影 (2020).mp4"},
		{"no year", &task{m: &extractors.Media{Title: "ep", Series: "Show"}, series: "Show", episode: 3}, "Show/Season 01/Show - S01E03 - ep.mp4"},
		{"hostile", &task{m: &extractors.Media{Title: "../../etc", Show: &extractors.Show{Title: "a/../b\u202e", Year: 2024}}, series: "a/../b\u202e", episode: 1},
			"a_.._b (2024)/Season 01/a_.._b - S01E01 - _.._etc.mp4"},
	} {
		tc.t.f = f
		got, _, err := d.outputPath(tc.t)
		if err != nil || got != filepath.Join(dir, tc.want) {
			t.Errorf("%s: %q (%v), want %q", tc.name, got, err, tc.want)
		}
	}
	// A later season's cover with another year joins the folder there.
	os.Mkdir(filepath.Join(dir, "青春里的风 (2024)"), 0o755)
	tk := &task{m: &extractors.Media{Title: "第01集", Show: &extractors.Show{Title: "青春里的风 第二季", Year: 2025}}, series: "青春里的风 第二季", episode: 1, f: f}
	if got, _, _ := d.outputPath(tk); got != filepath.Join(dir, "青春里的风 (2024)", "Season 02", "青春里的风 - S02E01.mp4") {
		t.Errorf("second season: %q", got)
	}
	// A single episode keeps its title's name unless Layout.
	single := &task{m: &extractors.Media{Title: "青春里的风 第06集", Series: "青春里的风", Episode: 6, Show: show}, f: f}
	if got, _, _ := d.outputPath(single); got != filepath.Join(dir, "青春里的风 第06集.mp4") {
		t.Errorf("single episode: %q", got)
	}
	d.opts.Library.Layout = true
	if got, _, _ := d.outputPath(single); got != filepath.Join(dir, "青春里的风 (2024)", "Season 01", "青春里的风 - S01E06.mp4") {
		t.Errorf("single episode with --library: %q", got)
	}
}
