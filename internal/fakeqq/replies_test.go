package fakeqq

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the recorded replies in testdata/fakeqq/replies")

// recordedAt is the fixed clock of the recordings (the tm of vector V85).
const recordedAt = 1796304350

// TestRecordedReplies keeps testdata/fakeqq/replies, the fake's answers
// recorded for the extractor's decoder tests, equal to what the fake
// answers (go test -run RecordedReplies -update rewrites them). Each
// exchange runs on a fresh site at a fixed time, so tokens, keys and tm
// are the same every run.
func TestRecordedReplies(t *testing.T) {
	proxy := func(buid string, extra ...string) func(*testing.T, *Site) []byte {
		return func(t *testing.T, s *Site) []byte {
			field := map[string]string{"vinfoad": "vinfoparam", "onlyvkey": "vkeyparam"}[buid]
			body, _ := json.Marshal(map[string]string{"buid": buid, field: params85At(recordedAt, extra[0], extra[1:]...).Encode()})
			return readBody(t, call(t, s, http.MethodPost, "https://"+ProxyHost+ProxyPath, jsonType, string(body)))
		}
	}
	page := func(path string) func(*testing.T, *Site) []byte {
		return func(t *testing.T, s *Site) []byte {
			_, b := get(t, s, "https://"+PageHost+path)
			return b
		}
	}
	list := func(pageContext string) func(*testing.T, *Site) []byte {
		return func(t *testing.T, s *Site) []byte {
			_, r := getPage(t, s, Cid2026, "", pageContext, jsonType)
			return []byte(r.Raw)
		}
	}
	ep := Series2026Vid
	tests := []struct {
		file string
		do   func(*testing.T, *Site) []byte
	}{
		{"vinfoad-ts-m3u8-text.json", proxy("vinfoad", ep(4), "defn", "shd", "dtype", "3")},
		{"vinfoad-ts-m3u8-relative-link-subtitles.json", proxy("vinfoad", ep(1), "defn", "shd", "dtype", "3")},
		{"vinfoad-ts-m3u8-absolute-link.json", proxy("vinfoad", ep(3), "defn", "hd", "dtype", "3")},
		{"vinfoad-ts-no-m3u8.json", proxy("vinfoad", ep(2), "defn", "shd", "dtype", "3")},
		{"vinfoad-ts-preview-only.json", proxy("vinfoad", Preview2026Vid, "defn", "shd", "dtype", "3")},
		{"vinfoad-ts-fhd-trial.json", proxy("vinfoad", ep(5), "defn", "fhd", "dtype", "3")},
		{"vinfoad-mp4-clips.json", proxy("vinfoad", ep(1), "defn", "shd", "dtype", "1")},
		{"vinfoad-mp4-one-file.json", proxy("vinfoad", ep(1), "defn", "hd", "dtype", "1")},
		{"vinfoad-mp4-preview-only.json", proxy("vinfoad", Preview2026Vid, "defn", "shd", "dtype", "1")},
		{"vinfoad-refused-85.json", proxy("vinfoad", "n0687peq62x", "defn", "shd", "dtype", "3")},
		{"onlyvkey.json", proxy("onlyvkey", ep(1), "format", "10217", "filename", ep(1)+".p217.2.mp4")},
		{"onlyvkey-failed.json", proxy("onlyvkey", ep(1), "format", "10217", "filename", ep(1)+".p217.9.mp4")},
		{"getpage-first.json", list("")},
		{"getpage-second.json", list("cid=" + Cid2026 + "&episode_begin=7&episode_end=13&page_num=1&page_size=7&id_type=1&req_from=web_vsite")},
		{"page-cover.html", page("/x/cover/" + Cid2026 + ".html")},
		{"page-episode-second-tab.html", page("/x/cover/" + Cid2026 + "/" + Preview2026Vid + ".html")},
	}
	dir := "../../testdata/fakeqq/replies"
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s := newSite(t, Config{})
			s.now = func() time.Time { return time.Unix(recordedAt, 0) }
			got := tt.do(t, s)
			path := filepath.Join(dir, tt.file)
			if *update {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test -run RecordedReplies -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s is not what the fake answers now (go test -run RecordedReplies -update):\n%s", tt.file, got)
			}
		})
	}
}
