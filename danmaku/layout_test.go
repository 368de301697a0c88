package danmaku

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// crowd makes n comments over span, mixed lengths (ASCII, CJK, emoji) and
// modes, from a fixed seed.
func crowd(n int, span time.Duration, seed uint64) []Comment {
	rng := rand.New(rand.NewPCG(seed, 1))
	words := []string{"hi", "哈哈哈", "前方高能", "🎉🎉", "this is a rather long comment indeed", "666", "好看！！", "第一"}
	cs := make([]Comment, n)
	for i := range cs {
		mode := Scroll
		switch rng.IntN(10) {
		case 0:
			mode = Top
		case 1:
			mode = Bottom
		}
		text := strings.Repeat(words[rng.IntN(len(words))], 1+rng.IntN(3))
		cs[i] = Comment{ID: fmt.Sprint(i), Time: time.Duration(rng.Int64N(int64(span))), Text: text, Mode: mode, Color: White}
	}
	return cs
}

// xAt is a placed comment's left edge at t, as \move interpolates it.
func xAt(p Placed, t time.Duration) float64 {
	f := float64(t-p.Start) / float64(p.End-p.Start)
	return p.X0 + (p.X1-p.X0)*f
}

// overlaps simulates every pair of comments on one lane in steps of 10 ms
// and returns the first time two of them share pixels.
func overlaps(ps []Placed) error {
	type key struct {
		m    Mode
		lane int
	}
	byLane := map[key][]Placed{}
	for _, p := range ps {
		k := key{p.Mode, p.Lane}
		byLane[k] = append(byLane[k], p)
	}
	for k, list := range byLane {
		for i := range list {
			for j := i + 1; j < len(list); j++ {
				a, b := list[i], list[j]
				from, to := max(a.Start, b.Start), min(a.End, b.End)
				if from >= to {
					continue
				}
				if k.m != Scroll {
					return fmt.Errorf("static %q and %q share lane %d from %v to %v", a.Text, b.Text, k.lane, from, to)
				}
				for t := from; t < to; t += 10 * time.Millisecond {
					ax, bx := xAt(a, t), xAt(b, t)
					if ax < bx+b.Width && bx < ax+a.Width {
						return fmt.Errorf("%q and %q overlap on lane %d at %v (x %.0f+%.0f, %.0f+%.0f)", a.Text, b.Text, k.lane, t, ax, a.Width, bx, b.Width)
					}
				}
			}
		}
	}
	return nil
}

