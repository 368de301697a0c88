package extractors

import "testing"

func TestSplitSeason(t *testing.T) {
	for _, tc := range []struct {
		in     string
		show   string
		season int
	}{
		{"青春里的风 第二季", "青春里的风", 2},
		{"青春里的风第2季", "青春里的风", 2},
		{"青春里的风", "青春里的风", 0},
		{"某剧 第十季", "某剧", 10},
		{"某剧 第十二季", "某剧", 12},
		{"某剧 第二十季", "某剧", 20},
		{"某剧 第二十三季", "某剧", 23},
		{"某剧 第一百零五季", "某剧", 105},
		{"某剧 第两季", "某剧", 2},
		{"某剧 第２季", "某剧", 2}, // full-width digit
		{"某剧：第三季", "某剧", 3},
		{"Show Season 2", "Show", 2},
		{"Show - season 02", "Show", 2},
		{"Show S3", "Show", 3},
		{"Show 2nd Season", "Show", 2},
		{"第二季", "第二季", 2},
		{"某剧 第零季", "某剧 第零季", 0},
		{"某剧 第二〇季", "某剧", 20},
		{"某剧 第一二季", "某剧", 12},
		{"某剧 第十十季", "某剧 第十十季", 0},
		{"四季", "四季", 0},
		{"综艺 第1期", "综艺 第1期", 0},
		{"Show S01E02", "Show S01E02", 0},
		{"Mass Effects", "Mass Effects", 0},
		{"Seasons", "Seasons", 0},
		{"  padded  ", "padded", 0},
	} {
		show, season := SplitSeason(tc.in)
		if show != tc.show || season != tc.season {
			t.Errorf("SplitSeason(%q) = %q, %d; want %q, %d", tc.in, show, season, tc.show, tc.season)
		}
	}
}
