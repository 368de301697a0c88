package fakeqq

import (
	"cmp"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"strconv"
	"strings"
)

// The bullet-comment API (docs/vqq.md §9): GET /barrage/base/<vid> lists
// the segments, GET /barrage/segment/<vid>/t/v1/<start>/<end> gives one
// window's comments.
const (
	DanmakuHost = "dm.video.qq.com"
	// DanmakuSpanMS is the fake's segment length. The site's is 30000; the
	// fake's media lasts 15 s, so a shorter span gives several segments
	// (the client takes the span from the base reply, as it must).
	DanmakuSpanMS = 5000
	// DanmakuFailVid's segment DanmakuFailSegment answers 500 to every
	// request, so its comment file is incomplete (3 of 4 segments).
	DanmakuFailVid     = "e03vdl26ab0"
	DanmakuFailSegment = 2
)

// FakeComment is one comment the fake serves, for tests to compare with.
type FakeComment struct {
	ID       string
	TimeMS   int64
	Text     string
	Color    string // hex, "" for white
	Position int    // 1 scroll, 2 top, 3 bottom
}

// danmakuTexts are the comments' texts in turn: plain, emoji, ASS and
// HTML specials, a newline, a bracketed emoticon token.
var danmakuTexts = [...]string{"前方高能", "哈哈哈哈😂", `{\fs120}注入`, "两行\n弹幕", "<b>&amp;</b> \\N", "[鹅少生肖] 好看", "第一！", "this one is in English"}

// danmakuDuration is how long a video's comments run, in ms; 0 for a vid
// without comments (the base request answers 404).
func (s *Site) danmakuDuration(vid string) int64 {
	td := ""
	if e := s.eps26[vid]; e != nil {
		td = e.Duration
	} else if e := s.episodes[vid]; e != nil {
		td = e.Duration
	}
	f, err := strconv.ParseFloat(td, 64)
	if err != nil || f <= 0 {
		return 0
	}
	return int64(f * 1000)
}

// DanmakuFor returns every comment of vid that falls within its
// duration, each once, in time order.
func (s *Site) DanmakuFor(vid string) []FakeComment {
	d := s.danmakuDuration(vid)
	var out []FakeComment
	for start := int64(0); start < d; start += DanmakuSpanMS {
		for _, c := range danmakuWindow(vid, start) {
			if c.TimeMS < start+DanmakuSpanMS && c.TimeMS < d { // the one on the end belongs to the next window
				out = append(out, c)
			}
		}
	}
	return out
}

// danmakuWindow is what the segment starting at start serves: a comment
// every 900 ms from start+300, the modes and colours in turn, and one on
// each boundary, which both neighbouring windows serve (the duplicate the
// client must drop). A comment's id is made from the vid and its time.
func danmakuWindow(vid string, start int64) []FakeComment {
	h := fnv.New32a()
	h.Write([]byte(vid))
	seed := h.Sum32() % 100000
	end := start + DanmakuSpanMS
	times := []int64{start}
	for t := start + 300; t < end; t += 900 {
		times = append(times, t)
	}
	times = append(times, end)
	var out []FakeComment
	for _, t := range times {
		n := int(t / 300)
		// Each text names its video ("‹e01›"), so that a test can tell
		// whose comments a file holds.
		text := danmakuTexts[n%len(danmakuTexts)] + " ‹" + vid[:3] + "›"
		c := FakeComment{ID: fmt.Sprintf("7656%05d%08d", seed, t), TimeMS: t, Text: text, Position: 1}
		switch n % 5 {
		case 1:
			c.Color = "FF6A6A"
		case 2:
			c.Position = 2
		case 3:
			c.Position, c.Color = 3, "44EB1F"
		}
		out = append(out, c)
	}
	return out
}

func (s *Site) serveDanmaku(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/barrage/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	kind, rest, _ := strings.Cut(rest, "/")
	vid, window, _ := strings.Cut(rest, "/")
	d := s.danmakuDuration(vid)
	if d == 0 {
		http.NotFound(w, r) // the site: no comments
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch kind {
	case "base":
		s.count("danmaku-base")
		index := map[string]any{}
		for start := int64(0); start < d; start += DanmakuSpanMS {
			k := strconv.FormatInt(start, 10)
			index[k] = map[string]string{"segment_start": k, "segment_name": fmt.Sprintf("t/v1/%d/%d", start, start+DanmakuSpanMS)}
		}
		json.NewEncoder(w).Encode(map[string]any{"segment_start": "0", "segment_span": strconv.Itoa(DanmakuSpanMS), "segment_index": index})
	case "segment":
		s.count("danmaku-segment")
		var start, end int64
		if _, err := fmt.Sscanf(window, "t/v1/%d/%d", &start, &end); err != nil || end-start != DanmakuSpanMS || start%DanmakuSpanMS != 0 {
			http.Error(w, "bad segment", http.StatusBadRequest)
			return
		}
		if vid == DanmakuFailVid && start/DanmakuSpanMS == DanmakuFailSegment {
			http.Error(w, "fakeqq: this segment always fails", http.StatusInternalServerError)
			return
		}
		list := []any{}
		if start < d {
			for _, c := range danmakuWindow(vid, start) {
				list = append(list, danmakuItem(c))
			}
			if start == 0 { // junk the client must skip and count
				list = append(list, "not an object", map[string]any{"id": "76560000000000001", "time_offset": "soon", "content": "bad time"})
			}
		}
		json.NewEncoder(w).Encode(map[string]any{"barrage_list": list})
	default:
		http.NotFound(w, r)
	}
}

// danmakuItem is a comment as the site's segment reply carries it: ids
// and times as strings, the style as JSON inside a string (or "").
func danmakuItem(c FakeComment) map[string]any {
	style := ""
	switch {
	case c.Color != "" && c.Position == 1:
		style = fmt.Sprintf(`{"color":"ffffff","gradient_colors":["%s","%s"],"position":1}`, c.Color, c.Color)
	case c.Color != "" || c.Position != 1:
		style = fmt.Sprintf(`{"color":"%s","position":%d}`, cmp.Or(c.Color, "ffffff"), c.Position)
	}
	return map[string]any{"id": c.ID, "is_op": 0, "head_url": "", "time_offset": strconv.FormatInt(c.TimeMS, 10), "up_count": "0",
		"bubble_head": "", "bubble_level": "", "bubble_id": "", "rick_type": 0, "content_style": style, "user_vip_degree": 0,
		"create_time": "1735689600", "content": c.Text, "hot_type": 0, "gift_info": nil, "share_item": nil, "vuid": "", "nick": "",
		"data_key": "id=" + c.ID, "content_score": 50.5, "show_weight": 0, "track_type": 0, "relate_sku_info": []any{}}
}
