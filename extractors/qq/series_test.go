package qq

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/request"
)

// pageDataReply is a GetPageData reply (shaped as vqq.md §4 shows it,
// reconstructed): items, and tabs naming the pages.
func pageDataReply(tabs []string, items ...string) string {
	var its []string
	for _, it := range items {
		parts := strings.Split(it, "|")
		vid, title := parts[0], parts[1]
		tr := "0"
		if len(parts) > 2 {
			tr = parts[2]
		}
		its = append(its, fmt.Sprintf(`{"item_params":{"vid":%q,"play_title":%q,"is_trailer":%q}}`, vid, title, tr))
	}
	var ts []string
	for _, t := range tabs {
		ts = append(ts, fmt.Sprintf(`{\"page_context\":\"%s\"}`, t))
	}
	return fmt.Sprintf(`{"ret":0,"data":{"module_list_datas":[{"module_datas":[{"module_params":{"tabs":"[%s]"},"item_data_lists":{"item_datas":[%s]}}]}]}}`,
		strings.Join(ts, ","), strings.Join(its, ","))
}

// pageDataRoute answers GetPageData by the page_context in the POST body.
type pageDataRoute struct {
	pages map[string]string // page_context -> reply; "status:N" for a status
	other func(*http.Request) (int, string)
}

func (p pageDataRoute) route(r *http.Request) (int, string) {
	if r.URL.Host != "pbaccess.video.qq.com" {
		return p.other(r)
	}
	var req struct {
		PageParams struct {
			PageContext string `json:"page_context"`
		} `json:"page_params"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || r.Method != http.MethodPost {
		return 400, "bad request"
	}
	for pc, reply := range p.pages {
		if req.PageParams.PageContext == pc {
			if code, ok := strings.CutPrefix(reply, "status:"); ok {
				var n int
				fmt.Sscan(code, &n)
				return n, "error"
			}
			return 200, reply
		}
	}
	return 200, `{"ret":0,"data":{"module_list_datas":[]}}`
}

func TestSeriesList(t *testing.T) {
	const cover = "https://v.qq.com/x/cover/7ce5noezvafma27.html"
	tabs := []string{"episode_begin=1&episode_end=3", "episode_begin=4&episode_end=5"}
	first := pageDataReply(tabs, "t00trailer0|预告|1", "a00269ix3l8|第01集", "b00269ix3l9|第02集")
	second := pageDataReply(tabs, "c00269ix3l1|第03集", "|no vid", "a00269ix3l8|第01集")
	tests := []struct {
		name    string
		url     string
		mode    extractors.PlaylistMode
		pages   map[string]string
		want    []string // "vid episode title"
		wantErr func(error) bool
	}{
		{name: "paged, trailer and vid-less item left out", url: cover,
			pages: map[string]string{"": first, tabs[0]: first, tabs[1]: second},
			want:  []string{"a00269ix3l8 1 第01集", "b00269ix3l9 2 第02集", "c00269ix3l1 3 第03集"}},
		{name: "an episode URL with --yes-playlist", url: "https://v.qq.com/x/cover/7ce5noezvafma27/b00269ix3l9.html", mode: extractors.PlaylistYes,
			pages: map[string]string{"": first, tabs[1]: second},
			want:  []string{"a00269ix3l8 1 第01集", "b00269ix3l9 2 第02集", "c00269ix3l1 3 第03集"}},
		{name: "the list API changed: the page's episodes", url: cover,
			pages: map[string]string{"": `{"ret":-1,"msg":"gone"}`},
			want:  []string{"a00269ix3l8 1 ", "b00269ix3l9 2 "}},
		{name: "the list API fails after retries: an error, not a shorter series", url: cover,
			pages:   map[string]string{"": first, tabs[1]: "status:503"},
			wantErr: request.Retryable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := routes(t, map[string]string{"v.qq.com/x/cover/7ce5noezvafma27.html": "f5-cover.html"})
			rp := &replay{t: t, route: pageDataRoute{pages: tt.pages, other: base}.route}
			res, err := extractResult(rp, tt.url, tt.mode)
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
