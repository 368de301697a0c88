package fakeqq

import (
	"net/http"
	"strings"
)

// pageData fills testdata/fakeqq/page.html.
type pageData struct {
	OGTitle    string
	CoverTitle string
	VideoTitle string
	Cid        string
	CurrentVid string
	Episodes   []string
	Items      []pageItem // the episode divs: trailers are not numbered
}

type pageItem struct {
	Vid     string
	Trailer bool
}

// servePage renders /x/page/<vid>.html, /x/cover/<cid>.html and
// /x/cover/<cid>/<vid>.html the way v.qq.com lays them out (vqq.md §4,
// fixture F5): og tags, window.__PINIA__ state, episode divs.
func (s *Site) servePage(w http.ResponseWriter, r *http.Request) {
	segs := strings.Split(strings.Trim(strings.TrimSuffix(r.URL.Path, ".html"), "/"), "/")
	var d pageData
	switch {
	case len(segs) == 3 && segs[0] == "x" && segs[1] == "page":
		e := s.episodes[segs[2]]
		if e == nil {
			http.NotFound(w, r)
			return
		}
		d = pageData{OGTitle: e.Title + "_腾讯视频", VideoTitle: e.Title, CurrentVid: e.Vid}
	case len(segs) >= 3 && segs[0] == "x" && segs[1] == "cover":
		sr := s.series[segs[2]]
		if sr == nil {
			http.NotFound(w, r)
			return
		}
		shown := sr.Vids
		if sr.PageShows > 0 && len(shown) > sr.PageShows {
			shown = shown[:sr.PageShows] // the rest only through GetPageData
		}
		d = pageData{OGTitle: sr.Title + "_高清1080P在线观看平台_腾讯视频", CoverTitle: sr.Title, Cid: sr.Cid,
			Episodes: shown, CurrentVid: sr.Vids[0]}
		if len(segs) == 4 {
			d.CurrentVid = segs[3]
		}
		if e := s.episodes[d.CurrentVid]; e != nil {
			d.VideoTitle = e.Title
		}
	default:
		http.NotFound(w, r)
		return
	}
	for _, v := range d.Episodes {
		sr := s.series[d.Cid]
		d.Items = append(d.Items, pageItem{Vid: v, Trailer: sr != nil && sr.Trailers[v]})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := s.page.Execute(w, d); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}
