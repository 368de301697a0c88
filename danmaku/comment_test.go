package danmaku

import (
	"strings"
	"testing"
	"time"
)

func TestCleanText(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"  hello\n\tworld  ", "hello world", true},
		{"前方\u0000高能", "前方 高能", true},
		{"\u202Eevil\u2066", "evil", true},
		{"bad \xff byte", "bad \uFFFD byte", true},
		{"emoji 👍🏽 ok", "emoji 👍🏽 ok", true},
		{"\r\n\x01 ", "", false},
		{strings.Repeat("长", MaxTextRunes), strings.Repeat("长", MaxTextRunes), true},
		{strings.Repeat("长", MaxTextRunes+1), "", false},
		{strings.Repeat("x", 5<<20), "", false}, // megabytes of text
	} {
		got, ok := CleanText(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("CleanText(%.20q) = %.20q, %v; want %.20q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestDedupAcrossSegments(t *testing.T) {
	// Segment 2 repeats the boundary comment of segment 1; comments come
	// out by time, each id once, id-less ones all kept.
	seg1 := []Comment{{ID: "a", Time: 1 * time.Second}, {ID: "b", Time: 30 * time.Second}}
	seg2 := []Comment{{ID: "b", Time: 30 * time.Second}, {ID: "c", Time: 31 * time.Second}, {Time: 32 * time.Second}, {Time: 32 * time.Second}}
	got, dups := Dedup(append(seg2, seg1...))
	var ids []string
	for _, c := range got {
		ids = append(ids, c.ID)
	}
	if dups != 1 || strings.Join(ids, ",") != "a,b,c,," {
		t.Fatalf("dedup: %q, %d dropped", ids, dups)
	}
}

func TestModeNames(t *testing.T) {
	for _, m := range []Mode{Scroll, Top, Bottom} {
		if ParseMode(m.String()) != m {
			t.Errorf("mode %d does not round-trip through %q", m, m.String())
		}
	}
	if ParseMode("sideways") != Scroll || Mode(9).String() != "scroll" {
		t.Error("unknown modes are not scroll")
	}
}
