package qq

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/request"
)

const (
	getPagePath  = "/trpc.vector_layout.page_view.PageService/getPage"
	pageDataPath = "/trpc.universal_backend_service.page_server_rpc.PageServer/GetPageData"
	gapCover     = "https://v.qq.com/x/cover/mzc00200gap2026.html"
)

// pageDataReply is a GetPageData reply (shaped as vqq.md §4 shows it,
// reconstructed): items "vid|title|play_title[|is_trailer]", and tabs
// naming the pages.
func pageDataReply(tabs []string, items ...string) string {
	var its []string
	for _, it := range items {
		parts := strings.Split(it, "|")
		tr := "0"
		if len(parts) > 3 {
			tr = parts[3]
		}
		its = append(its, fmt.Sprintf(`{"item_params":{"vid":%q,"title":%q,"play_title":%q,"is_trailer":%q}}`, parts[0], parts[1], parts[2], tr))
	}
	var ts []string
	for _, t := range tabs {
		ts = append(ts, fmt.Sprintf(`{\"page_context\":\"%s\"}`, t))
	}
	return fmt.Sprintf(`{"ret":0,"data":{"module_list_datas":[{"module_datas":[{"module_params":{"tabs":"[%s]"},"item_data_lists":{"item_datas":[%s]}}]}]}}`,
		strings.Join(ts, ","), strings.Join(its, ","))
}

// listAPIs answers getPage (by its page_context's episode_begin, "" for
// the first request) and GetPageData (by its page_context string) and
// records the list requests' bodies; replies are fixture files under
// testdata/, literal JSON, or "status:N".
type listAPIs struct {
	t        *testing.T
	getPage  map[string]string
	pageData map[string]string
	other    func(*http.Request) (int, string)

	mu     sync.Mutex
	bodies []map[string]any // getPage request bodies
}

func (l *listAPIs) route(r *http.Request) (int, string) {
	if r.URL.Host != "pbaccess.video.qq.com" {
		return l.other(r)
	}
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(raw, &body) != nil {
		return 400, "bad request"
	}
	var key string
	var replies map[string]string
	switch r.URL.Path {
	case getPagePath:
		l.mu.Lock()
		l.bodies = append(l.bodies, body)
		l.mu.Unlock()
		pc, _ := body["page_context"].(map[string]any)
		key, _ = pc["episode_begin"].(string)
		replies = l.getPage
	case pageDataPath:
		pp, _ := body["page_params"].(map[string]any)
		key, _ = pp["page_context"].(string)
		replies = l.pageData
	default:
		return 404, "not found"
	}
	reply, ok := replies[key]
	switch code, isStatus := strings.CutPrefix(reply, "status:"); {
	case !ok:
		return 404, "not found"
	case isStatus:
		var n int
		fmt.Sscan(code, &n)
		return n, "error"
	case strings.HasPrefix(reply, "{"):
		return 200, reply
	}
	return 200, string(loadReply(l.t, reply))
}

