package mux

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
}

func (t *Tags) empty() bool {
	return t == nil || *t == Tags{}
}

// maxTagBytes bounds one tag's text: a title or a URL, never a document.
const maxTagBytes = 4096

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
	text := func(typ, v string) {
		if v == "" {
			return
		}
		if len(v) > maxTagBytes {
			v = v[:maxTagBytes]
		}
		b.start(typ)
		b.start("data")
		b.u32(1) // UTF-8
		b.u32(0) // locale
		b.bytes([]byte(v))
		b.end()
		b.end()
	}
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
	b.end() // ilst
	b.end() // meta
	b.end() // udta
}
