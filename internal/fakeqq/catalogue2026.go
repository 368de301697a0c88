package fakeqq

import (
	"fmt"
	"slices"
	"strings"
)

// The 2026 catalogue: one series as v.qq.com lays it out today. Its
// episodes are served by proxyhttp (both modes) and, so that a handover
// has somewhere to go, by getvinfo and the legacy getinfo too; in the
// default mode the CDN refuses what those two lead to (every 2026 episode
// counts as long, yt-dlp#8171, lux#1401).
//
// Per episode (see Ep26):
//   - 1: ul.m3u8 is a link relative to the first prefix; subtitles: an HLS
//     WebVTT playlist (zh-cn, .vtt.m3u8) and a plain SRT (en);
//   - 2: no ul.m3u8 (segments from fn and fc alone);
//   - 3: ul.m3u8 is an absolute link;
//   - 4, 5, 7, 8, 9, 10, 11, 12 and the trailer: ul.m3u8 is the playlist text;
//   - 9: VIP, preview only: td 60.00, media 15 s, no `preview` field;
//   - 6 is a special listed elsewhere: absent; the list ends with an item
//     without a vid (an announced episode, title "13").
const (
	// Cid2026 is the series (15 chars, the mzc style).
	Cid2026 = "mzc00200vdl26ab"
	// Title2026 is its name.
	Title2026       = "二〇二六测试剧"
	Year2026        = "2026"
	TypeName2026    = "电视剧"
	Description2026 = `一部为 vdl 写的"测试"剧：十一集，第六集是别处列出的特别篇。`
	// Trailer2026Vid is the series' trailer (is_trailer "1", title "预告").
	Trailer2026Vid = "t00vdl26ab0"
	// Gap2026 is the episode number the list skips.
	Gap2026 = 6
	// Preview2026Episode is the preview-only VIP episode; Preview2026Vid
	// its vid.
	Preview2026Episode = 9
	Preview2026Vid     = "e09vdl26ab0"
	// Cues of episode 1's WebVTT subtitle (one per segment), for tests to
	// grep in the sidecar.
	Sub2026Cue1 = "第一句"
	Sub2026Cue2 = "第二句"
	// duration26 is td of every 2026 episode but the preview: the length
	// of the served media (hls-ts, the mp4-clips, source.mp4).
	duration26 = "15.02"
)

// Series2026Numbers are the episode numbers the series lists, in order.
func Series2026Numbers() []int { return []int{1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12} }

// Series2026Vid is the vid of episode n of the 2026 series ("" for the
// gap and numbers it does not list).
func Series2026Vid(n int) string {
	if !slices.Contains(Series2026Numbers(), n) {
		return ""
	}
	return fmt.Sprintf("e%02dvdl26ab0", n)
}

// Actors2026 is the series' leading_actor list.
func Actors2026() []string { return []string{"演员甲", "演员乙"} }

// Poster2026 and Fanart2026 are new_pic_vt and new_pic_hz: a JPEG and a
// PNG the fake CDN serves.
func Poster2026() string { return "https://" + CDNA + "/pic/vcover_vt_pic/" + Cid2026 + ".jpg" }
func Fanart2026() string { return "https://" + CDNA + "/pic/vcover_hz_pic/" + Cid2026 + ".png" }

// m3u8 forms of vl.vi[0].ul.m3u8.
const (
	m3u8None    = ""
	m3u8Text    = "text"
	m3u8RelLink = "relative"
	m3u8AbsLink = "absolute"
)

// Ep26 is an episode of the 2026 catalogue.
type Ep26 struct {
	Vid, Title string
	Cid        string // its cover
	AirDate    string // publish_date, YYYY-MM-DD
	Number     int    // 0 for the trailer
	Duration   string // td
	// PreviewOnly: td is a minute, the media its first 15 s, and the reply
	// has no `preview` field (yt-dlp#5909).
	PreviewOnly bool
	M3U8        string // how ul.m3u8 is given: m3u8None, m3u8Text, ...
	Subtitles   bool
}

// quality26 is one quality of every 2026 episode, by mode.
type quality26 struct {
	name, cname, sname, resolution string
	width, height, br              int
	tsID, clipID, vinfoID          int // format ids: TS mode, clip mode, getvinfo 8.1
	// trial: VIP; proxyhttp describes it with a reply whose `preview` is
	// its first segment or clip (a quality-level trial, lux#668), getvinfo
	// and getinfo answer "not pay".
	trial bool
	clips int // clip mode: 3 clips (mp4-clips) or 1 file (source.mp4)
}

// qualities26 are fhd (VIP trial), shd and hd, best first.
func qualities26() []quality26 {
	return []quality26{
		{name: "fhd", cname: "蓝光;(1080P)", sname: "蓝光", resolution: "1080P", width: 1920, height: 1080, br: 210,
			tsID: 321004, clipID: 10218, vinfoID: 10209, trial: true, clips: 1},
		{name: "shd", cname: "超清;(720P)", sname: "超清", resolution: "720P", width: 1280, height: 720, br: 180,
			tsID: 321003, clipID: 10217, vinfoID: 10201, clips: 3},
		{name: "hd", cname: "高清;(480P)", sname: "高清", resolution: "480P", width: 852, height: 480, br: 150,
			tsID: 321002, clipID: 2, vinfoID: 10212, clips: 0},
	}
}

// quality26ByName finds a quality; an unknown or empty defn gets shd, as
// the real API describes its default quality.
func quality26ByName(defn string) quality26 {
	qs := qualities26()
	if i := slices.IndexFunc(qs, func(q quality26) bool { return q.name == defn }); i >= 0 {
		return qs[i]
	}
	return qs[1]
}

// catalogue2026 builds the episodes and the series (season 1; season 2
// and the movie are libraryCatalogue's).
func catalogue2026() ([]*Ep26, *Series) {
	sr := &Series{Cid: Cid2026, Title: Title2026, Form2026: true, TabEnds: []int{6}, Year: Year2026, Description: Description2026,
		TypeName: TypeName2026, Actors: Actors2026(), Genres: strings.Split(Genres2026, ","), Poster: Poster2026(), Fanart: Fanart2026()}
	trailer := &Ep26{Vid: Trailer2026Vid, Cid: Cid2026, Title: Title2026 + " 预告", Duration: duration26, M3U8: m3u8Text}
	eps := []*Ep26{trailer}
	sr.Items = append(sr.Items, Item{Vid: trailer.Vid, Title: "预告", PlayTitle: trailer.Title, Trailer: true})
	for _, n := range Series2026Numbers() {
		e := &Ep26{Vid: Series2026Vid(n), Cid: Cid2026, Number: n, Title: fmt.Sprintf("%s 第%02d集", Title2026, n), Duration: duration26,
			M3U8: m3u8Text, AirDate: fmt.Sprintf("2026-03-%02d", n)}
		switch n {
		case 1:
			e.M3U8, e.Subtitles = m3u8RelLink, true
		case 2:
			e.M3U8 = m3u8None
		case 3:
			e.M3U8 = m3u8AbsLink
		case Preview2026Episode:
			e.PreviewOnly, e.Duration = true, "60.00"
		}
		eps = append(eps, e)
		sr.Items = append(sr.Items, Item{Vid: e.Vid, Title: fmt.Sprint(n), PlayTitle: e.Title})
	}
	// An announced episode: listed, numbered, no vid yet.
	sr.Items = append(sr.Items, Item{Title: "13", PlayTitle: "第13集 敬请期待"})
	return eps, sr
}
