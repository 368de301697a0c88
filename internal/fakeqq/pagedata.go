package fakeqq

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// PageDataHost and PageDataPath are GetPageData's endpoint (vqq.md §4).
const (
	PageDataHost = "pbaccess.video.qq.com"
	PageDataPath = "/trpc.universal_backend_service.page_server_rpc.PageServer/GetPageData"
	// pageDataSize is how many items one reply holds, whatever is asked:
	// the rest are reached through the tabs' page_context.
	pageDataSize = 10
)

// servePageData answers a GetPageData POST for a series: one page of its
// items (title: the episode number, "预告" for a trailer), and the tabs
// that name every page. A body not declared JSON gets 400.
func (s *Site) servePageData(w http.ResponseWriter, r *http.Request) {
	var req struct {
		PageParams struct {
			Cid         string `json:"cid"`
			PageContext string `json:"page_context"`
		} `json:"page_params"`
	}
	if r.Method != http.MethodPost || !isJSON(r) || json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&req) != nil {
		http.Error(w, "fakeqq: GetPageData wants a JSON POST (Content-Type: application/json)", http.StatusBadRequest)
		return
	}
	sr := s.series[req.PageParams.Cid]
	if sr == nil {
		fmt.Fprint(w, `{"ret":0,"msg":"","data":{"module_list_datas":[]}}`)
		return
	}
	begin := 1
	if req.PageParams.PageContext != "" {
		v, err := url.ParseQuery(req.PageParams.PageContext)
		if b, perr := strconv.Atoi(v.Get("episode_begin")); err != nil || perr != nil || b < 1 {
			fmt.Fprint(w, `{"ret":1001,"msg":"bad page_context"}`)
			return
		} else {
			begin = b
		}
	}
	type tab struct {
		Begin       int    `json:"begin"`
		End         int    `json:"end"`
		Selected    bool   `json:"selected"`
		PageContext string `json:"page_context"`
	}
	var tabs []tab
	for b := 1; b <= len(sr.Items); b += pageDataSize {
		e := min(b+pageDataSize-1, len(sr.Items))
		tabs = append(tabs, tab{Begin: b, End: e, Selected: b == begin,
			PageContext: fmt.Sprintf("episode_begin=%d&episode_end=%d&episode_step=%d", b, e, pageDataSize)})
	}
	var items []map[string]any
	for i := begin - 1; i < len(sr.Items) && i < begin-1+pageDataSize; i++ {
		it := sr.Items[i]
		items = append(items, map[string]any{"item_id": it.Vid, "item_type": "1", "item_params": itemParams(sr, it)})
	}
	tabJSON := mustJSON(tabs)
	reply := map[string]any{"ret": 0, "msg": "", "data": map[string]any{"module_list_datas": []any{
		map[string]any{"module_datas": []any{map[string]any{
			"module_params":   map[string]string{"tabs": tabJSON},
			"item_data_lists": map[string]any{"item_datas": items},
		}}},
	}}}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintln(w, mustJSON(reply))
}
