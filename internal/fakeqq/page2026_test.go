package fakeqq

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

const stateMarker = "window.__vikor__context__="

// pageState fetches a page and parses its 2026 state.
func pageState(t *testing.T, s *Site, path string) (any, []byte) {
	t.Helper()
	status, body := get(t, s, "https://"+PageHost+path)
	if status != http.StatusOK {
		t.Fatalf("%s: %d", path, status)
	}
	i := bytes.Index(body, []byte(stateMarker))
	if i < 0 {
		t.Fatalf("%s has no %s", path, stateMarker)
	}
	v, rest, err := jsParse(string(body[i+len(stateMarker):]))
	if err != nil || !strings.HasPrefix(rest, ";</script>") {
		t.Fatalf("%s: the state does not parse: %v (then %.30q)", path, err, rest)
	}
	return v, body
}

func TestPage2026(t *testing.T) {
	s := newSite(t, Config{})
	cover := "/x/cover/" + Cid2026 + ".html"
	tests := []struct {
		name, path string
		current    string   // globalStore.currentVid
		tab        []string // the titles episodeMain lists
		og         string
	}{
		{"cover", cover, Series2026Vid(1), []string{"预告", "1", "2", "3", "4", "5"}, Title2026 + "_高清1080P在线观看平台_腾讯视频"},
		{"episode in the second tab", "/x/cover/" + Cid2026 + "/" + Preview2026Vid + ".html", Preview2026Vid,
			[]string{"7", "8", "9", "10", "11", "12", "13"}, Title2026 + " 第09集_腾讯视频"},
		{"lone episode page", "/x/page/" + Series2026Vid(2) + ".html", Series2026Vid(2), []string{"预告", "1", "2", "3", "4", "5"},
			Title2026 + " 第02集_腾讯视频"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, body := pageState(t, s, tt.path)
			for _, lit := range []string{"void 0", "undefined", "!0", "new Map([", "Array.prototype.slice.call({", `\u`, "_piniaState:{", "},isHarmonyClient"} {
				if !bytes.Contains(body, []byte(lit)) {
					t.Errorf("the page lacks %q", lit)
				}
			}
			if bytes.Contains(body, []byte("data-vid")) || bytes.Contains(body, []byte("__PINIA__")) {
				t.Error("a 2026 page with episode divs or the old state")
			}
			if !bytes.Contains(body, []byte(`og:title" content="`+tt.og+`"`)) {
				t.Errorf("og:title is not %q", tt.og)
			}
			pinia := dig(st, "_piniaState")
			if got := dig(pinia, "globalStore", "currentVid"); got != tt.current || dig(pinia, "globalStore", "currentCid") != Cid2026 {
				t.Errorf("globalStore %v", dig(pinia, "globalStore"))
			}
			c := dig(pinia, "coverInfoMap", Cid2026)
			want := map[string]any{"title": Title2026, "year": Year2026, "description": Description2026, "type_name": TypeName2026,
				"new_pic_vt": Poster2026(), "new_pic_hz": Fanart2026(), "cover_id": Cid2026}
			for k, v := range want {
				if got := dig(c, k); got != v {
					t.Errorf("coverInfoMap.%s = %v, want %v", k, got, v)
				}
			}
			if a := fmt.Sprint(dig(c, "leading_actor")); a != fmt.Sprint(Actors2026()) {
				t.Errorf("leading_actor %s", a)
			}
			if ids, _ := dig(c, "video_ids").([]any); len(ids) != len(Series2026Numbers()) {
				t.Errorf("video_ids %v", ids)
			}
			if got := dig(pinia, "videoInfoMap", tt.current, "title"); got != s.eps26[tt.current].Title {
				t.Errorf("videoInfoMap title %v", got)
			}
			list, _ := dig(pinia, "episodeMain", "listData", "0", "list", "0").([]any)
			var titles []string
			for _, it := range list {
				titles = append(titles, fmt.Sprint(dig(it, "title")))
			}
			if fmt.Sprint(titles) != fmt.Sprint(tt.tab) {
				t.Errorf("episodeMain lists %v, want %v", titles, tt.tab)
			}
			if tabs, _ := dig(pinia, "episodeMain", "listData", "0", "tabs").([]any); len(tabs) != 2 {
				t.Errorf("%d tabs", len(tabs))
			}
		})
	}
	if status, _ := get(t, s, "https://"+PageHost+"/x/cover/"+Cid2026+"/zzzzzzzzzzz.html"); status != http.StatusNotFound {
		t.Errorf("an unknown episode's page: %d", status)
	}
}

// TestOldPages: the older catalogue keeps the old form by default, and
// Legacy gives the 2026 series the old form too; the divs are numbered
// by episode, the trailer is not.
func TestOldPages(t *testing.T) {
	tests := []struct {
		name   string
		legacy bool
		path   string
		divs   []string // "<vid> <text>"
	}{
		{"LongSeries", false, "/x/cover/" + LongSeries + ".html",
			[]string{LongSeriesVid(0) + " 预告", LongSeriesVid(1) + " 1", LongSeriesVid(9) + " 9"}},
		{"2026 series in Legacy", true, "/x/cover/" + Cid2026 + ".html",
			[]string{Trailer2026Vid + " 预告", Series2026Vid(5) + " 5", Series2026Vid(7) + " 7", Series2026Vid(12) + " 12"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSite(t, Config{Legacy: tt.legacy})
			status, body := get(t, s, "https://"+PageHost+tt.path)
			if status != http.StatusOK || !bytes.Contains(body, []byte("window.__PINIA__=")) || bytes.Contains(body, []byte(stateMarker)) {
				t.Fatalf("%d, not the old form:\n%s", status, body)
			}
			for _, d := range tt.divs {
				vid, text, _ := strings.Cut(d, " ")
				if !bytes.Contains(body, []byte(`data-vid="`+vid+`"`)) || !strings.Contains(string(body), `">`+text+"</div>") {
					t.Errorf("no div %s", d)
				}
			}
		})
	}
	s := newSite(t, Config{Legacy: true})
	if status, body := get(t, s, "https://"+PageHost+"/x/page/"+Series2026Vid(1)+".html"); status != http.StatusOK || !bytes.Contains(body, []byte("__PINIA__")) {
		t.Errorf("Legacy episode page: %d", status)
	}
}
