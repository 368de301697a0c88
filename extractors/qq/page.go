package qq

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/tidwall/gjson"
)

// pageInfo is what a v.qq.com page says beyond the API: the series, the
// episode list and the episode the page plays (vqq.md §4).
type pageInfo struct {
	ogTitle    string
	coverTitle string // the cover's title: the series name
	videoTitle string // the played video's title
	currentVid string
	currentCid string
	episodes   []string     // vids in page order, trailers left out
	items      []seriesItem // the page's list: title numbers and trailer marks kept
	// covers and intros are what the state says of the series, best
	// first (show reads them).
	covers, intros []gjson.Result
	// videoInfo is each video's entries in the state's video tables.
	videoInfo map[string][]gjson.Result
	// stateErrs are the state literals that did not convert.
	stateErrs []error
}

// stateNames are the names pages assign their state to, newest first:
// 2026's window.__vikor__context__={_piniaState:{...}}, 2023's
// window.__PINIA__, 2022's window.__pinia, and the older
// var COVER_INFO / var VIDEO_INFO.
var stateNames = [...]string{"_piniaState", "__PINIA__", "__pinia", "COVER_INFO", "VIDEO_INFO"}

// Site suffixes of og:title (yt-dlp's clean-title rule).
var titleSuffixRe = regexp.MustCompile(`\s*[_-]\s*(?:Watch online|Watch HD Video Online|WeTV|腾讯视频|(?:高清)?1080P在线观看平台).*$`)

// readPage fetches and reads a page. State that does not convert is
// logged: the page still gives what its og tags and divs say.
func (x *extractor) readPage(ctx context.Context, pageURL string) (*pageInfo, error) {
	body, err := x.c.page(ctx, pageURL)
	if err != nil {
		return nil, err
	}
	p, err := parsePage(body)
	if err != nil {
		return nil, err
	}
	for _, e := range p.stateErrs {
		x.log.Warn("the page's state did not parse; the site may have changed", "page", pageURL, "err", e)
	}
	return p, nil
}

// parsePage reads the og tags, the episode divs of older pages and the
// state literals of the scripts. The state is converted to JSON and read
// with gjson; its stores are looked up anywhere in the tree, since their
// nesting changes between page versions.
func parsePage(body []byte) (*pageInfo, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	p := &pageInfo{ogTitle: strings.TrimSpace(doc.Find(`meta[property="og:title"]`).AttrOr("content", ""))}
	var scripts []byte
	doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		t := s.Text()
		for _, name := range stateNames {
			if strings.Contains(t, name) {
				scripts = append(append(scripts, t...), '\n')
				break
			}
		}
	})
	st := p.readState(scripts)
	p.readIdentity(st)
	// The list: the rendered episode divs (pages up to 2023), else the
	// state's episodeMain, else the cover's video_ids.
	doc.Find(`[data-vid]`).Each(func(_ int, s *goquery.Selection) {
		vid, class := s.AttrOr("data-vid", ""), s.AttrOr("class", "")
		if vidRe.MatchString(vid) && strings.Contains(class, "episode-item") {
			// The div shows the episode number, or a word ("预告").
			it := seriesItem{vid: vid, title: strings.TrimSpace(s.Text()), trailer: strings.Contains(class, "trailer")}
			if it.number = titleNumber(it.title); it.number > 0 {
				it.title = ""
			}
			p.items = append(p.items, it)
		}
	})
	if state := listItemsOf(st.episodeMains); len(p.items) == 0 {
		p.items = state
	} else {
		// The divs show numbers; the state has the names.
		byVid := map[string]seriesItem{}
		for _, s := range state {
			if _, ok := byVid[s.vid]; !ok && s.vid != "" {
				byVid[s.vid] = s
			}
		}
		for i, it := range p.items {
			if s, ok := byVid[it.vid]; ok {
				p.items[i].title, p.items[i].trailer = cmp.Or(s.title, it.title), it.trailer || s.trailer
			}
		}
	}
	if len(p.items) == 0 {
		for _, c := range p.covers {
			c.Get("video_ids").ForEach(func(_, v gjson.Result) bool {
				if vid := matchVid(v.String()); vid != "" {
					p.items = append(p.items, seriesItem{vid: vid})
				}
				return true
			})
			if len(p.items) > 0 {
				break
			}
		}
	}
	p.items = dedupe(p.items)
	for _, it := range p.items {
		if it.vid != "" && !it.trailer {
			p.episodes = append(p.episodes, it.vid)
		}
	}
	if p.currentVid == "" && len(p.episodes) == 0 {
		// A lone video's page: the one video its state knows.
		for _, m := range st.videoInfoMaps {
			m.ForEach(func(k, _ gjson.Result) bool {
				if vidRe.MatchString(k.String()) {
					p.currentVid = k.String()
				}
				return p.currentVid == ""
			})
		}
	}
	p.readVideoTitle(st)
	return p, nil
}

