package fakeqq

import "fmt"

// The fake's catalogue. Every case the extractor must handle has an
// episode: the legacy flow with a platform refusal, a lnk that differs
// from the vid, clips and a single file named the new way; the getvinfo
// flow with HLS (TS and fMP4), progressive MP4 and DRM; a VIP episode and
// a region-blocked one.

// Episode is one video of the fake.
type Episode struct {
	Vid, Cid, Lnk string
	Title         string
	Duration      string // td, seconds as the API writes it
	// VinfoRefusal, if set, is getvinfo's answer to every request (a
	// refusal reply body without the QZOutputJson wrapper).
	VinfoRefusal string
	// RefusePlatforms answer getinfo with "cannot play outside".
	RefusePlatforms []string
	// Refusal answers every API request (VIP, region).
	Refusal   string
	Qualities []Quality
	// Subtitles are sfl.fi: files in PagesDir/subs named <vid>.<lang>.<ext>.
	Subtitles []string // "zh-cn.srt", "en.vtt"
}

// Quality is one fl.fi entry and what the CDN serves for it.
type Quality struct {
	ID                 int
	Name, CName, SName string
	Resolution         string
	Width, Height      int
	BR                 int
	Kind               string   // "clips", "file", "hls", "drm" or "vip"
	Files              []string // media files (clips or one file), relative to the media dir
	FN                 string   // the file name the API gives (fn); clips insert their index
	HLSDir             string   // for "hls": a folder of the media dir holding index.m3u8
}

const (
	notPay  = `{"em":83,"exem":-2,"ip":"10.228.30.109","msg":"not pay","s":"f"}`
	outside = `{"em":100,"exem":2,"s":"f","msg":"cannot play outside","ip":"x.x.x.x"}`
	badCKey = `{"ip":"183.247.4.228","retry":1,"s":"f","em":85,"exem":-3,"msg":"这个视频被外星人劫走，暂时看不了了~","type":-3,"curTime":1718887533,"rand":"o77cp3tMXxx7UJYk1YpfHw==","code":"85.-3"}`
	geo     = `{"s":"f","em":80,"exem":1,"code":"80.1","msg":"您所在区域暂无此内容版权（如设置VPN请关闭后重试）"}`
)

// Series is a cover page: its items in list order (trailers and items
// without a vid included, as the list APIs give them).
type Series struct {
	Cid, Title string
	Items      []Item
	// PageShows is how many items the cover page itself lists (the rest
	// only through the list APIs); 0 = all.
	PageShows int
	// Form2026: its pages are in the 2026 form (unless Config.Legacy).
	Form2026 bool
	// TabEnds are the last item positions (1-based) of every getPage tab
	// but the last, which runs to the end; none = one tab.
	TabEnds []int
	// What the 2026 pages and getPage say about the series.
	Year, Description, TypeName string
	Actors, Genres              []string
	Poster, Fanart              string // new_pic_vt, new_pic_hz
}

// Item is one entry of a series' list. Title is the list's label: the
// episode number for an episode, "预告" for a trailer.
type Item struct {
	Vid, Title, PlayTitle string
	Trailer               bool
}

// vids are the series' items that have a vid, in order.
func (sr *Series) vids() []string {
	var out []string
	for _, it := range sr.Items {
		if it.Vid != "" {
			out = append(out, it.Vid)
		}
	}
	return out
}

// Series ids of the fake.
const (
	// LongSeries is 13 items: a trailer first, then E01-E12, E06 VIP
	// only. GetPageData pages it 10 items at a time; the cover page
	// shows the first 10.
	LongSeries = "mzc00200vdlser1"
	// LongSeriesTitle is its name.
	LongSeriesTitle = "vdl测试剧"
)

// PreviewVid is an episode whose file is a quarter of the length the API
// gives.
const PreviewVid = "p00preview0"

// LongSeriesVid is the vid of episode n (1-12) of LongSeries; 0 is its
// trailer.
func LongSeriesVid(n int) string {
	if n == 0 {
		return "t00vdlser00"
	}
	return fmt.Sprintf("s%02dvdlser00", n)
}

