package qq

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/vdlproject/vdl/extractors"
)

// vinfo is what one getinfo/getvinfo reply says about the quality it
// describes (vl.vi[0]) and about every quality available (fl.fi[]).
type vinfo struct {
	vid, lnk, title string
	duration        time.Duration
	quality         quality   // the quality vi describes (fl.fi with br == vi.br, else sl == 1)
	qualities       []quality // every fl.fi entry
	fn, fvkey       string
	width, height   int
	size            int64
	drm             bool
	mirrors         []mirror
	clips           []clip // cl.ci; empty for a single file
	singleKeyID     string // cl.keyid when there are no clips
	// preview is how much plays without paying; far below the duration
	// the reply is a trial, not the video.
	preview time.Duration
	// subtitles are sfl.fi: the caption files (vqq.md §2C).
	subtitles []extractors.Subtitle
	// segments is vi.fc in a proxyhttp TS-mode reply: the number of
	// <stem>.<idx>.ts files of fn (docs/vqq.md §2D).
	segments int
	// m3u8 is vi.ul.m3u8: the media playlist's text or a link to it.
	m3u8 string
	// hasPreview says the reply has a preview field at all: a trial reply
	// may lack it (yt-dlp#5909), and then only the media tells.
	hasPreview bool
}

type quality struct {
	id                 int64
	name, cname, sname string
	resolution         string
	size               int64
	bandwidth, audioBW int64
	fps                float64
	drm                bool
}

// mirror is one CDN prefix (ul.ui[]): a progressive prefix, or an HLS
// playlist when hls.pt is set or the URL is itself a playlist.
type mirror struct {
	url string
	hls string // the playlist URL for HLS mirrors
}

type clip struct {
	idx      int
	size     int64
	duration time.Duration
	keyID    string
}

// parseVinfo reads a successful reply; every field it relies on is
// checked, so a changed API is an error naming the field.
func parseVinfo(api string, r gjson.Result) (*vinfo, error) {
	vi, err := need(api, r, "vl.vi.0")
	if err != nil {
		return nil, err
	}
	v := &vinfo{
		vid:   vi.Get("vid").String(),
		lnk:   vi.Get("lnk").String(),
		title: strings.TrimSpace(vi.Get("ti").String()),
		fn:    vi.Get("fn").String(),
		fvkey: vi.Get("fvkey").String(),
		width: int(vi.Get("vw").Int()), height: int(vi.Get("vh").Int()),
		size: vi.Get("fs").Int(),
		drm:  vi.Get("drm").Int() == 1 || vi.Get("ckc").Exists(),
	}
	if v.vid == "" {
		return nil, fmt.Errorf("%w: qq: unexpected %s reply (field vl.vi.0.vid missing)", extractors.ErrAPIChanged, api)
	}
	if v.lnk == "" {
		v.lnk = v.vid
	}
	r.Get("sfl.fi").ForEach(func(_, fi gjson.Result) bool {
		lang, u := strings.ToLower(strings.TrimSpace(fi.Get("lang").String())), fi.Get("url").String()
		if lang == "" || !strings.HasPrefix(u, "http") {
			return true
		}
		ext := "vtt"
		if fi.Get("captionType").Int() == 1 {
			ext = "srt"
		}
		if isPlaylistURL(u) {
			ext = "vtt" // an HLS subtitle playlist: WebVTT segments, read later (subtitles.go)
		}
		v.subtitles = append(v.subtitles, extractors.Subtitle{Lang: lang, Ext: ext, URL: u})
		return true
	})
	if td, err := strconv.ParseFloat(vi.Get("td").String(), 64); err == nil && td > 0 {
		v.duration = time.Duration(td * float64(time.Second))
	}
	uis, err := need(api, vi, "ul.ui")
	if err != nil {
		return nil, err
	}
	for _, ui := range uis.Array() {
		prefix := ui.Get("url").String()
		if prefix == "" {
			continue
		}
		m := mirror{url: prefix}
		switch {
		case ui.Get("hls.pt").Exists():
			m.hls = prefix + ui.Get("hls.pt").String()
		case isPlaylistURL(prefix):
			m.hls = prefix // a direct playlist link (China-only videos)
		}
		v.mirrors = append(v.mirrors, m)
	}
	if len(v.mirrors) == 0 {
		return nil, fmt.Errorf("%w: qq: unexpected %s reply (no CDN prefix in vl.vi.0.ul.ui)", extractors.ErrAPIChanged, api)
	}
	for _, fi := range r.Get("fl.fi").Array() {
		v.qualities = append(v.qualities, quality{
			id: fi.Get("id").Int(), name: fi.Get("name").String(), cname: fi.Get("cname").String(),
			sname: fi.Get("sname").String(), resolution: fi.Get("resolution").String(), size: fi.Get("fs").Int(),
			bandwidth: fi.Get("bandwidth").Int(), audioBW: fi.Get("audiobandwidth").Int(), fps: fi.Get("vfps").Float(),
			drm: fi.Get("drm").Int() != 0,
		})
	}
	v.quality = v.describedQuality(vi.Get("br").Int(), r.Get("fl.fi"))
	for _, ci := range vi.Get("cl.ci").Array() {
		c := clip{idx: int(ci.Get("idx").Int()), size: ci.Get("cs").Int(), keyID: ci.Get("keyid").String()}
		if cd, err := strconv.ParseFloat(ci.Get("cd").String(), 64); err == nil {
			c.duration = time.Duration(cd * float64(time.Second))
		}
		if c.idx <= 0 {
			return nil, fmt.Errorf("%w: qq: unexpected %s reply (clip without idx)", extractors.ErrAPIChanged, api)
		}
		v.clips = append(v.clips, c)
	}
	v.singleKeyID = vi.Get("cl.keyid").String()
	v.preview = time.Duration(r.Get("preview").Float() * float64(time.Second))
	v.hasPreview = r.Get("preview").Exists()
	if fc := vi.Get("fc").Int(); fc > 0 && fc <= maxSegments {
		v.segments = int(fc)
	} else if fc > maxSegments {
		return nil, fmt.Errorf("%w: qq: unexpected %s reply (vl.vi.0.fc %d segments)", extractors.ErrAPIChanged, api, fc)
	}
	v.m3u8 = strings.TrimSpace(vi.Get("ul.m3u8").String())
	return v, nil
}