// pageState is the state's stores, each where it was found.
type pageState struct {
	globalStores, coverInfoMaps, videoInfoMaps, episodeMains []gjson.Result
	coverInfos, videoInfos, intros                           []gjson.Result
	coverRoot, videoRoot                                     gjson.Result // COVER_INFO, VIDEO_INFO
}

func (p *pageInfo) readState(scripts []byte) *pageState {
	st := &pageState{}
	for _, name := range stateNames {
		js, err := jsLiteralAfter(scripts, name)
		if err != nil {
			if !errors.Is(err, errJSNoLiteral) {
				p.stateErrs = append(p.stateErrs, err)
			}
			continue
		}
		root := gjson.ParseBytes(js)
		switch name {
		case "COVER_INFO":
			st.coverRoot = root
			continue
		case "VIDEO_INFO":
			st.videoRoot = root
			continue
		}
		found := findKeys(root, "globalStore", "coverInfoMap", "videoInfoMap", "episodeMain", "coverInfo", "videoInfo",
			"introduction", "introductionData")
		st.globalStores = append(st.globalStores, found["globalStore"]...)
		st.coverInfoMaps = append(st.coverInfoMaps, found["coverInfoMap"]...)
		st.videoInfoMaps = append(st.videoInfoMaps, found["videoInfoMap"]...)
		st.episodeMains = append(st.episodeMains, found["episodeMain"]...)
		st.coverInfos = append(st.coverInfos, found["coverInfo"]...)
		st.videoInfos = append(st.videoInfos, found["videoInfo"]...)
		for _, r := range found["introduction"] {
			st.intros = append(st.intros, r.Get("introData.list.0.item_params"))
		}
		for _, r := range found["introductionData"] {
			st.intros = append(st.intros, r.Get("introductionData"))
		}
	}
	return st
}

// readIdentity reads which cover and video the page shows, and what the
// state says of them.
func (p *pageInfo) readIdentity(st *pageState) {
	for _, g := range st.globalStores {
		p.currentVid = cmp.Or(p.currentVid, matchVid(g.Get("currentVid").String()))
		p.currentCid = cmp.Or(p.currentCid, g.Get("currentCid").String())
	}
	p.currentVid = cmp.Or(p.currentVid, matchVid(st.videoRoot.Get("vid").String()), matchVid(st.coverRoot.Get("vid").String()))
	for _, v := range st.videoInfos {
		p.currentVid = cmp.Or(p.currentVid, matchVid(v.Get("vid").String()))
	}
	p.currentCid = cmp.Or(p.currentCid, st.coverRoot.Get("cover_id").String())
	for _, c := range st.coverInfos {
		p.currentCid = cmp.Or(p.currentCid, c.Get("cover_id").String())
	}
	// The cover: coverInfoMap's entry for the current cid (the map may
	// hold related covers too; without a cid only a lone entry is taken).
	for _, m := range st.coverInfoMaps {
		if c := m.Get(gjson.Escape(p.currentCid)); p.currentCid != "" && c.IsObject() {
			p.covers = append(p.covers, c)
		} else if n := len(m.Map()); n == 1 && p.currentCid == "" {
			m.ForEach(func(_, v gjson.Result) bool { p.covers = append(p.covers, v); return false })
		}
	}
	p.covers = append(p.covers, st.coverInfos...)
	if st.coverRoot.IsObject() {
		p.covers = append(p.covers, st.coverRoot)
	}
	p.intros = st.intros
	for _, c := range p.covers {
		p.coverTitle = cmp.Or(p.coverTitle, strings.TrimSpace(c.Get("title").String()), strings.TrimSpace(c.Get("title_new").String()))
	}
}

