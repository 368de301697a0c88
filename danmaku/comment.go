// Package danmaku places bullet comments (弹幕) on the frame the way a
// site's player does and writes them as an ASS subtitle file that libass
// players (mpv, VLC, Jellyfin, Plex, Kodi) render. It knows no site and no
// HTTP: an extractor fetches the comments, this package dedups, filters,
// lays out and renders them, and keeps the raw comments in a stable JSON
// form that a later run can render again.
package danmaku

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Mode is where a comment is shown.
type Mode int

const (
	// Scroll moves right to left across the frame.
	Scroll Mode = iota
	// Top stays centred at the top of the comment area.
	Top
	// Bottom stays centred at the bottom of the comment area.
	Bottom
)

var modeNames = [...]string{Scroll: "scroll", Top: "top", Bottom: "bottom"}

func (m Mode) String() string {
	if m < 0 || int(m) >= len(modeNames) {
		return "scroll"
	}
	return modeNames[m]
}

// ParseMode reads a Mode written by String; anything else is Scroll, the
// player's default.
func ParseMode(s string) Mode {
	for m, name := range modeNames {
		if s == name {
			return Mode(m)
		}
	}
	return Scroll
}

// White is the colour of a comment whose style names none.
const White uint32 = 0xFFFFFF

// Comment is one bullet comment as the site gave it.
type Comment struct {
	ID    string        // the site's id, unique within one video
	Time  time.Duration // offset from the video's start
	Text  string
	Color uint32 // 0xRRGGBB
	Mode  Mode
	User  string // the site's user id, kept in the raw file only
}

// MaxTextRunes bounds one comment's text: players cap comments far below
// this, so a longer one is junk (or an attack on the layout) and is
// skipped and counted as invalid.
const MaxTextRunes = 300

// CleanText returns text as it can be shown on one line: invalid UTF-8
// replaced, control characters and line breaks turned into spaces, runs of
// spaces folded, ends trimmed. ok is false when nothing printable is left
// or the text is longer than MaxTextRunes.
func CleanText(text string) (clean string, ok bool) {
	if len(text) > MaxTextRunes*utf8.UTFMax {
		return "", false
	}
	var b strings.Builder
	space := false
	n := 0
	for _, r := range strings.ToValidUTF8(text, "\uFFFD") {
		if unicode.IsControl(r) || unicode.IsSpace(r) || r == '\u2028' || r == '\u2029' || isBidiControl(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
		n++
	}
	if n == 0 || n > MaxTextRunes {
		return "", false
	}
	return b.String(), true
}

// isBidiControl reports the bidirectional controls that would reorder the
// rest of a rendered line.
func isBidiControl(r rune) bool {
	return (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069') || r == '\u200E' || r == '\u200F' || r == '\u061C'
}

// Dedup sorts comments by time (then id) and keeps the first of each id: a
// comment at a segment boundary is served by both segments. Comments
// without an id are kept. It returns the comments and how many it dropped.
func Dedup(cs []Comment) ([]Comment, int) {
	out := slices.Clone(cs)
	slices.SortStableFunc(out, func(a, b Comment) int {
		return cmp.Or(cmp.Compare(a.Time, b.Time), strings.Compare(a.ID, b.ID))
	})
	seen := make(map[string]bool, len(out))
	kept := out[:0]
	for _, c := range out {
		if c.ID != "" {
			if seen[c.ID] {
				continue
			}
			seen[c.ID] = true
		}
		kept = append(kept, c)
	}
	return kept, len(cs) - len(kept)
}