// maxSegments bounds a TS-mode segment count: hours of 10-second files.
const maxSegments = 20000

// isPlaylistURL says a URL names an HLS playlist (its path ends .m3u8).
func isPlaylistURL(u string) bool {
	p, _, _ := strings.Cut(u, "?")
	return strings.HasSuffix(strings.ToLower(p), ".m3u8")
}

// trialLength says how long the reply plays when it gives a preview
// rather than the whole video (0 when whole, or not known from the
// reply): its preview field, or its clips, fall short of the duration
// (lux#668, #1151; yt-dlp#5909: a reply without preview whose clips
// cover five minutes of forty).
func (v *vinfo) trialLength() time.Duration {
	if v.duration <= 0 {
		return 0
	}
	slack := trialSlack(v.duration)
	if v.preview > 0 && v.preview+slack < v.duration {
		return v.preview
	}
	var clips time.Duration
	for _, c := range v.clips {
		clips += c.duration
	}
	if len(v.clips) > 0 && clips > 0 && clips+slack < v.duration {
		return clips
	}
	return 0
}

// trialSlack is what rounding may take off a length (td 216.04 against
// preview 216, whole-second EXTINFs): 2 %, at least 2 seconds.
func trialSlack(d time.Duration) time.Duration { return max(2*time.Second, d/50) }

// playlists are the mirrors offering the quality as HLS.
func (v *vinfo) playlists() []mirror {
	var out []mirror
	for _, m := range v.mirrors {
		if m.hls != "" {
			out = append(out, m)
		}
	}
	return out
}

// prefixes are the CDN prefixes of progressive files.
func (v *vinfo) prefixes() []string {
	var out []string
	for _, m := range v.mirrors {
		if m.hls == "" {
			out = append(out, m.url)
		}
	}
	return out
}

// describedQuality finds the fl.fi entry vl.vi[0] describes: same bitrate
// (br), else the one marked selected (sl == 1).
func (v *vinfo) describedQuality(br int64, fis gjson.Result) quality {
	for i, fi := range fis.Array() {
		if br != 0 && fi.Get("br").Int() == br {
			return v.qualities[i]
		}
	}
	for i, fi := range fis.Array() {
		if fi.Get("sl").Int() == 1 {
			return v.qualities[i]
		}
	}
	return quality{name: "default"}
}

// label is how a quality is shown: cname ("超清;(720P)") or sname and
// resolution.
func (q quality) label() string {
	if q.cname != "" {
		return strings.ReplaceAll(q.cname, ";", " ")
	}
	return strings.TrimSpace(q.sname + " " + q.resolution)
}

// height reads "720P" style resolutions.
func (q quality) height() int {
	r := strings.TrimSuffix(strings.ToUpper(q.resolution), "P")
	if r == "" {
		if i := strings.Index(q.cname, "("); i >= 0 {
			r = strings.TrimSuffix(strings.TrimSuffix(q.cname[i+1:], ")"), "P")
		}
	}
	h, _ := strconv.Atoi(r)
	return h
}
