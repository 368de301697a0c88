package fakeqq

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// getPage (vqq.md §4, list 3): the list the 2026 player reads, as cards.
// Its pc_web_episode_list card holds one tab's items (children_list keys
// are positions within the tab) and every tab's page_context; the first
// request gets the selected tab, each other tab is one more request.
const (
	GetPageHost = PageDataHost
	GetPagePath = "/trpc.vector_layout.page_view.PageService/getPage"
)

// tab26 is one getPage tab: items [begin, end] of the list, 1-based.
type tab26 struct {
	Begin       int    `json:"begin"`
	End         int    `json:"end"`
	Selected    bool   `json:"selected"`
	PageContext string `json:"page_context"`
}

// tabs splits a series' items at TabEnds (one tab without).
func (sr *Series) tabs() []tab26 {
	var tabs []tab26
	b := 1
	for page, e := range append(slices.Clone(sr.TabEnds), len(sr.Items)) {
		tabs = append(tabs, tab26{Begin: b, End: e, PageContext: fmt.Sprintf(
			"cid=%s&episode_begin=%d&episode_end=%d&page_num=%d&page_size=%d&id_type=1&req_from=web_vsite", sr.Cid, b, e, page, e-b+1)})
		b = e + 1
	}
	return tabs
}

// isJSON says a request declares a JSON body (both list APIs want it).
func isJSON(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/json"
}

func (s *Site) serveGetPage(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Legacy {
		http.NotFound(w, r) // the site of 2022 had no getPage
		return
	}
	var req struct {
		PageParams  map[string]string `json:"page_params"`
		PageContext map[string]string `json:"page_context"`
	}
	if r.Method != http.MethodPost || !isJSON(r) || json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&req) != nil {
		http.Error(w, "fakeqq: getPage wants a JSON POST (Content-Type: application/json)", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	p := req.PageParams
	if r.URL.Query().Get("video_appid") != "3000010" || p["page_id"] != "vsite_episode_list" ||
		p["page_type"] != "detail_operation" || p["req_from"] != "web_vsite" {
		fmt.Fprint(w, `{"ret":-3,"msg":"invalid request params","data":null}`)
		return
	}
	sr := s.series[p["cid"]]
	if sr == nil {
		fmt.Fprint(w, `{"ret":0,"msg":"","data":{"CardList":[]}}`)
		return
	}
	tabs := sr.tabs()
	sel := 0
	if b := req.PageContext["episode_begin"]; b != "" {
		sel = slices.IndexFunc(tabs, func(t tab26) bool { return strconv.Itoa(t.Begin) == b })
		if sel < 0 {
			fmt.Fprint(w, `{"ret":1001,"msg":"bad page_context","data":null}`)
			return
		}
	} else if i := slices.IndexFunc(sr.Items, func(it Item) bool { return it.Vid != "" && it.Vid == p["vid"] }); i >= 0 {
		// The player opens the tab of the episode it plays.
		sel = slices.IndexFunc(tabs, func(t tab26) bool { return t.Begin <= i+1 && i+1 <= t.End })
	}
	tabs[sel].Selected = true
	tabJSON := mustJSON(tabs)
	children := map[string]any{}
	for i, it := range sr.Items[tabs[sel].Begin-1 : tabs[sel].End] {
		children[strconv.Itoa(i)] = map[string]any{"cards": []any{map[string]any{"type": "pc_web_episode_item",
			"id": it.Vid, "params": itemParams(sr, it)}}}
	}
	intro := map[string]any{"title": sr.Title, "year": sr.Year, "cover_description": sr.Description,
		"type_name": sr.TypeName, "leading_actor": strings.Join(sr.Actors, ","), "main_genres": strings.Join(sr.Genres, ","), "new_pic_vt": sr.Poster,
		"new_pic_hz": sr.Fanart, "cid": sr.Cid, "episode_all": strconv.Itoa(len(sr.vids()))}
	reply := map[string]any{"ret": 0, "msg": "", "data": map[string]any{"CardList": []any{
		map[string]any{"type": "pc_introduction", "id": "intro", "params": map[string]string{"cid": sr.Cid},
			"children_list": map[string]any{"0": map[string]any{"cards": []any{map[string]any{"type": "pc_intro_detail", "params": intro}}}}},
		map[string]any{"type": "pc_web_episode_list", "id": "episode", "params": map[string]string{"tabs": tabJSON, "cid": sr.Cid},
			"children_list": children},
		// Another series' card: its vids are not this series' episodes.
		map[string]any{"type": "pc_web_recommend", "id": "recommend", "children_list": map[string]any{"0": map[string]any{
			"cards": []any{map[string]any{"params": map[string]string{"vid": LongSeriesVid(1), "cid": LongSeries,
				"title": LongSeriesTitle, "is_trailer": "0"}}}}}},
	}}}
	fmt.Fprintln(w, mustJSON(reply))
}

// itemParams are an item's params in both list APIs.
func itemParams(sr *Series, it Item) map[string]string {
	trailer := "0"
	if it.Trailer {
		trailer = "1"
	}
	return map[string]string{"vid": it.Vid, "title": it.Title, "play_title": it.PlayTitle, "union_title": it.PlayTitle,
		"is_trailer": trailer, "cid": sr.Cid, "image_url": Thumb2026(it.Vid)}
}
