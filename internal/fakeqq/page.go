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
		d = pageData{OGTitle: sr.Title + "_高清1080P在线观看平台_腾讯视频", CoverTitle: sr.Title, Cid: sr.Cid,
			Episodes: sr.Vids, CurrentVid: sr.Vids[0]}
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
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := s.page.Execute(w, d); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}
