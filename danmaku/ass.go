package danmaku

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// subtitleFontSize is the merged subtitles' size: larger than the comments,
// as a player shows subtitles.
func subtitleFontSize(o Options) float64 { return math.Round(float64(o.Height) / 18) }

// subtitleBand is the height kept free for two lines of merged subtitles
// at the bottom of the frame.
func subtitleBand(o Options) float64 {
	return 2*math.Ceil(subtitleFontSize(o)*1.25) + subtitleMargin(o)
}

func subtitleMargin(o Options) float64 { return math.Round(float64(o.Height) / 30) }

// Render lays out cs and writes them to w as an ASS file, with o.Subtitles
// merged at the bottom. It returns what became of the comments.
func Render(w io.Writer, cs []Comment, o Options) (Stats, error) {
	o = o.withDefaults()
	placed, st := Layout(cs, o)
	bw := bufio.NewWriter(w)
	writeHeader(bw, o)
	for _, c := range o.Subtitles {
		if c.End <= c.Start {
			continue
		}
		lines := strings.Split(c.Text, "\n")
		for i, l := range lines {
			l, _ = CleanText(l)
			lines[i] = escape(l)
		}
		fmt.Fprintf(bw, "Dialogue: 1,%s,%s,Subtitle,,0,0,0,,%s\n", assTime(c.Start), assTime(c.End), strings.Join(lines, `\N`))
	}
	for _, p := range placed {
		fmt.Fprintf(bw, "Dialogue: 0,%s,%s,Danmaku,,0,0,0,,{%s%s}%s\n", assTime(p.Start), assTime(p.End), position(p), colour(p.Color), escape(p.Text))
	}
	if err := bw.Flush(); err != nil {
		return st, fmt.Errorf("write danmaku: %w", err)
	}
	return st, nil
}

// ASSSignature starts every file Render writes, so that a later run can
// tell its own files from a user's.
const ASSSignature = "[Script Info]\n; Bullet comments rendered by vdl\n"

func writeHeader(w io.Writer, o Options) {
	alpha := uint8(math.Round((1 - o.Opacity) * 255))
	title, _ := CleanText(o.Title)
	fmt.Fprint(w, ASSSignature)
	if note, ok := CleanText(o.Note); ok {
		fmt.Fprintf(w, "; INCOMPLETE: %s\n", note)
	}
	fmt.Fprintf(w, "Title: %s\nScriptType: v4.00+\nPlayResX: %d\nPlayResY: %d\nWrapStyle: 2\nScaledBorderAndShadow: yes\nYCbCr Matrix: None\n\n", escape(title), o.Width, o.Height)
	fmt.Fprint(w, "[V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\n")
	font := strings.NewReplacer(",", " ", "\n", " ").Replace(o.Font)
	outline := math.Max(1, math.Round(o.FontSize/18))
	// Alignment 7 (top left): \move and \pos give a comment's top-left corner.
	fmt.Fprintf(w, "Style: Danmaku,%s,%g,&H%02XFFFFFF,&H%02XFFFFFF,&H%02X000000,&H%02X000000,0,0,0,0,100,100,0,0,1,%g,0,7,0,0,0,1\n", font, o.FontSize, alpha, alpha, alpha, alpha, outline)
	fmt.Fprintf(w, "Style: Subtitle,%s,%g,&H00FFFFFF,&H00FFFFFF,&H00000000,&H80000000,0,0,0,0,100,100,0,0,1,2,1,2,20,20,%g,1\n\n", font, subtitleFontSize(o), subtitleMargin(o))
	fmt.Fprint(w, "[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n")
}

// position is the override that puts p where Layout placed it.
func position(p Placed) string {
	if p.Mode == Scroll {
		return fmt.Sprintf(`\move(%d,%d,%d,%d)`, int(math.Round(p.X0)), int(math.Round(p.Y)), int(math.Round(p.X1)), int(math.Round(p.Y)))
	}
	return fmt.Sprintf(`\an8\pos(%d,%d)`, int(math.Round(p.X0)), int(math.Round(p.Y)))
}

// colour is the override for a comment's colour; a dark comment gets a
// light outline so that it stays readable, as the players draw it.
func colour(rgb uint32) string {
	if rgb == White {
		return ""
	}
	r, g, b := rgb>>16&0xFF, rgb>>8&0xFF, rgb&0xFF
	s := fmt.Sprintf(`\c&H%02X%02X%02X&`, b, g, r)
	if 299*r+587*g+114*b < 60000 {
		s += `\3c&HFFFFFF&`
	}
	return s
}

// escape makes text inert in an ASS event: a brace would open an override
// block and a backslash start a tag or a line break (\N), so both become
// their full-width forms, which every renderer draws as text. Line breaks
// are already gone (CleanText).
var escape = strings.NewReplacer(`\`, `＼`, `{`, `｛`, `}`, `｝`).Replace

// assTime is h:mm:ss.cc, the ASS time form (centiseconds, rounded down).
func assTime(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	cs := int64(d / (10 * time.Millisecond))
	return fmt.Sprintf("%d:%02d:%02d.%02d", cs/360000, cs/6000%60, cs/100%60, cs%100)
}
