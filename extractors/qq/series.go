package qq

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

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
	vid     string
	title   string // what the list shows: play_title, union_title, else title
	number  int    // the episode number the item's title states, 0 if none
	trailer bool
}

// listSource is one way of listing a series' items.
type listSource struct {
	name string
	list func(ctx context.Context) ([]seriesItem, error)
}

// series lists a cover's episodes from the first source that answers:
// getPage, then GetPageData, then what the page itself lists. A network
// failure after retries fails the series, since a fault must not change
// the result (a shorter list would); a refusal or a changed reply hands
// over to the next source. An item whose title is a number is that
// episode (gaps stay); others are kept unnumbered; trailers and items
// without a vid are left out.
func (x *extractor) series(ctx context.Context, cid string, page *pageInfo) (*extractors.Playlist, error) {
	if page == nil {
		page = &pageInfo{}
	}
	show := page.show()
	guid := newDeviceGUID()
	sources := []listSource{
		{name: "getPage", list: func(ctx context.Context) ([]seriesItem, error) {
			items, intro, err := x.getPageList(ctx, cid, page.firstVid(), guid)
			if intro.Exists() {
				if show == nil {
					show = &extractors.Show{}
				}
				fillShow(show, intro)
			}
			return items, err
		}},
		{name: "GetPageData", list: func(ctx context.Context) ([]seriesItem, error) { return x.listItems(ctx, cid) }},
		{name: "the page", list: func(context.Context) ([]seriesItem, error) { return page.items, nil }},
	}
	var items []seriesItem
	for _, src := range sources {
		got, err := src.list(ctx)
		if err == nil && !anyVid(got) {
			err = fmt.Errorf("%w: %s: no item with a vid", extractors.ErrAPIChanged, src.name)
		}
		switch {
		case ctx.Err() != nil:
			return nil, fmt.Errorf("qq: series %s: episode list: %w", cid, ctx.Err())
		case err != nil && request.Retryable(err):
			return nil, fmt.Errorf("qq: series %s: episode list (%s): %w", cid, src.name, err)
		case err != nil:
			x.log.Warn("the series' episode list could not be read; trying the next source", "series", cid, "source", src.name, "err", err)
			continue
		}
		x.log.Debug("episode list", "series", cid, "source", src.name, "items", len(got))
		items = got
		break
	}
	pl := &extractors.Playlist{Site: "qq", ID: cid, Title: page.seriesTitle(), Show: show}
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
			Title: it.title, Episode: it.number})
	}
	if len(pl.Entries) == 0 {
		return nil, fmt.Errorf("%w: qq: series %s lists no episode", extractors.ErrNotFound, cid)
	}
	if pl.Title == "" && show != nil {
		pl.Title = show.Title
	}
	if pl.Title == "" {
		pl.Title = cid
	}
	return pl, nil
}

func anyVid(items []seriesItem) bool {
	for _, it := range items {
		if it.vid != "" {
			return true
		}
	}
	return false
}

// titleNumber is the episode number a title states: the title when it is
// a decimal number ("7", "07"), else 0.
func titleNumber(title string) int {
	t := strings.TrimSpace(title)
	if t == "" || len(t) > 6 || !allDigits(t) {
		return 0
	}
	n, _ := strconv.Atoi(t)
	return n
}

// dedupe keeps each vid's first item, in order; items without a vid all
// stay (they are reported, then left out).
func dedupe(items []seriesItem) []seriesItem {
	seen := map[string]bool{}
	out := items[:0:0]
	for _, it := range items {
		if it.vid != "" {
			if seen[it.vid] {
				continue
			}
			seen[it.vid] = true
		}
		out = append(out, it)
	}
	return out
}

// listItems reads every page of GetPageData: the first, then each tab's
// page_context not read yet, items deduplicated by vid in list order.
func (x *extractor) listItems(ctx context.Context, cid string) ([]seriesItem, error) {
	var items []seriesItem
	done := map[string]bool{}
	queue := []string{""}
	for len(queue) > 0 {
		pc := queue[0]
		queue = queue[1:]
		if done[pc] {
			continue
		}
		if len(done) >= maxListPages {
			return nil, fmt.Errorf("%w: GetPageData: the episode list has over %d pages", extractors.ErrAPIChanged, maxListPages)
		}
		done[pc] = true
		got, tabs, err := x.listPage(ctx, cid, pc)
		if err != nil {
			return nil, err
		}
		items = append(items, got...)
		for _, t := range tabs {
			if !done[t] {
				queue = append(queue, t)
			}
		}
	}
	return dedupe(items), nil
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
	raw, err := x.c.get(ctx, request.Spec{Method: http.MethodPost, URL: pageDataURL, Body: body, Header: listHeader(cid)})
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
	mlds := r.Get("data.module_list_datas")
	if !mlds.IsArray() {
		return nil, nil, fmt.Errorf("%w: GetPageData: no data.module_list_datas", extractors.ErrAPIChanged)
	}
	var items []seriesItem
	var tabs []string
	var tabErr error
	mlds.ForEach(func(_, mld gjson.Result) bool {
		mld.Get("module_datas").ForEach(func(_, md gjson.Result) bool {
			md.Get("item_data_lists.item_datas").ForEach(func(_, it gjson.Result) bool {
				items = append(items, apiItem(it.Get("item_params")))
				return true
			})
			if ts := md.Get("module_params.tabs").String(); ts != "" {
				if !gjson.Valid(ts) {
					tabErr = fmt.Errorf("%w: GetPageData: module_params.tabs is not JSON", extractors.ErrAPIChanged)
				}
				gjson.Parse(ts).ForEach(func(_, t gjson.Result) bool {
					if pc := t.Get("page_context").String(); pc != "" {
						tabs = append(tabs, pc)
					}
					return true
				})
			}
			return true
		})
		return true
	})
	return items, tabs, tabErr
}

// apiItem reads an episode item of getPage or GetPageData: vid, title
// (the number), play_title/union_title (the name), is_trailer.
func apiItem(p gjson.Result) seriesItem {
	title := strings.TrimSpace(p.Get("title").String())
	return seriesItem{vid: matchVid(p.Get("vid").String()), number: titleNumber(title), trailer: stateFlag(p.Get("is_trailer")),
		title: cmp.Or(strings.TrimSpace(p.Get("play_title").String()), strings.TrimSpace(p.Get("union_title").String()), title)}
}

// listHeader is what the list APIs want: the cover as Referer, the
// site's Origin, and a JSON body type (GetPageData answers 400 without).
func listHeader(cid string) http.Header {
	return http.Header{"Referer": {coverURL(cid)}, "Origin": {"https://v.qq.com"}, "Content-Type": {"application/json"}}
}
