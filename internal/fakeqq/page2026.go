package fakeqq

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf16"
)

// 2026 pages (vqq.md §4): the state is a JS object literal in
// window.__vikor__context__={_piniaState:{...},isHarmonyClient:false,...},
// with the literals the player's SSR writes (void 0, undefined, !0/!1, new
// Map([...]), Array.prototype.slice.call({...}), \u escapes) and nested
// objects before the titles a reader wants. There are no episode divs.
// The page lists the tab of the episode it plays; video_ids every episode.

// pageData26 fills testdata/fakeqq/page2026.html (text/template: State is
// JS the builder below escaped itself).
type pageData26 struct {
	OGTitle, OGDescription, OGImage, Canonical string
	State                                      string
}

// servePage26 renders a 2026 page of sr playing vid (a cover page plays
// its first episode).
func (s *Site) servePage26(w http.ResponseWriter, sr *Series, vid, path string) {
	e := s.eps26[vid]
	og := sr.Title + "_高清1080P在线观看平台_腾讯视频"
	if strings.Count(path, "/") > 3 || strings.HasPrefix(path, "/x/page/") {
		og = e.Title + "_腾讯视频"
	}
	d := pageData26{OGTitle: og, OGDescription: sr.Description, OGImage: sr.Fanart, Canonical: "https://" + PageHost + path,
		State: s.state26(sr, e, path)}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := s.page26.Execute(w, d); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

// state26 writes the page state.
func (s *Site) state26(sr *Series, cur *Ep26, path string) string {
	var vids, infos []string
	for _, it := range sr.Items {
		e := s.eps26[it.Vid]
		if e == nil {
			continue
		}
		if !it.Trailer {
			vids = append(vids, jsQuote(e.Vid, false))
		}
		infos = append(infos, jsQuote(e.Vid, false), jsObj(
			"vid", jsQuote(e.Vid, false),
			"c_covers", jsObj("x", jsObj("title", jsQuote("not this", false))),
			"tag_list", "["+jsObj("id", "1", "title", jsQuote("not this either", false))+"]",
			"title", jsQuote(e.Title, true),
			"duration", jsQuote(e.Duration, false),
			"is_trailer", jsBool(it.Trailer),
			"pic", jsQuote(Thumb2026(e.Vid), false),
			"publish_date", jsQuote(e.AirDate, false)))
	}
	cover := jsObj(
		"cover_id", jsQuote(sr.Cid, false),
		"pic_info", jsObj("main", jsObj("title", jsQuote("not the series", false))),
		"title", jsQuote(sr.Title, false),
		"year", jsQuote(sr.Year, false),
		"description", jsQuote(sr.Description, true),
		"type_name", jsQuote(sr.TypeName, true),
		"leading_actor", jsSlice(quoteAll(sr.Actors)),
		"main_genres", jsSlice(quoteAll(sr.Genres)),
		"new_pic_vt", jsQuote(sr.Poster, false),
		"new_pic_hz", jsQuote(sr.Fanart, false),
		"episode_all", jsQuote(fmt.Sprint(len(vids)+1), false), // the special counts, listed elsewhere
		"video_ids", "["+strings.Join(vids, ",")+"]",
		"pay_status", "void 0",
		"score", "undefined")
	tabs := sr.tabs()
	sel := 0
	for i, t := range tabs {
		for _, it := range sr.Items[t.Begin-1 : t.End] {
			if it.Vid == cur.Vid {
				sel = i
			}
		}
	}
	var tabObjs, items []string
	for i, t := range tabs {
		tabObjs = append(tabObjs, jsObj("begin", fmt.Sprint(t.Begin), "end", fmt.Sprint(t.End),
			"selected", jsBool(i == sel), "page_context", jsQuote(t.PageContext, false)))
	}
	for _, it := range sr.Items[tabs[sel].Begin-1 : tabs[sel].End] {
		vid := "void 0"
		if it.Vid != "" {
			vid = jsQuote(it.Vid, false)
		}
		items = append(items, jsObj("vid", vid, "title", jsQuote(it.Title, false), "playTitle", jsQuote(it.PlayTitle, true),
			"isTrailer", jsBool(it.Trailer), "cid", jsQuote(sr.Cid, false)))
	}
	pageType := "cover"
	if strings.Count(path, "/") > 3 || strings.HasPrefix(path, "/x/page/") {
		pageType = "episode"
	}
	pinia := jsObj(
		"global", jsObj("isLogin", "!1", "userInfo", "undefined", "theme", jsQuote("dark", false)),
		"videoInfoMap", jsObj(infos...),
		"coverInfoMap", jsObj(jsQuote(sr.Cid, false), cover),
		"episodeMain", jsObj(
			"listData", "["+jsObj("list", "["+jsSlice(items)+"]", "tabs", "["+strings.Join(tabObjs, ",")+"]")+"]",
			"currentTab", fmt.Sprint(sel), "isLoading", "!1"),
		"globalStore", jsObj("currentCid", jsQuote(sr.Cid, false), "currentVid", jsQuote(cur.Vid, false),
			"initialCid", jsQuote(sr.Cid, false), "pageType", jsQuote(pageType, false),
			"reportInfo", jsObj("pgid", jsQuote("page_detail", false), "ztid", "void 0")),
		"playStatus", "new Map([["+jsQuote(cur.Vid, false)+","+jsObj("progress", "0", "watched", "!1")+"]])",
		"abTest", "new Map([])")
	return jsObj("_piniaState", pinia, "isHarmonyClient", "false", "ssrTime", "1767225600000",
		"routePath", jsQuote(path, false), "env", "void 0")
}

var jsIdent = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)

// jsObj writes {k:v,...} from key, value pairs (values are JS already);
// keys that are identifiers stay unquoted, as the SSR writes them.
func jsObj(kv ...string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		k := kv[i]
		if !strings.HasPrefix(k, `"`) && !jsIdent.MatchString(k) {
			k = jsQuote(k, false)
		}
		b.WriteString(k + ":" + kv[i+1])
	}
	b.WriteByte('}')
	return b.String()
}

// jsSlice writes an array the SSR way:
// Array.prototype.slice.call({"0":a,"1":b,"length":2}).
func jsSlice(elems []string) string {
	var kv []string
	for i, e := range elems {
		kv = append(kv, jsQuote(fmt.Sprint(i), false), e)
	}
	kv = append(kv, jsQuote("length", false), fmt.Sprint(len(elems)))
	return "Array.prototype.slice.call(" + jsObj(kv...) + ")"
}

func jsBool(b bool) string {
	if b {
		return "!0"
	}
	return "!1"
}

func quoteAll(ss []string) []string {
	var out []string
	for _, s := range ss {
		out = append(out, jsQuote(s, false))
	}
	return out
}

// jsQuote writes a JS string in double quotes; '<' is always escaped (no
// "</script>" inside the script), and with ascii every non-ASCII char is
// a \uXXXX escape (UTF-16, as the SSR's serialiser writes them).
func jsQuote(s string, ascii bool) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r < 0x20 || r == '<' || r == 0x2028 || r == 0x2029:
			fmt.Fprintf(&b, `\u%04x`, r)
		case r > 0x7e && ascii:
			for _, u := range utf16.Encode([]rune{r}) {
				fmt.Fprintf(&b, `\u%04x`, u)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
