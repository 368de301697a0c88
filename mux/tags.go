package mux

import "unicode/utf8"

// Tags are the metadata an MP4 output carries, in the iTunes-style ilst
// atoms that players and media servers read (ffprobe shows them as
// title, show, season_number, episode_sort, episode_id, comment).
type Tags struct {
	Title   string // ©nam
	Show    string // tvsh: the series
	Season  int    // tvsn; 0 = none
	Episode int    // tves; 0 = none
	// EpisodeID is tven, a label such as "E06".
	EpisodeID string
	Comment   string // ©cmt: where the video came from (its page URL)
	// Description is desc (cut to 255 bytes, as iTunes reads it) and, when
	// longer, ldes in full (bounded by maxLongTagBytes).
	Description string
	Date        string // ©day: the air date (2026-03-01) or year
	Genre       string // ©gen
	// Kind is stik, the media kind: KindTVShow or KindMovie; 0 = none.
	Kind int
	// Cover is covr, cover art: JPEG or PNG bytes (CoverType says which);
	// players show it as the file's picture, ffprobe as an attached picture.
	Cover []byte
	// CoverPNG says Cover is PNG (data type 14) rather than JPEG (13).
	CoverPNG bool
}

// The media kinds of stik.
const (
	KindMovie  = 9
	KindTVShow = 10
)

func (t *Tags) empty() bool {
	return t == nil || t.Title == "" && t.Show == "" && t.Season == 0 && t.Episode == 0 && t.EpisodeID == "" &&
		t.Comment == "" && t.Description == "" && t.Date == "" && t.Genre == "" && t.Kind == 0 && len(t.Cover) == 0
}

// maxTagBytes bounds one tag's text: a title or a URL, never a document.
const maxTagBytes = 4096

// maxLongTagBytes bounds ldes, a plot; maxCoverBytes the cover art.
const (
	maxShortDescBytes = 255
	maxLongTagBytes   = 64 << 10
	maxCoverBytes     = 16 << 20
)

// cutUTF8 cuts s to at most n bytes on a character boundary.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// writeUdta writes moov/udta/meta/ilst with the tags that are set.
func writeUdta(b *builder, t *Tags) {
	if t.empty() {
		return
	}
	b.start("udta")
	b.startFull("meta", 0, 0)
	b.startFull("hdlr", 0, 0)
	b.u32(0)
	b.bytes([]byte("mdir"))
	b.bytes([]byte("appl"))
	b.u32(0)
	b.u32(0)
	b.u8(0) // empty name
	b.end()
	b.start("ilst")
	data := func(typ string, kind uint32, v []byte) {
		b.start(typ)
		b.start("data")
		b.u32(kind)
		b.u32(0) // locale
		b.bytes(v)
		b.end()
		b.end()
	}
	textUpTo := func(typ, v string, limit int) {
		if v = cutUTF8(v, limit); v != "" {
			data(typ, 1, []byte(v)) // UTF-8
		}
	}
	text := func(typ, v string) { textUpTo(typ, v, maxTagBytes) }
	number := func(typ string, n int) {
		if n <= 0 {
			return
		}
		b.start(typ)
		b.start("data")
		b.u32(21) // big-endian signed integer
		b.u32(0)
		b.u32(uint32(n))
		b.end()
		b.end()
	}
	text("\xa9nam", t.Title)
	text("tvsh", t.Show)
	number("tvsn", t.Season)
	number("tves", t.Episode)
	text("tven", t.EpisodeID)
	text("\xa9cmt", t.Comment)
	textUpTo("desc", t.Description, maxShortDescBytes)
	if len(t.Description) > maxShortDescBytes {
		textUpTo("ldes", t.Description, maxLongTagBytes)
	}
	text("\xa9day", t.Date)
	text("\xa9gen", t.Genre)
	if t.Kind > 0 && t.Kind < 256 {
		data("stik", 21, []byte{byte(t.Kind)})
	}
	if len(t.Cover) > 0 && len(t.Cover) <= maxCoverBytes {
		kind := uint32(13) // JPEG
		if t.CoverPNG {
			kind = 14
		}
		data("covr", kind, t.Cover)
	}
	b.end() // ilst
	b.end() // meta
	b.end() // udta
}