// longSeries builds LongSeries: every episode one progressive MP4 file
// (file; default the source fixture) under a name of its own.
func longSeries(file string) ([]*Episode, *Series) {
	if file == "" {
		file = "source/source.mp4"
	}
	sr := &Series{Cid: LongSeries, Title: LongSeriesTitle, PageShows: 10}
	var eps []*Episode
	for n := 0; n <= 12; n++ {
		vid := LongSeriesVid(n)
		title := fmt.Sprintf("%s 第%02d集", LongSeriesTitle, n)
		if n == 0 {
			title = LongSeriesTitle + " 预告"
		}
		e := &Episode{Vid: vid, Cid: LongSeries, Duration: "15.02", Title: title,
			Qualities: []Quality{{ID: 10201, Name: "shd", SName: "超清", Resolution: "720P", Width: 1280, Height: 720, BR: 180,
				Kind: "file", Files: []string{file}, FN: "gzc_1000102_" + vid + ".f10201.mp4"}}}
		if n == 6 {
			e.Refusal, e.Qualities = notPay, nil
		}
		eps = append(eps, e)
		if n == 0 {
			sr.Items = append(sr.Items, Item{Vid: vid, Title: "预告", PlayTitle: title, Trailer: true})
		} else {
			sr.Items = append(sr.Items, Item{Vid: vid, Title: fmt.Sprint(n), PlayTitle: title})
		}
	}
	return eps, sr
}

// catalogue returns the episodes and series; clips is the folder (under
// the media dir, or absolute) of the multi-clip episode's clips.
func catalogue(clips []string, seriesFile string) ([]*Episode, []*Series) {
	legacy := &Episode{
		// lux's test video; lnk differs from vid as in lux#1401.
		Vid: "n0687peq62x", Lnk: "h0027rk9fiy", Duration: "15.02",
		Title:           "世界杯第一期：100秒速成！“伪球迷”世界杯生存指南",
		VinfoRefusal:    badCKey,
		RefusePlatforms: []string{"11"},
		Qualities: []Quality{
			{ID: 10209, Name: "fhd", CName: "蓝光;(1080P)", Resolution: "1080P", Width: 1920, Height: 1080, BR: 210, Kind: "vip"},
			{ID: 10201, Name: "shd", CName: "超清;(720P)", Resolution: "720P", Width: 1280, Height: 720, BR: 180, Kind: "clips",
				Files: clips, FN: "h0027rk9fiy.p201.mp4"},
			{ID: 10212, Name: "hd", CName: "高清;(480P)", Resolution: "480P", Width: 852, Height: 480, BR: 150, Kind: "file",
				Files: []string{"source/source.mp4"}, FN: "gzc_1000102_0b53a1b2c3d4.f10212.mp4"},
		},
	}
	hlsEp := &Episode{
		Vid: "a00269ix3l8", Cid: "7ce5noezvafma27", Duration: "15.02", Title: "鸡毛飞上天 第01集",
		Subtitles: []string{"zh-cn.srt", "en.vtt"},
		Qualities: []Quality{
			{ID: 10209, Name: "fhd", SName: "蓝光", Resolution: "1080P", Width: 1920, Height: 1080, BR: 210, Kind: "drm"},
			{ID: 10201, Name: "shd", SName: "超清", Resolution: "720P", Width: 1280, Height: 720, BR: 180, Kind: "file",
				Files: []string{"source/source.mp4"}, FN: "gzc_1000102_0b53e5f6a7b8.f10201.mp4"},
			{ID: 10212, Name: "hd", SName: "高清", Resolution: "480P", Width: 852, Height: 480, BR: 150, Kind: "hls", HLSDir: "hls-fmp4"},
			{ID: 10203, Name: "sd", SName: "标清", Resolution: "270P", Width: 480, Height: 270, BR: 145, Kind: "hls", HLSDir: "hls-ts"},
		},
	}
	vip := &Episode{Vid: "b00269ix3l9", Cid: "7ce5noezvafma27", Duration: "2700.00", Title: "鸡毛飞上天 第02集", Refusal: notPay}
	blocked := &Episode{Vid: "g00269ix3l0", Duration: "60.00", Title: "region blocked", Refusal: geo}
	// A video the API calls 60 s long whose file is the 15 s source: what
	// a preview or a truncated upload looks like.
	short := &Episode{Vid: PreviewVid, Duration: "60.00", Title: "preview only",
		Qualities: []Quality{{ID: 10201, Name: "shd", SName: "超清", Resolution: "720P", Width: 1280, Height: 720, BR: 180,
			Kind: "file", Files: []string{"source/source.mp4"}, FN: "gzc_1000102_" + PreviewVid + ".f10201.mp4"}}}
	series := &Series{Cid: "7ce5noezvafma27", Title: "鸡毛飞上天", Items: []Item{
		{Vid: hlsEp.Vid, Title: "1", PlayTitle: hlsEp.Title}, {Vid: vip.Vid, Title: "2", PlayTitle: vip.Title}}}
	long, longSr := longSeries(seriesFile)
	return append([]*Episode{legacy, hlsEp, vip, blocked, short}, long...), []*Series{series, longSr}
}
