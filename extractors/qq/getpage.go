package qq

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"

	"github.com/tidwall/gjson"
	"golang.org/x/sync/errgroup"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/request"
)

// getPage is the 2026 web page's episode list (vqq.md §4, list 3): one
// request per tab of the pc_web_episode_list card.
const (
	getPageURL = "https://pbaccess.video.qq.com/trpc.vector_layout.page_view.PageService/getPage?video_appid=3000010&vversion_name=8.5.96&vversion_platform=2&vdevice_guid="
	// maxTabs bounds the paging: real tabs hold 30 to 100 items.
	maxTabs = 100
	// tabsAtOnce is how many tabs are asked for at a time.
	tabsAtOnce = 4
)

// pageTab is one tab of an episode list: a range of episodes and the
// page_context that asks for it.
type pageTab struct {
	begin, end int
	selected   bool
	context    string
}

// getPageReply is what one getPage reply says.
type getPageReply struct {
	items []seriesItem // the tab's items, in position order
	tabs  []pageTab    // every tab, by begin
	intro gjson.Result // pc_introduction's cover params, if any
}

// getPageList lists a cover through getPage: the first reply holds the
// selected tab and names the others, each one more request. Items come
// in tab order, deduplicated by vid. intro is the first reply's
// pc_introduction, returned even when a later tab fails.
func (x *extractor) getPageList(ctx context.Context, cid, vid, guid string) (items []seriesItem, intro gjson.Result, err error) {
	first, err := x.getPage(ctx, cid, vid, guid, "")
	if err != nil {
		return nil, gjson.Result{}, err
	}
	if len(first.tabs) == 0 {
		return dedupe(first.items), first.intro, nil
	}
	if len(first.tabs) > maxTabs {
		return nil, first.intro, fmt.Errorf("%w: getPage: %d tabs, more than %d", extractors.ErrAPIChanged, len(first.tabs), maxTabs)
	}
	// The first reply's items are the (first) selected tab's; every
	// other tab needs its page_context.
	lists := make([][]seriesItem, len(first.tabs))
	sel := slices.IndexFunc(first.tabs, func(t pageTab) bool { return t.selected })
	for i, t := range first.tabs {
		if i != sel && t.context == "" {
			return nil, first.intro, fmt.Errorf("%w: getPage: tab %d-%d has no page_context", extractors.ErrAPIChanged, t.begin, t.end)
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(tabsAtOnce)
	for i, t := range first.tabs {
		if i == sel {
			lists[i] = first.items
			continue
		}
		g.Go(func() error {
			r, err := x.getPage(gctx, cid, vid, guid, t.context)
			if err != nil {
				return fmt.Errorf("tab %d-%d: %w", t.begin, t.end, err)
			}
			lists[i] = r.items
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, first.intro, err
	}
	for _, l := range lists {
		items = append(items, l...)
	}
	return dedupe(items), first.intro, nil
}

// getPageRequest is getPage's body, in the web page's key order.
type getPageRequest struct {
	PageParams struct {
		ReqFrom  string `json:"req_from"`
		Cid      string `json:"cid"`
		Vid      string `json:"vid"`
		PageType string `json:"page_type"`
		PageID   string `json:"page_id"`
		IDType   string `json:"id_type"`
	} `json:"page_params"`
	PageBypassParams struct {
		Params struct {
			CallerID   string `json:"caller_id"`
			PlatformID string `json:"platform_id"`
		} `json:"params"`
		Scene string `json:"scene"`
	} `json:"page_bypass_params"`
	PageContext map[string]string `json:"page_context"`
}

// getPage asks for one tab: pageContext is the tab's query string, ""
// for the first request.
func (x *extractor) getPage(ctx context.Context, cid, vid, guid, pageContext string) (*getPageReply, error) {
	var req getPageRequest
	req.PageParams.ReqFrom, req.PageParams.Cid, req.PageParams.Vid = "web_vsite", cid, vid
	req.PageParams.PageType, req.PageParams.PageID, req.PageParams.IDType = "detail_operation", "vsite_episode_list", "1"
	req.PageBypassParams.Params.CallerID, req.PageBypassParams.Params.PlatformID = "3000010", "2"
	req.PageBypassParams.Scene = "desk_detail"
	req.PageContext = map[string]string{}
	if pageContext != "" {
		q, err := url.ParseQuery(pageContext)
		if err != nil {
			return nil, fmt.Errorf("%w: getPage: a tab's page_context %q: %w", extractors.ErrAPIChanged, pageContext, err)
		}
		for k, v := range q {
			req.PageContext[k] = v[0]
		}
	}
	body, err := json.Marshal(&req)
	if err != nil {
		return nil, err
	}
	raw, err := x.c.get(ctx, request.Spec{Method: http.MethodPost, URL: getPageURL + guid, Body: body, Header: listHeader(cid)})
	if err != nil {
		return nil, fmt.Errorf("getPage: %w", err)
	}
	return decodeGetPage(raw)
}

// decodeGetPage reads a getPage reply: the pc_web_episode_list card's
// tabs (a JSON string) and children (keyed by position), and the
// pc_introduction card's params. A reply of another shape is
// ErrAPIChanged naming the field.
func decodeGetPage(raw []byte) (*getPageReply, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%w: getPage: %s", extractors.ErrAPIChanged, fmt.Sprintf(format, args...))
	}
	if !gjson.ValidBytes(raw) {
		return nil, fail("the reply is not JSON")
	}
	r := gjson.ParseBytes(raw)
	if ret := r.Get("ret").Int(); ret != 0 {
		return nil, fail("ret %d (%s)", ret, r.Get("msg").String())
	}
	cards := r.Get("data.CardList")
	if !cards.IsArray() {
		return nil, fail("no data.CardList")
	}
	rep := &getPageReply{}
	var list gjson.Result
	cards.ForEach(func(_, c gjson.Result) bool {
		switch c.Get("type").String() {
		case "pc_web_episode_list":
			if !list.Exists() {
				list = c
			}
		case "pc_introduction":
			if !rep.intro.Exists() {
				rep.intro = c.Get("children_list.0.cards.0.params")
			}
		}
		return true
	})
	if !list.Exists() {
		return nil, fail("no pc_web_episode_list card in data.CardList")
	}
	var err error
	if rep.tabs, err = decodeTabs(list.Get("params.tabs")); err != nil {
		return nil, fail("pc_web_episode_list.params.tabs: %v", err)
	}
	children := list.Get("children_list")
	if !children.IsObject() && !children.IsArray() {
		return nil, fail("no pc_web_episode_list.children_list")
	}
	type child struct {
		pos int
		v   gjson.Result
	}
	var kids []child
	children.ForEach(func(k, v gjson.Result) bool {
		pos := len(kids)
		if children.IsObject() {
			if pos, err = strconv.Atoi(k.String()); err != nil || pos < 0 {
				err = fmt.Errorf("key %q is not a position", k.String())
				return false
			}
		}
		kids = append(kids, child{pos, v})
		return true
	})
	if err != nil {
		return nil, fail("pc_web_episode_list.children_list: %v", err)
	}
	sort.SliceStable(kids, func(i, j int) bool { return kids[i].pos < kids[j].pos })
	for _, k := range kids {
		rep.items = append(rep.items, apiItem(k.v.Get("cards.0.params")))
	}
	return rep, nil
}

// decodeTabs reads the tabs: a JSON string holding a list (an absent or
// empty one is a list of one tab, read already).
func decodeTabs(r gjson.Result) ([]pageTab, error) {
	if r.Type == gjson.String {
		if r.Str == "" {
			return nil, nil
		}
		if !gjson.Valid(r.Str) {
			return nil, fmt.Errorf("not JSON")
		}
		r = gjson.Parse(r.Str)
	}
	if !r.Exists() || r.Type == gjson.Null {
		return nil, nil
	}
	if !r.IsArray() {
		return nil, fmt.Errorf("not a list")
	}
	var tabs []pageTab
	r.ForEach(func(_, t gjson.Result) bool {
		tabs = append(tabs, pageTab{begin: int(t.Get("begin").Int()), end: int(t.Get("end").Int()),
			selected: stateFlag(t.Get("selected")), context: t.Get("page_context").String()})
		return true
	})
	sort.SliceStable(tabs, func(i, j int) bool { return tabs[i].begin < tabs[j].begin })
	return tabs, nil
}

// newDeviceGUID is getPage's vdevice_guid: 16 random hex digits, as the
// web page makes it.
func newDeviceGUID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
