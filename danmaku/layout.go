package danmaku

import (
	"math"
	"time"

	"github.com/mattn/go-runewidth"
)

// Options shape the rendering. The zero value looks like the site's player
// on a 1080p frame.
type Options struct {
	Width, Height  int           // the video's frame (ASS PlayRes); 0: 1920x1080
	Font           string        // font family; "": sans-serif
	FontSize       float64       // pixels at PlayRes; 0: Height/25
	Opacity        float64       // 0 < Opacity <= 1; 0: 0.8
	ScrollDuration time.Duration // time a scrolling comment takes to cross; 0: 8 s
	StaticDuration time.Duration // time a top or bottom comment stays; 0: 4 s
	Area           float64       // share of the height comments use, from the top; 0: 1
	Offset         time.Duration // added to every comment's time
	Duration       time.Duration // the video's length: later comments are left out; 0: unknown
	MaxPerSecond   int           // density cap; 0: none
	NoDrop         bool          // place a comment even when every lane is full
	Filter         *Filter
	Subtitles      []Cue  // the site's subtitles, shown at the bottom below the comments
	Title          string // names the video in the file's header
	Note           string // a warning written into the header ("danmaku: 14 of 15 segments")
}

// Cue is one subtitle cue to merge into the comment file.
type Cue struct {
	Start, End time.Duration
	Text       string // lines separated by "\n"
}

// withDefaults returns o with every zero field set.
func (o Options) withDefaults() Options {
	if o.Width <= 0 || o.Height <= 0 {
		o.Width, o.Height = 1920, 1080
	}
	if o.Font == "" {
		o.Font = "sans-serif"
	}
	if o.FontSize <= 0 {
		o.FontSize = math.Round(float64(o.Height) / 25)
	}
	if o.Opacity <= 0 || o.Opacity > 1 {
		o.Opacity = 0.8
	}
	if o.ScrollDuration <= 0 {
		o.ScrollDuration = 8 * time.Second
	}
	if o.StaticDuration <= 0 {
		o.StaticDuration = 4 * time.Second
	}
	if o.Area <= 0 || o.Area > 1 {
		o.Area = 1
	}
	return o
}

// Placed is a comment with its place on the frame: its text line's top
// edge Y, and its left edge X0 at Start and X1 at End (the same for a
// static comment, whose X is its centre).
type Placed struct {
	Comment
	Start, End time.Duration
	Lane       int
	Y          float64
	X0, X1     float64
	Width      float64
}

// geometry is the frame as the layout sees it.
type geometry struct {
	o          Options
	lineHeight float64
	lanes      int
	bottom     float64 // the comment area's lower edge
	gap        float64 // room kept between two comments on one lane
}

func newGeometry(o Options) geometry {
	g := geometry{o: o, lineHeight: math.Ceil(o.FontSize * 1.25), gap: o.FontSize / 2}
	g.bottom = float64(o.Height) * o.Area
	if len(o.Subtitles) > 0 {
		g.bottom = min(g.bottom, float64(o.Height)-subtitleBand(o))
	}
	g.lanes = max(1, int(g.bottom/g.lineHeight))
	return g
}

// TextWidth is a comment's width in pixels at fontSize: a full-width
// character (CJK, emoji) is about one em, a half-width one half an em.
func TextWidth(text string, fontSize float64) float64 {
	return float64(runewidth.StringWidth(text)) * fontSize / 2
}

// lane is the last comment placed on one lane.
type lane struct {
	used       bool
	start, end time.Duration
	width      float64
}

// Layout chooses, from comments sorted by time, the ones to show and where:
// a scrolling comment takes the first lane (top down) on which it neither
// touches the previous comment when it enters nor catches it up before
// that one leaves the frame; a static one takes the first lane whose
// previous comment has gone. When every lane is full the comment is
// dropped and counted, or with NoDrop put on the lane that frees first.
func Layout(cs []Comment, o Options) ([]Placed, Stats) {
	o = o.withDefaults()
	st := Stats{Total: len(cs)}
	cs, st.Duplicates = Dedup(cs)
	cs = choose(cs, &o, &st)
	g := newGeometry(o)
	lanes := map[Mode][]lane{Scroll: make([]lane, g.lanes), Top: make([]lane, g.lanes), Bottom: make([]lane, g.lanes)}
	out := make([]Placed, 0, len(cs))
	for _, c := range cs {
		// Times on the ASS grid (centiseconds), so that the file moves each
		// comment exactly as it was placed.
		c.Time = c.Time.Truncate(10 * time.Millisecond)
		p := Placed{Comment: c, Start: c.Time, Width: TextWidth(escape(c.Text), o.FontSize)}
		ls := lanes[c.Mode]
		var i int
		if c.Mode == Scroll {
			p.End = c.Time + o.ScrollDuration
			i = g.scrollLane(ls, p)
			p.X0, p.X1 = float64(o.Width), -p.Width
		} else {
			p.End = c.Time + o.StaticDuration
			i = staticLane(ls, p)
			p.X0 = float64(o.Width) / 2
			p.X1 = p.X0
		}
		if i < 0 {
			if !o.NoDrop {
				st.Crowded++
				continue
			}
			i = freesFirst(ls)
		}
		ls[i] = lane{used: true, start: p.Start, end: p.End, width: p.Width}
		p.Lane = i
		p.Y = float64(i) * g.lineHeight
		if c.Mode == Bottom {
			p.Y = g.bottom - float64(i+1)*g.lineHeight
		}
		out = append(out, p)
	}
	st.Placed = len(out)
	return out, st
}

// scrollLane returns the first lane p fits on, or -1.
func (g geometry) scrollLane(ls []lane, p Placed) int {
	for i, l := range ls {
		if !l.used || g.scrollFits(l, p) {
			return i
		}
	}
	return -1
}

// scrollFits: the distance from the previous comment's right edge to the
// new one's left edge changes linearly while both move, so it is enough to
// check it when the new one enters and when the previous one's right edge
// leaves the frame; after that it is gone.
func (g geometry) scrollFits(prev lane, p Placed) bool {
	if p.Start >= prev.end {
		return true
	}
	w := float64(g.o.Width)
	d := g.o.ScrollDuration.Seconds()
	vPrev := (w + prev.width) / d
	vNew := (w + p.Width) / d
	since := (p.Start - prev.start).Seconds()
	entered := vPrev*since - prev.width // gap between them as the new one enters
	if entered < g.gap {
		return false
	}
	leftAtExit := w - vNew*(prev.end-p.Start).Seconds() // new left edge when prev's right edge is at 0
	return leftAtExit >= g.gap
}

// staticLane returns the first lane whose comment has gone, or -1.
func staticLane(ls []lane, p Placed) int {
	for i, l := range ls {
		if !l.used || l.end <= p.Start {
			return i
		}
	}
	return -1
}

// freesFirst is the lane for a comment that fits nowhere (NoDrop): the one
// whose last comment started earliest, so the overlap is the smallest.
func freesFirst(ls []lane) int {
	best := 0
	for i, l := range ls {
		if l.start < ls[best].start {
			best = i
		}
	}
	return best
}
