package qq

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/tidwall/gjson"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/request"
)

// GetPageData lists a series' items a page at a time (vqq.md §4, list 2).
const (
	pageDataURL = "https://pbaccess.video.qq.com/trpc.universal_backend_service.page_server_rpc.PageServer/GetPageData?video_appid=3000010&vplatform=2"
	// maxListPages bounds the paging: 100 pages of 100 are 10,000 items.
	maxListPages = 100
)

// seriesItem is one item of a series list.
type seriesItem struct {
	vid, title string
	trailer    bool
}

// series lists a cover's episodes: the page's own list, completed by
// GetPageData page by page (a page shows only its first items), trailers
// and items without a vid left out, numbered in episode order.
func (x *extractor) series(ctx context.Context, cid string, page *pageInfo) (*extractors.Playlist, error) {
	items, err := x.listItems(ctx, cid)
	switch {
	case err != nil && request.Retryable(err):
		// A fault must not change the result: a partial list would.
		return nil, fmt.Errorf("qq: series %s: episode list: %w", cid, err)
	case err != nil || len(items) == 0:
		x.log.Warn("the series' episode list could not be read; using the episodes its page shows", "series", cid, "err", err)
		items = nil
		for _, vid := range page.episodes {
			items = append(items, seriesItem{vid: vid})
		}
	}
	pl := &extractors.Playlist{Site: "qq", ID: cid, Title: page.seriesTitle()}
	for _, it := range items {
		switch {
		case it.vid == "":
			x.log.Info("left out an item without a video id", "series", cid, "title", it.title)
			continue
		case it.trailer:
			x.log.Info("left out a trailer", "series", cid, "vid", it.vid, "title", it.title)
			continue
		}
		pl.Entries = append(pl.Entries, extractors.Entry{URL: episodeURL(episode{vid: it.vid, cid: cid}), ID: it.vid,
			Title: it.title, Episode: len(pl.Entries) + 1})
	}
	if len(pl.Entries) == 0 {
		return nil, fmt.Errorf("%w: qq: series %s lists no episode", extractors.ErrNotFound, cid)
	}
	if pl.Title == "" {
		pl.Title = cid
	}
	return pl, nil
}

// listItems reads every page of GetPageData: the first, then each tab's
// page_context not read yet, items deduplicated by vid in list order.
func (x *extractor) listItems(ctx context.Context, cid string) ([]seriesItem, error) {
	var items []seriesItem
	seen := map[string]bool{}
	done := map[string]bool{}
	queue := []string{""}
	for len(queue) > 0 {
		pc := queue[0]
		queue = queue[1:]
		if done[pc] {
			continue
		}
		if len(done) >= maxListPages {
			return nil, fmt.Errorf("%w: the episode list has over %d pages", extractors.ErrAPIChanged, maxListPages)
		}
		done[pc] = true
		got, tabs, err := x.listPage(ctx, cid, pc)
		if err != nil {
			return nil, err
		}
		for _, it := range got {
			if it.vid != "" && seen[it.vid] {
				continue
			}
			seen[it.vid] = true
			items = append(items, it)
		}
		for _, t := range tabs {
			if !done[t] {
				queue = append(queue, t)
			}
		}
	}
	return items, nil
}

// listPage asks GetPageData for one page of a series' list.
func (x *extractor) listPage(ctx context.Context, cid, pageContext string) ([]seriesItem, []string, error) {
	body, err := json.Marshal(map[string]any{
		"page_params": map[string]string{"cid": cid, "page_type": "detail_operation", "page_id": "vsite_episode_list",
			"id_type": "1", "page_size": "100", "lid": "0", "req_from": "web_mobile", "page_context": pageContext},
		"has_cache": 1,
	})
	if err != nil {
		return nil, nil, err
	}
	raw, err := x.c.get(ctx, request.Spec{Method: http.MethodPost, URL: pageDataURL, Body: body, Header: http.Header{
		"Referer": {coverURL(cid)}, "Origin": {"https://v.qq.com"}, "Content-Type": {"application/json"},
	}})
	if err != nil {
		return nil, nil, fmt.Errorf("GetPageData: %w", err)
	}
	if !gjson.ValidBytes(raw) {
		return nil, nil, fmt.Errorf("%w: GetPageData: the reply is not JSON", extractors.ErrAPIChanged)
	}
	r := gjson.ParseBytes(raw)
	if ret := r.Get("ret").Int(); ret != 0 {
		return nil, nil, fmt.Errorf("%w: GetPageData: ret %d (%s)", extractors.ErrAPIChanged, ret, r.Get("msg").String())
	}
	var items []seriesItem
	var tabs []string
	r.Get("data.module_list_datas").ForEach(func(_, mld gjson.Result) bool {
		mld.Get("module_datas").ForEach(func(_, md gjson.Result) bool {
			md.Get("item_data_lists.item_datas").ForEach(func(_, it gjson.Result) bool {
				p := it.Get("item_params")
				title := p.Get("play_title").String()
				if title == "" {
					title = p.Get("union_title").String()
				}
				items = append(items, seriesItem{vid: p.Get("vid").String(), title: title, trailer: p.Get("is_trailer").String() == "1"})
				return true
			})
			gjson.Parse(md.Get("module_params.tabs").String()).ForEach(func(_, t gjson.Result) bool {
				if pc := t.Get("page_context").String(); pc != "" {
					tabs = append(tabs, pc)
				}
				return true
			})
			return true
		})
		return true
	})
	return items, tabs, nil
}
