package fakeqq

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/tidwall/gjson"
)

var jsonType = http.Header{"Content-Type": {"application/json"}}

// getPage asks for one tab of cid's list (pageContext: the tab's string;
// "" for the first request).
func getPage(t *testing.T, s *Site, cid, vid, pageContext string, header http.Header) (int, gjson.Result) {
	t.Helper()
	pc := map[string]string{}
	if pageContext != "" {
		v, err := url.ParseQuery(pageContext)
		if err != nil {
			t.Fatal(err)
		}
		for k := range v {
			pc[k] = v.Get(k)
		}
	}
	body, _ := json.Marshal(map[string]any{
		"page_params": map[string]string{"req_from": "web_vsite", "cid": cid, "vid": vid, "page_type": "detail_operation",
			"page_id": "vsite_episode_list", "id_type": "1"},
		"page_bypass_params": map[string]any{"params": map[string]string{"caller_id": "3000010", "platform_id": "2"}, "scene": "desk_detail"},
		"page_context":       pc,
	})
	u := "https://" + GetPageHost + GetPagePath + "?video_appid=3000010&vversion_name=8.5.96&vversion_platform=2&vdevice_guid=" + testGUID
	resp := call(t, s, http.MethodPost, u, header, string(body))
	return resp.StatusCode, gjson.ParseBytes(readBody(t, resp))
}

// episodeCard returns the pc_web_episode_list card's items (as
// "<title>:<vid>[:trailer]", by children_list position) and its tabs.
func episodeCard(t *testing.T, r gjson.Result) ([]string, []gjson.Result) {
	t.Helper()
	card := r.Get(`data.CardList.#(type=="pc_web_episode_list")`)
	if !card.Exists() {
		t.Fatalf("no episode card: %s", r.Raw)
	}
	children := card.Get("children_list").Map()
	items := make([]string, len(children))
	for k, c := range children {
		i, err := strconv.Atoi(k)
		if err != nil || i >= len(items) {
			t.Fatalf("children_list key %q", k)
		}
		p := c.Get("cards.0.params")
		items[i] = p.Get("title").String() + ":" + p.Get("vid").String()
		if p.Get("is_trailer").String() == "1" {
			items[i] += ":trailer"
		}
	}
	return items, gjson.Parse(card.Get("params.tabs").String()).Array()
}

func TestGetPage(t *testing.T) {
	s := newSite(t, Config{})
	status, first := getPage(t, s, Cid2026, "", "", jsonType)
	if status != http.StatusOK || first.Get("ret").Int() != 0 {
		t.Fatalf("%d %s", status, first.Raw)
	}
	intro := first.Get(`data.CardList.#(type=="pc_introduction").children_list.0.cards.0.params`)
	if intro.Get("title").String() != Title2026 || intro.Get("year").String() != Year2026 || intro.Get("cover_description").String() != Description2026 {
		t.Errorf("pc_introduction %s", intro.Raw)
	}
	items, tabs := episodeCard(t, first)
	if len(tabs) != 2 || !tabs[0].Get("selected").Bool() || tabs[1].Get("selected").Bool() {
		t.Fatalf("tabs %v", tabs)
	}
	_, more := getPage(t, s, Cid2026, "", tabs[1].Get("page_context").String(), jsonType)
	second, tabs2 := episodeCard(t, more)
	if !tabs2[1].Get("selected").Bool() {
		t.Errorf("the second reply's tabs %v", tabs2)
	}
	want := []string{"预告:" + Trailer2026Vid + ":trailer"}
	for _, n := range Series2026Numbers() {
		want = append(want, fmt.Sprintf("%d:%s", n, Series2026Vid(n)))
	}
	want = append(want, "13:")
	if got := fmt.Sprint(append(items, second...)); got != fmt.Sprint(want) {
		t.Errorf("items\n%v\nwant\n%v", got, want)
	}
	if len(items) != 6 {
		t.Errorf("the first tab holds %d items, want 6", len(items))
	}
	// The player opens the tab of the episode it plays.
	_, r := getPage(t, s, Cid2026, Preview2026Vid, "", jsonType)
	if _, tabs := episodeCard(t, r); !tabs[1].Get("selected").Bool() {
		t.Errorf("vid %s: tabs %v", Preview2026Vid, tabs)
	}
	if s.Calls("getpage") != 3 {
		t.Errorf("getpage counted %d", s.Calls("getpage"))
	}
	// The LongSeries in one tab.
	_, long := getPage(t, s, LongSeries, "", "", jsonType)
	items, tabs = episodeCard(t, long)
	if len(tabs) != 1 || len(items) != 13 || items[0] != "预告:"+LongSeriesVid(0)+":trailer" || items[12] != "12:"+LongSeriesVid(12) {
		t.Errorf("LongSeries: tabs %d, items %v", len(tabs), items)
	}
	if status, _ := getPage(t, s, Cid2026, "", "", nil); status != http.StatusBadRequest {
		t.Errorf("without Content-Type: %d", status)
	}
	if status, _ := getPage(t, newSite(t, Config{Legacy: true}), Cid2026, "", "", jsonType); status != http.StatusNotFound {
		t.Errorf("the site of 2022 has getPage: %d", status)
	}
}

// TestGetPageData: the fallback lists the same items, titled by episode,
// a page of 10 at a time; it wants a JSON Content-Type.
func TestGetPageData(t *testing.T) {
	s := newSite(t, Config{})
	page := func(cid, pc string, header http.Header) (int, gjson.Result) {
		body, _ := json.Marshal(map[string]any{"page_params": map[string]string{"cid": cid, "page_type": "detail_operation",
			"page_id": "vsite_episode_list", "id_type": "1", "page_size": "100", "lid": "0", "req_from": "web_mobile", "page_context": pc},
			"has_cache": 1})
		resp := call(t, s, http.MethodPost, "https://"+PageDataHost+PageDataPath+"?video_appid=3000010&vplatform=2", header, string(body))
		return resp.StatusCode, gjson.ParseBytes(readBody(t, resp))
	}
	titles := func(r gjson.Result) []string {
		var out []string
		r.Get("data.module_list_datas.0.module_datas.0.item_data_lists.item_datas.#.item_params").ForEach(func(_, p gjson.Result) bool {
			out = append(out, p.Get("title").String()+":"+p.Get("vid").String())
			return true
		})
		return out
	}
	tests := []struct {
		cid, pc string
		want    []string
	}{
		{LongSeries, "", []string{"预告:" + LongSeriesVid(0), "1:" + LongSeriesVid(1), "9:" + LongSeriesVid(9)}},
		{LongSeries, "episode_begin=11&episode_end=20&episode_step=10", []string{"10:" + LongSeriesVid(10), "12:" + LongSeriesVid(12)}},
		{Cid2026, "", []string{"预告:" + Trailer2026Vid, "5:" + Series2026Vid(5), "7:" + Series2026Vid(7), "10:" + Series2026Vid(10)}},
		{Cid2026, "episode_begin=11&episode_end=20&episode_step=10", []string{"11:" + Series2026Vid(11), "12:" + Series2026Vid(12), "13:"}},
	}
	for _, tt := range tests {
		status, r := page(tt.cid, tt.pc, jsonType)
		got := titles(r)
		for _, w := range tt.want {
			found := false
			for _, g := range got {
				found = found || g == w
			}
			if status != http.StatusOK || !found {
				t.Errorf("%s %q: %d, items %v lack %s", tt.cid, tt.pc, status, got, w)
			}
		}
	}
	if status, _ := page(LongSeries, "", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}); status != http.StatusBadRequest {
		t.Errorf("a form Content-Type: %d", status)
	}
}