func TestLayoutNoTwoCommentsOverlap(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int
		span time.Duration
		o    Options
	}{
		{"sparse 1080p", 200, 10 * time.Minute, Options{}},
		{"dense 1080p", 3000, 2 * time.Minute, Options{}},
		{"dense 720p, half the screen", 3000, 2 * time.Minute, Options{Width: 1280, Height: 720, Area: 0.5}},
		{"fast scroll, big font", 2000, time.Minute, Options{ScrollDuration: 3 * time.Second, FontSize: 80}},
		{"with subtitles", 1500, time.Minute, Options{Subtitles: []Cue{{0, time.Minute, "x"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps, st := Layout(crowd(tc.n, tc.span, 7), tc.o)
			if err := overlaps(ps); err != nil {
				t.Fatal(err)
			}
			if st.Placed != len(ps) || st.Placed+st.Crowded+st.Duplicates+st.Invalid+st.Filtered+st.PastEnd+st.OverDensity != st.Total {
				t.Fatalf("stats do not add up: %+v, %d placed", st, len(ps))
			}
			if st.Placed == 0 {
				t.Fatalf("nothing placed: %+v", st)
			}
			g := newGeometry(tc.o.withDefaults())
			for _, p := range ps {
				if p.Y < 0 || p.Y+g.lineHeight > g.bottom+0.5 {
					t.Fatalf("%q at y=%.0f outside the area 0..%.0f", p.Text, p.Y, g.bottom)
				}
			}
		})
	}
}

func TestLayoutDropsWhenFullUnlessNoDrop(t *testing.T) {
	var cs []Comment
	for i := range 100 { // 100 comments in one instant: far more than the lanes
		cs = append(cs, Comment{ID: fmt.Sprint(i), Time: time.Second, Text: "同一时刻的弹幕"})
	}
	ps, st := Layout(cs, Options{})
	lanes := newGeometry(Options{}.withDefaults()).lanes
	if len(ps) != lanes || st.Crowded != 100-lanes {
		t.Fatalf("placed %d (lanes %d), crowded %d", len(ps), lanes, st.Crowded)
	}
	ps, st = Layout(cs, Options{NoDrop: true})
	if len(ps) != 100 || st.Crowded != 0 {
		t.Fatalf("NoDrop placed %d, crowded %d", len(ps), st.Crowded)
	}
}

func TestLayoutLaneReuse(t *testing.T) {
	// A short comment after a long one on the same lane: the long one is
	// faster, so the short one may follow it as soon as there is a gap;
	// a long one after a short one must wait until it cannot catch up.
	o := Options{}.withDefaults()
	short, long := "短", strings.Repeat("长", 30)
	for _, tc := range []struct {
		first, second string
		after         time.Duration
		sameLane      bool
	}{
		{long, short, 3 * time.Second, false}, // still entering
		{long, short, 4 * time.Second, true},
		{short, long, 200 * time.Millisecond, false},
		{short, long, 7 * time.Second, true},
		{short, short, 100 * time.Millisecond, false},
		{short, short, time.Second, true},
	} {
		ps, _ := Layout([]Comment{{ID: "a", Time: 0, Text: tc.first}, {ID: "b", Time: tc.after, Text: tc.second}}, o)
		if got := ps[0].Lane == ps[1].Lane; got != tc.sameLane {
			t.Errorf("%d runes then %d runes %v later: same lane %v, want %v", len([]rune(tc.first)), len([]rune(tc.second)), tc.after, got, tc.sameLane)
		}
		if err := overlaps(ps); err != nil {
			t.Error(err)
		}
	}
}

func TestChooseCountsEveryReason(t *testing.T) {
	f, err := NewFilter([]string{`^广告`}, strings.NewReader("# words\nspoiler\n\n"))
	if err != nil {
		t.Fatal(err)
	}
	cs := []Comment{
		{ID: "1", Time: time.Second, Text: "ok"},
		{ID: "1", Time: time.Second, Text: "ok"},              // duplicate
		{ID: "2", Time: 2 * time.Second, Text: "广告 buy now"},  // regexp
		{ID: "3", Time: 2 * time.Second, Text: "big spoiler"}, // keyword
		{ID: "4", Time: 3 * time.Second, Text: "\x00\x01  \n"},
		{ID: "5", Time: 4 * time.Second, Text: strings.Repeat("x", MaxTextRunes+1)},
		{ID: "6", Time: 90 * time.Second, Text: "past the end"},
		{ID: "7", Time: 500 * time.Millisecond, Text: "before the start once offset"},
		{ID: "8", Time: 5 * time.Second, Text: "a"}, {ID: "9", Time: 5100 * time.Millisecond, Text: "b"},
		{ID: "10", Time: 5200 * time.Millisecond, Text: "c"}, // over 2 per second
	}
	ps, st := Layout(cs, Options{Filter: f, Duration: 60 * time.Second, Offset: -time.Second, MaxPerSecond: 2})
	want := Stats{Total: 11, Duplicates: 1, Filtered: 2, Invalid: 2, PastEnd: 2, OverDensity: 1, Placed: 3}
	if st != want {
		t.Fatalf("stats %+v, want %+v", st, want)
	}
	if ps[0].Start != 0 || ps[1].Text != "a" || ps[1].Start != 4*time.Second {
		t.Fatalf("offset not applied: %+v", ps)
	}
}

func TestNewFilterRefusesBadExpression(t *testing.T) {
	if _, err := NewFilter([]string{"("}, nil); err == nil || !strings.Contains(err.Error(), `"("`) {
		t.Fatalf("err %v, want one naming the expression", err)
	}
}

func BenchmarkLayout(b *testing.B) {
	cs := crowd(50000, 45*time.Minute, 3)
	b.ReportAllocs()
	for b.Loop() {
		Layout(cs, Options{})
	}
}