func TestSeriesList(t *testing.T) {
	const cover = "https://v.qq.com/x/cover/7ce5noezvafma27.html"
	tabs := []string{"episode_begin=1&episode_end=3", "episode_begin=4&episode_end=5"}
	first := pageDataReply(tabs, "t00trailer0|预告|预告片|1", "a00269ix3l8|1|第01集", "b00269ix3l9|2|第02集")
	second := pageDataReply(tabs, "c00269ix3l1|3|第03集", "|4|no vid", "a00269ix3l8|1|第01集")
	refused := map[string]string{"": `{"ret":-1,"msg":"gone"}`}
	tests := []struct {
		name     string
		url      string
		mode     extractors.PlaylistMode
		getPage  map[string]string
		pageData map[string]string
		want     []string // "vid episode title"
		wantErr  func(error) bool
	}{
		{name: "GetPageData paged, trailer and vid-less item left out", url: cover, getPage: refused,
			pageData: map[string]string{"": first, tabs[0]: first, tabs[1]: second},
			want:     []string{"a00269ix3l8 1 第01集", "b00269ix3l9 2 第02集", "c00269ix3l1 3 第03集"}},
		{name: "an episode URL with --yes-playlist", url: "https://v.qq.com/x/cover/7ce5noezvafma27/b00269ix3l9.html", mode: extractors.PlaylistYes,
			getPage: refused, pageData: map[string]string{"": first, tabs[0]: first, tabs[1]: second},
			want: []string{"a00269ix3l8 1 第01集", "b00269ix3l9 2 第02集", "c00269ix3l1 3 第03集"}},
		{name: "both list APIs changed: the page's episodes", url: cover, getPage: refused, pageData: refused,
			want: []string{"a00269ix3l8 1 鸡毛飞上天 第01集", "b00269ix3l9 2 "}},
		{name: "GetPageData fails after retries: an error, not a shorter series", url: cover, getPage: refused,
			pageData: map[string]string{"": first, tabs[0]: first, tabs[1]: "status:503"}, wantErr: request.Retryable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := routes(t, map[string]string{"v.qq.com/x/cover/7ce5noezvafma27.html": "f5-cover.html"})
			apis := &listAPIs{t: t, getPage: tt.getPage, pageData: tt.pageData, other: base}
			res, err := extractResult(&replay{t: t, route: apis.route}, tt.url, tt.mode)
			if tt.wantErr != nil {
				if err == nil || !tt.wantErr(err) {
					t.Fatalf("got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.Playlist == nil {
				t.Fatalf("no playlist: %+v", res)
			}
			var got []string
			for _, e := range res.Playlist.Entries {
				got = append(got, fmt.Sprintf("%s %d %s", e.ID, e.Episode, e.Title))
				if !strings.HasSuffix(e.URL, "/7ce5noezvafma27/"+e.ID+".html") {
					t.Errorf("entry URL %s", e.URL)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") || res.Playlist.Title != "鸡毛飞上天" {
				t.Errorf("entries:\n%s\nwant:\n%s\n(title %q)", strings.Join(got, "\n"), strings.Join(tt.want, "\n"), res.Playlist.Title)
			}
		})
	}
}

// TestSeriesGetPage lists the 2026 cover: getPage first (two tabs, a
// numbering gap, a trailer, a special and a vid-less item), then
// GetPageData, then the page's own list, as each source fails.
func TestSeriesGetPage(t *testing.T) {
	tab1, tab2 := filepath.Join("pages", "getpage-tab1.json"), filepath.Join("pages", "getpage-tab2.json")
	gap := "1 2 3 4 5 0 7 8 9 10 11 12"
	unselected := strings.ReplaceAll(string(loadReply(t, tab1)), `\"selected\":true`, `\"selected\":false`)
	var many []string
	for i := 1; i <= maxTabs+1; i++ {
		many = append(many, fmt.Sprintf(`{\"begin\":%d,\"end\":%d,\"page_context\":\"episode_begin=%d\"}`, i, i, i))
	}
	tooMany := `{"ret":0,"data":{"CardList":[{"type":"pc_web_episode_list","params":{"tabs":"[` + strings.Join(many, ",") +
		`]"},"children_list":{"0":{"cards":[{"params":{"vid":"k4100gap001","title":"1"}}]}}}]}}`
	fromPageData := map[string]string{"": pageDataReply(nil, "k4100gap001|1|第1集", "k4100gap007|7|第7集")}
	tests := []struct {
		name     string
		page     string // literal HTML; "" for the cover page's fixture
		getPage  map[string]string
		pageData map[string]string
		golden   string
		numbers  string // the entries' Episode
		requests int    // getPage requests
		wantErr  func(error) bool
	}{
		{name: "getPage", getPage: map[string]string{"": tab1, "7": tab2}, golden: "series-getpage", numbers: gap, requests: 2},
		{name: "getPage refused: GetPageData", getPage: map[string]string{"": "status:400"},
			pageData: map[string]string{"": pageDataReply(nil, "k4100gap001|1|第1集", "k4100gap002|2|第2集", "t4100gap0tr|预告|预告|1", "k4100gap007|7|第7集")},
			golden:   "series-getpagedata", numbers: "1 2 7", requests: 1},
		{name: "a later tab changed: GetPageData, not a partial list", getPage: map[string]string{"": tab1, "7": `{"ret":0,"data":{}}`},
			pageData: fromPageData, numbers: "1 7", requests: 2},
		{name: "no tab selected: every tab asked for", getPage: map[string]string{"": unselected, "1": tab1, "7": tab2}, numbers: gap, requests: 3},
		{name: "more tabs than the bound: GetPageData", getPage: map[string]string{"": tooMany}, pageData: fromPageData, numbers: "1 7", requests: 1},
		{name: "both APIs refuse: the page's list", getPage: map[string]string{"": `{"ret":-1}`}, pageData: map[string]string{"": "status:403"},
			golden: "series-page", numbers: "1 2 3 4 5 0", requests: 1},
		{name: "a page without state: the Show from pc_introduction", page: `<meta property="og:title" content="缺口之城_腾讯视频">`,
			getPage: map[string]string{"": tab1, "7": tab2}, golden: "series-getpage-intro", numbers: gap, requests: 2},
		{name: "a tab fails after retries: an error", getPage: map[string]string{"": tab1, "7": "status:503"}, wantErr: request.Retryable},
		{name: "getPage fails after retries: an error", getPage: map[string]string{"": "status:502"}, wantErr: request.Retryable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := tt.page // literal HTML
			if page == "" {
				page = filepath.Join("pages", "cover-2026.html")
			}
			apis := &listAPIs{t: t, getPage: tt.getPage, pageData: tt.pageData,
				other: routes(t, map[string]string{"v.qq.com/x/cover/mzc00200gap2026.html": page})}
			rp := &replay{t: t, route: apis.route}
			res, err := extractResult(rp, gapCover, extractors.PlaylistAuto)
			if tt.wantErr != nil {
				if err == nil || !tt.wantErr(err) || res != nil {
					t.Fatalf("got %+v, %v", res, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			pl := res.Playlist
			var numbers []string
			for _, e := range pl.Entries {
				numbers = append(numbers, fmt.Sprint(e.Episode))
			}
			if strings.Join(numbers, " ") != tt.numbers || pl.Title != "缺口之城" || pl.Show == nil || pl.Show.Year != 2026 {
				t.Errorf("numbers %v (want %s), title %q, show %+v", numbers, tt.numbers, pl.Title, pl.Show)
			}
			if tt.page != "" && (len(pl.Show.Cast) != 3 || pl.Show.Fanart != "" || pl.Show.Type != "电视剧") {
				t.Errorf("show %+v: want pc_introduction's fields", pl.Show)
			}
			if tt.golden != "" {
				// Not pl itself: Playlist's JSON (the -J output) leaves Show out.
				pagesGolden(t, tt.golden, map[string]any{"id": pl.ID, "title": pl.Title, "show": pl.Show, "entries": pl.Entries})
			}
			vid := "k4100gap001" // the page's current one
			if tt.page != "" {
				vid = ""
			}
			checkGetPageRequests(t, rp, apis, tt.requests, vid)
		})
	}
}

// checkGetPageRequests: headers, one device guid, the body of the
// contract, the first request with the page's vid and {} as context,
// the next with the tab's page_context as an object.
func checkGetPageRequests(t *testing.T, rp *replay, apis *listAPIs, n int, vid string) {
	t.Helper()
	reqs := rp.requests("pbaccess.video.qq.com", getPagePath)
	if len(reqs) != n || len(apis.bodies) != n {
		t.Fatalf("%d getPage requests, want %d", len(reqs), n)
	}
	guid := reqs[0].URL.Query().Get("vdevice_guid")
	for _, r := range reqs {
		q := r.URL.Query()
		if r.Header.Get("Referer") != gapCover || r.Header.Get("Origin") != "https://v.qq.com" || r.Header.Get("Content-Type") != "application/json" ||
			q.Get("vdevice_guid") != guid || len(guid) != 16 || q.Get("video_appid") != "3000010" || q.Get("vversion_name") != "8.5.96" {
			t.Errorf("request %s with %v", r.URL, r.Header)
		}
	}
	for i, b := range apis.bodies {
		pp, _ := b["page_params"].(map[string]any)
		bp, _ := b["page_bypass_params"].(map[string]any)
		pc, _ := b["page_context"].(map[string]any)
		if pp["cid"] != "mzc00200gap2026" || pp["vid"] != vid || pp["req_from"] != "web_vsite" || pp["page_id"] != "vsite_episode_list" ||
			bp["scene"] != "desk_detail" || pc == nil {
			t.Errorf("body %d: %v", i, b)
		}
		if begin, _ := pc["episode_begin"].(string); (begin == "") != (len(pc) == 0) || begin != "" && (pc["cid"] != "mzc00200gap2026" || pc["page_size"] != "6" || pc["req_from"] != "web_vsite") {
			t.Errorf("body %d page_context %v", i, pc)
		}
	}
}
