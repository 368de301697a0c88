// Package extractors defines vdl's media model and the registry of site
// extractors. An extractor turns a page URL into Media (formats, each a
// list of streams of segments); it resolves only: no disk, no printing.
// Sites register themselves in init and declare their hosts, so the core
// never grows a switch on host names.
package extractors

import (
	"net/http"
	"strings"
	"time"
)

// Kind is what a stream carries.
type Kind string

const (
	KindMuxed Kind = "av"    // audio and video together (a plain file, MP4 clips, TS)
	KindVideo Kind = "video" // video only
	KindAudio Kind = "audio" // audio only
)

// Media is one downloadable item: an episode, a video, a file.
type Media struct {
	Site     string        `json:"site"`
	ID       string        `json:"id"`
	Title    string        `json:"title"`
	Series   string        `json:"series,omitempty"`
	Episode  int           `json:"episode,omitempty"`
	PageURL  string        `json:"page_url"`
	Duration time.Duration `json:"-"` // written in seconds (json.go)
	// FileName is a server-suggested name (Content-Disposition), if any.
	FileName string   `json:"file_name,omitempty"`
	Formats  []Format `json:"formats"` // best first
	// SignedURLs says the segment URLs carry short-lived keys: when they
	// start answering 403/410, extracting the page again refreshes them.
	SignedURLs bool `json:"signed_urls,omitempty"`
	// Subtitles are the caption files the site offers, one per language.
	Subtitles []Subtitle `json:"-"` // written in yt-dlp's shape (json.go)
	// Preview says the formats hold only the free part of the video (a
	// VIP episode's first minutes): offered only when the user asked to
	// keep previews (Env.KeepPreviews), and then named as one.
	Preview bool `json:"preview,omitempty"`
	// Show is what the site says about the series the item belongs to,
	// when it says anything.
	Show *Show `json:"show,omitempty"`
	// What a media library shows of the episode itself, when the site
	// says it: its season (0: unknown; the series title may name it, see
	// SplitSeason), plot, air date (YYYY-MM-DD) and still image URL.
	Season      int    `json:"season_number,omitempty"`
	Description string `json:"description,omitempty"`
	AirDate     string `json:"air_date,omitempty"`
	Thumbnail   string `json:"thumbnail,omitempty"`
}

// Show describes a series (a cover on v.qq.com): what a media library
// wants to know of it. Empty fields are unknown.
type Show struct {
	ID          string   `json:"id,omitempty"` // the site's id of the series (v.qq.com: the cid)
	Title       string   `json:"title,omitempty"`
	Year        int      `json:"year,omitempty"`
	Description string   `json:"description,omitempty"`
	Type        string   `json:"type,omitempty"` // the site's word: "电视剧", "动漫", "电影", ...
	Cast        []string `json:"cast,omitempty"`
	Genres      []string `json:"genres,omitempty"`
	Poster      string   `json:"poster,omitempty"` // portrait cover art URL
	Fanart      string   `json:"fanart,omitempty"` // landscape art URL
}

// Subtitle is one caption file: its language (lower case, as the site
// names it: "zh-cn", "en"), format ("srt", "vtt") and URL.
type Subtitle struct {
	Lang   string      `json:"lang"`
	Ext    string      `json:"ext"`
	URL    string      `json:"url"`
	Header http.Header `json:"-"` // what the request must carry
	// Segments, when set, are the WebVTT files of an HLS subtitle
	// rendition (URL is its playlist): the cues of all of them, their
	// X-TIMESTAMP-MAP applied, make the subtitle.
	Segments []string `json:"-"`
}

// Format is one quality of a Media.
type Format struct {
	ID        string   `json:"id"`
	Label     string   `json:"label,omitempty"`
	Container string   `json:"container"` // what the parts are: mp4, ts, or video+audio (ts+ts); see OutputExt
	Width     int      `json:"width,omitempty"`
	Height    int      `json:"height,omitempty"`
	Bitrate   int64    `json:"bitrate,omitempty"` // bits per second
	Codecs    string   `json:"codecs,omitempty"`  // RFC 6381 codec list, as a playlist states it
	FPS       float64  `json:"fps,omitempty"`
	Size      int64    `json:"size"`               // exact bytes, -1 unknown
	EstSize   int64    `json:"est_size,omitempty"` // an estimate (bitrate x duration) when Size is unknown
	Streams   []Stream `json:"streams"`
	DRM       bool     `json:"drm,omitempty"`
	DRMScheme string   `json:"drm_scheme,omitempty"` // what the DRM is, for messages: "SAMPLE-AES", a KEYFORMAT
	// Flow names the site's way of getting this format (v.qq.com:
	// "proxyhttp-ts", "proxyhttp-mp4", "getvinfo", "getinfo"); "" for
	// sites with one way. A download whose first media request the CDN
	// refuses hands the item to the site's next flow (Flows).
	Flow string `json:"flow,omitempty"`
	// Plain marks a file as the server has it (a plain URL): saved as its
	// bytes, not joined or checked as media. Every other format is media
	// the join builds and validates, even from a single segment.
	Plain bool `json:"plain,omitempty"`
}

