package fakeqq

import (
	"net/http"
	"slices"
	"strings"
)

// pageData fills testdata/fakeqq/page.html, the pages of 2022-2023.
type pageData struct {
	OGTitle    string
	CoverTitle string
	VideoTitle string
	Cid        string
	CurrentVid string
	Episodes   []string
	Items      []Item // the episode divs and list: trailers are not numbered
}

// servePage renders /x/page/<vid>.html, /x/cover/<cid>.html and
// /x/cover/<cid>/<vid>.html the way v.qq.com lays them out: the 2026 form
// (page2026.go) for the 2026 catalogue, unless Legacy; else the old form
// (vqq.md §4, fixture F5): og tags, window.__PINIA__ state, episode divs.
func (s *Site) servePage(w http.ResponseWriter, r *http.Request) {
	segs := strings.Split(strings.Trim(strings.TrimSuffix(r.URL.Path, ".html"), "/"), "/")
	var d pageData
	switch {
	case len(segs) == 3 && segs[0] == "x" && segs[1] == "page":
		if e := s.eps26[segs[2]]; e != nil {
			if !s.cfg.Legacy {
				s.servePage26(w, s.series[e.Cid], e.Vid, r.URL.Path)
				return
			}
			d = pageData{OGTitle: e.Title + "_腾讯视频", VideoTitle: e.Title, CurrentVid: e.Vid}
			break
		}
		e := s.episodes[segs[2]]
		if e == nil {
			http.NotFound(w, r)
			return
		}
		d = pageData{OGTitle: e.Title + "_腾讯视频", VideoTitle: e.Title, CurrentVid: e.Vid}
	case (len(segs) == 3 || len(segs) == 4) && segs[0] == "x" && segs[1] == "cover":
		sr := s.series[segs[2]]
		if sr == nil {
			http.NotFound(w, r)
			return
		}
		vids := sr.vids()
		cur := vids[0]
		if sr.Form2026 {
			cur = firstEpisode(sr)
		}
		if len(segs) == 4 {
			cur = segs[3]
		}
		if sr.Form2026 && !s.cfg.Legacy {
			if !slices.Contains(vids, cur) {
				http.NotFound(w, r)
				return
			}
			s.servePage26(w, sr, cur, r.URL.Path)
			return
		}
		d = pageData{OGTitle: sr.Title + "_高清1080P在线观看平台_腾讯视频", CoverTitle: sr.Title, Cid: sr.Cid, CurrentVid: cur}
		for _, it := range sr.Items {
			if it.Vid == "" {
				continue // no div without a vid
			}
			if sr.PageShows > 0 && len(d.Items) == sr.PageShows {
				break // the rest only through the list APIs
			}
			d.Items = append(d.Items, it)
			d.Episodes = append(d.Episodes, it.Vid)
		}
		if e := s.episodes[cur]; e != nil {
			d.VideoTitle = e.Title
		} else if e := s.eps26[cur]; e != nil {
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

// firstEpisode is the item a 2026 cover page plays: its first episode.
func firstEpisode(sr *Series) string {
	for _, it := range sr.Items {
		if it.Vid != "" && !it.Trailer {
			return it.Vid
		}
	}
	return ""
}
