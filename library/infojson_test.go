package library

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestMarshalInfoYtdlpNames(t *testing.T) {
	b, err := MarshalInfo(&Info{ID: "e06vdl26ab0", Title: "第06集", Extractor: "qq", ExtractorKey: "QQ", Duration: 15.02,
		Series: "青春里的风", SeasonNumber: 2, Season: "Season 2", EpisodeNumber: 6, ReleaseYear: 2026, ReleaseDate: "20260301"})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"_type": "video", "id": "e06vdl26ab0", "series": "青春里的风", "season_number": 2.0,
		"episode_number": 6.0, "duration": 15.02, "release_date": "20260301", "extractor_key": "QQ"} {
		if m[k] != want {
			t.Errorf("%s = %v, want %v", k, m[k], want)
		}
	}
	for _, absent := range []string{"thumbnail", "cast", "episode", "description"} {
		if _, ok := m[absent]; ok {
			t.Errorf("%q written for an empty field:\n%s", absent, b)
		}
	}
	for _, junk := range []string{"null", `"None"`, `"NA"`} {
		if strings.Contains(string(b), junk) {
			t.Errorf("%s in\n%s", junk, b)
		}
	}
}