// Stream is one elementary or muxed stream: its segments in play order.
type Stream struct {
	Kind     Kind        `json:"kind"`
	Init     *Segment    `json:"init,omitempty"`
	Segments []Segment   `json:"segments"`
	Header   http.Header `json:"-"` // headers media requests must carry (Referer, ...)
}

// Segment is one fetchable piece. Size -1 means unknown. Length > 0 makes
// it a byte range [Offset, Offset+Length) of URL.
type Segment struct {
	URL      string        `json:"url"`
	Size     int64         `json:"size"`
	Offset   int64         `json:"offset,omitempty"`
	Length   int64         `json:"length,omitempty"`
	Key      *Key          `json:"key,omitempty"`
	Duration time.Duration `json:"-"` // written in seconds (json.go)
	// Discontinuity marks an HLS EXT-X-DISCONTINUITY before the segment:
	// timestamps may restart here (ads, stitched content).
	Discontinuity bool `json:"discontinuity,omitempty"`
	// Mirrors are other URLs of the same bytes (CDN prefixes), tried in
	// order when URL refuses.
	Mirrors []string `json:"mirrors,omitempty"`
	// RangesOK says the extractor saw URL answer a ranged request with a
	// sound 206 (a probe): the download may split it from the start.
	RangesOK bool `json:"-"`
}

// Key describes segment encryption: HLS AES-128 (CBC, PKCS#7), the key
// being the 16 bytes at URI. IV is always set by the extractor (HLS
// derives it from the media sequence number when the playlist has none).
type Key struct {
	Method string `json:"method"`
	URI    string `json:"uri"`
	IV     []byte `json:"iv,omitempty"`
}

// Result is what an extractor returns: one item, or a series to resolve
// entry by entry.
type Result struct {
	Media    []*Media  `json:"media,omitempty"`
	Playlist *Playlist `json:"playlist,omitempty"`
}

// Playlist is a series or list whose entries are resolved lazily.
type Playlist struct {
	Site    string  `json:"site"`
	ID      string  `json:"id"`
	Title   string  `json:"title"`
	Show    *Show   `json:"show,omitempty"`
	Entries []Entry `json:"entries"`
}

// Entry is one item of a Playlist, resolved later through its URL. ID is
// the item's id on its site (the Media.ID it resolves to), known without
// a request, so that an archived item is skipped before any.
//
// Episode is the item's number as the site gives it (v.qq.com: an item
// whose title is a number); 0 when the site numbers nothing. Numbers may
// have gaps (a special listed elsewhere): they are the site's, not
// positions in the list.
type Entry struct {
	URL     string `json:"url"`
	ID      string `json:"id"`
	Title   string `json:"title,omitempty"`
	Episode int    `json:"episode,omitempty"`
}

// OutputExt is the extension of the file a download of f gives. MPEG-TS
// media is remuxed into MP4 unless keepTS (--remux ts) or its codecs are
// ones the remux cannot carry; a plain file keeps its own container, as
// served.
func (f *Format) OutputExt(keepTS bool) string {
	c, _, _ := strings.Cut(f.Container, "+")
	if c == "ts" && !f.Plain && !keepTS && f.Remuxable() {
		return "mp4"
	}
	return c
}

// Remuxable says whether the format's codecs, as its playlist states them
// (RFC 6381), are ones vdl's TS-to-MP4 remux carries: H.264, HEVC and
// AAC (ADTS). Unknown codecs (none stated) are taken as remuxable; the
// remux itself refuses what it cannot carry.
func (f *Format) Remuxable() bool {
	for _, c := range strings.Split(f.Codecs, ",") {
		c = strings.ToLower(strings.TrimSpace(c))
		family, profile, _ := strings.Cut(c, ".")
		switch family {
		case "", "avc1", "avc3", "hvc1", "hev1", "wvtt", "stpp", "tx3g":
		case "mp4a":
			switch profile {
			case "40.1", "40.2", "40.3", "40.4", "40.5", "40.29", "40":
			default:
				return false // MP3 (40.34, 6b, 69), AC-3 (a5), E-AC-3 (a6)...
			}
		default:
			return false // ac-3, ec-3, mp4v, ...
		}
	}
	return true
}