// readVideoTitle reads the played video's title, once its vid is known,
// and keeps the video tables' entries.
func (p *pageInfo) readVideoTitle(st *pageState) {
	for _, m := range st.videoInfoMaps {
		m.ForEach(func(k, v gjson.Result) bool {
			if vid := matchVid(k.String()); vid != "" && v.IsObject() {
				if p.videoInfo == nil {
					p.videoInfo = map[string][]gjson.Result{}
				}
				p.videoInfo[vid] = append(p.videoInfo[vid], v)
			}
			return true
		})
		if p.currentVid != "" {
			p.videoTitle = cmp.Or(p.videoTitle, strings.TrimSpace(m.Get(gjson.Escape(p.currentVid)+".title").String()))
		}
	}
	for _, v := range append(st.videoInfos, st.videoRoot) {
		p.videoTitle = cmp.Or(p.videoTitle, strings.TrimSpace(v.Get("title").String()))
	}
}

// listItemsOf reads episodeMain.listData[].list: groups of items (vid,
// title, playTitle, isTrailer).
func listItemsOf(mains []gjson.Result) []seriesItem {
	var items []seriesItem
	add := func(it gjson.Result) {
		if !it.IsObject() {
			return
		}
		title := strings.TrimSpace(it.Get("title").String())
		items = append(items, seriesItem{vid: matchVid(it.Get("vid").String()),
			title:   cmp.Or(strings.TrimSpace(it.Get("playTitle").String()), strings.TrimSpace(it.Get("play_title").String()), title),
			number:  titleNumber(title),
			trailer: stateFlag(it.Get("isTrailer")) || stateFlag(it.Get("is_trailer"))})
	}
	for _, m := range mains {
		m.Get("listData").ForEach(func(_, ld gjson.Result) bool {
			ld.Get("list").ForEach(func(_, group gjson.Result) bool {
				if group.IsArray() {
					group.ForEach(func(_, it gjson.Result) bool { add(it); return true })
				} else {
					add(group)
				}
				return true
			})
			return true
		})
		if len(items) > 0 {
			break
		}
	}
	return items
}

// findKeys finds, breadth first (shallowest first), the values of the
// given keys anywhere in a state tree, up to a few of each. The search
// is bounded in depth: stores sit near the top.
func findKeys(root gjson.Result, keys ...string) map[string][]gjson.Result {
	const maxDepth, maxEach = 12, 4
	want := map[string]bool{}
	for _, k := range keys {
		want[k] = true
	}
	found := map[string][]gjson.Result{}
	level := []gjson.Result{root}
	for depth := 0; depth < maxDepth && len(level) > 0; depth++ {
		var next []gjson.Result
		for _, v := range level {
			v.ForEach(func(k, child gjson.Result) bool {
				if name := k.String(); v.IsObject() && want[name] && len(found[name]) < maxEach && child.IsObject() {
					found[name] = append(found[name], child)
				}
				if child.IsObject() || child.IsArray() {
					next = append(next, child)
				}
				return true
			})
		}
		level = next
	}
	return found
}

// firstVid is the episode a series page plays: the current one, else the
// first of the list.
func (p *pageInfo) firstVid() string {
	if p.currentVid != "" {
		return p.currentVid
	}
	if len(p.episodes) > 0 {
		return p.episodes[0]
	}
	return ""
}

// seriesTitle is the series name: the embedded cover title, else, on a
// page that lists episodes, og:title without the site's suffix. A lone
// video's page has no series.
func (p *pageInfo) seriesTitle() string {
	if p.coverTitle != "" || len(p.episodes) == 0 {
		return p.coverTitle
	}
	return cleanTitle(p.ogTitle)
}

// episodeNumber is vid's episode number as the page lists it: the number
// its item's title states, else its 1-based position among the page's
// episodes (trailers not counted); 0 if the page does not list it.
func (p *pageInfo) episodeNumber(vid string) int {
	for _, it := range p.items {
		if it.vid == vid && it.number > 0 && !it.trailer {
			return it.number
		}
	}
	for i, v := range p.episodes {
		if v == vid {
			return i + 1
		}
	}
	return 0
}

func cleanTitle(t string) string {
	return strings.TrimSpace(titleSuffixRe.ReplaceAllString(t, ""))
}

// stateFlag reads a state's boolean: true, 1, "1" or "true".
func stateFlag(r gjson.Result) bool {
	switch r.Type {
	case gjson.True:
		return true
	case gjson.Number:
		return r.Num != 0
	case gjson.String:
		return r.Str == "1" || r.Str == "true"
	}
	return false
}
