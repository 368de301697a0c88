package qq

import (
	"cmp"
	"slices"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/vdlproject/vdl/extractors"
)

// What a page or getPage says of a series, for the media model (a later
// step names files and writes NFOs from it).

// show is what the page says of its series, for a media library; nil
// when it says nothing.
func (p *pageInfo) show() *extractors.Show {
	s := &extractors.Show{}
	for _, c := range append(p.covers, p.intros...) {
		fillShow(s, c)
	}
	s.Title = cmp.Or(s.Title, p.seriesTitle())
	if s.Title == "" && s.Year == 0 && s.Description == "" && s.Type == "" && len(s.Cast) == 0 && s.Poster == "" && s.Fanart == "" {
		return nil
	}
	s.ID = cmp.Or(s.ID, p.currentCid)
	return s
}

// fillShow fills the fields of s that are still unknown from a cover's
// fields: a page's coverInfo, COVER_INFO or introduction, or getPage's
// pc_introduction.
func fillShow(s *extractors.Show, r gjson.Result) {
	if !r.IsObject() {
		return
	}
	str := func(keys ...string) string {
		for _, k := range keys {
			if v := r.Get(k); v.Type == gjson.String || v.Type == gjson.Number {
				if t := strings.TrimSpace(v.String()); t != "" {
					return t
				}
			}
		}
		return ""
	}
	s.Title = cmp.Or(s.Title, str("title", "title_new"))
	for _, k := range []string{"year", "publish_date", "show_year"} {
		if s.Year == 0 {
			s.Year = yearOf(str(k))
		}
	}
	s.Description = cmp.Or(s.Description, str("description", "cover_description"))
	s.Type = cmp.Or(s.Type, str("type_name"), typeName(str("type")))
	for _, k := range []string{"leading_actor", "cast"} {
		if len(s.Cast) == 0 {
			s.Cast = castOf(r.Get(k))
		}
	}
	if len(s.Genres) == 0 {
		s.Genres = castOf(r.Get("main_genres")) // a list, or one string with separators, as the cast
	}
	if cid := str("cover_id", "cid"); cidRe.MatchString(cid) {
		s.ID = cmp.Or(s.ID, cid)
	}
	s.Poster = cmp.Or(s.Poster, str("new_pic_vt", "vertical_pic_url"))
	s.Fanart = cmp.Or(s.Fanart, str("new_pic_hz", "horizontal_pic_url"))
}

// typeName is the site's word for a cover type older pages number
// (vqq.md §4; only the documented ones).
func typeName(n string) string {
	switch n {
	case "1":
		return "电影"
	case "2":
		return "电视剧"
	case "3":
		return "动漫"
	case "10":
		return "综艺"
	}
	return ""
}

// yearOf reads the year a "2026" or "2016-04-04" starts with.
func yearOf(s string) int {
	if len(s) < 4 || !allDigits(s[:4]) || len(s) > 4 && isDigit(s[4]) {
		return 0
	}
	y := int(s[0]-'0')*1000 + int(s[1]-'0')*100 + int(s[2]-'0')*10 + int(s[3]-'0')
	if y < 1880 || y > 2200 {
		return 0
	}
	return y
}

// castOf reads a list of names: an array of strings (or of objects with
// a name), or one string with separators.
func castOf(r gjson.Result) []string {
	var names []string
	add := func(n string) {
		if n = strings.TrimSpace(n); n != "" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	switch {
	case r.IsArray():
		r.ForEach(func(_, v gjson.Result) bool {
			if v.IsObject() {
				add(v.Get("name").String())
			} else if v.Type == gjson.String {
				add(v.Str)
			}
			return true
		})
	case r.Type == gjson.String:
		for _, n := range strings.FieldsFunc(r.Str, func(c rune) bool { return strings.ContainsRune("/,、，|;；", c) }) {
			add(n)
		}
	}
	return names
}

// episodeInfo is what the page's video table says of vid for a library:
// its still image, air date and plot (reconstructed field names, see
// docs/vqq.md §4).
func (p *pageInfo) episodeInfo(vid string) (thumb, aired, plot string) {
	for _, v := range p.videoInfo[vid] {
		str := func(keys ...string) string {
			for _, k := range keys {
				if t := strings.TrimSpace(v.Get(k).String()); t != "" && v.Get(k).Type == gjson.String {
					return t
				}
			}
			return ""
		}
		thumb = cmp.Or(thumb, str("pic", "image_url", "pic_hz"))
		aired = cmp.Or(aired, dateOf(str("publish_date", "air_date")))
		plot = cmp.Or(plot, str("desc", "description"))
	}
	return thumb, aired, plot
}

// dateOf keeps a date the site writes as YYYY-MM-DD (time of day cut).
func dateOf(s string) string {
	if len(s) >= 10 && yearOf(s[:4]) > 0 && s[4] == '-' && s[7] == '-' && allDigits(s[5:7]) && allDigits(s[8:10]) {
		return s[:10]
	}
	return ""
}
