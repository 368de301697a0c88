package danmaku

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"
)

// dialogue matches one event line as Render writes it; the text after the
// one override block must hold no brace and no backslash.
var dialogue = regexp.MustCompile(`^Dialogue: [01],\d:\d\d:\d\d\.\d\d,\d:\d\d:\d\d\.\d\d,(Danmaku|Subtitle),,0,0,0,,(\{[^{}]*\})?([^{}\\]*(\\N[^{}\\]*)*)$`)

// checkASS fails unless every line of out is a header line or a
// well-formed event, and returns the events' texts.
func checkASS(t testing.TB, out string) []string {
	t.Helper()
	var texts []string
	events := false
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		switch {
		case l == "[Events]":
			events = true
		case events && strings.HasPrefix(l, "Format: "):
		case events:
			m := dialogue.FindStringSubmatch(l)
			if m == nil {
				t.Fatalf("malformed event line %q", l)
			}
			texts = append(texts, m[3])
		case l == "" || strings.HasPrefix(l, "[") || strings.HasPrefix(l, ";") || strings.Contains(l, ": "):
		default:
			t.Fatalf("malformed header line %q", l)
		}
	}
	return texts
}

func TestRenderEscapesOverrideInjection(t *testing.T) {
	cs := []Comment{
		{ID: "1", Time: time.Second, Text: `{\fs200\c&H0000FF&}big red`, Color: White},
		{ID: "2", Time: 2 * time.Second, Text: `line one\Nline two`, Color: White},
		{ID: "3", Time: 3 * time.Second, Text: "real\nnewline\r\nDialogue: 0,0:00:00.00,9:00:00.00,Danmaku,,0,0,0,,injected", Color: White},
		{ID: "4", Time: 4 * time.Second, Text: `}{\an5}`, Color: White},
		{ID: "5", Time: 5 * time.Second, Text: "emoji 🎉 kept, \u202Ereversed", Color: White},
	}
	var out bytes.Buffer
	st, err := Render(&out, cs, Options{Title: "Ep 1\n[Events]"})
	if err != nil || st.Placed != len(cs) {
		t.Fatalf("render: %v, %+v", err, st)
	}
	texts := checkASS(t, out.String())
	if len(texts) != len(cs) {
		t.Fatalf("%d events, want %d:\n%s", len(texts), len(cs), out.String())
	}
	for i, want := range []string{"｛＼fs200＼c&H0000FF&｝big red", "line one＼Nline two", "real newline Dialogue: 0,0:00:00.00,9:00:00.00,Danmaku,,0,0,0,,injected", "｝｛＼an5｝", "emoji 🎉 kept, reversed"} {
		if texts[i] != want {
			t.Errorf("event %d text %q, want %q", i, texts[i], want)
		}
	}
	if strings.Count("\n"+out.String(), "\n[Events]\n") != 1 {
		t.Errorf("the title opened a section:\n%s", out.String())
	}
}

func TestRenderHeaderAndStyles(t *testing.T) {
	var out bytes.Buffer
	cs := []Comment{
		{ID: "1", Time: 61*time.Second + 234*time.Millisecond, Text: "red", Color: 0xFF0000},
		{ID: "2", Time: 2 * time.Second, Text: "top", Mode: Top, Color: White},
		{ID: "3", Time: 3 * time.Second, Text: "black", Color: 0x000000, Mode: Bottom},
	}
	subs := []Cue{{Start: time.Second, End: 3 * time.Second, Text: "first line\nsecond {line}"}}
	if _, err := Render(&out, cs, Options{Width: 1280, Height: 720, Opacity: 0.5, Font: "Noto Sans CJK SC", Subtitles: subs}); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	checkASS(t, s)
	for _, want := range []string{
		"PlayResX: 1280\n", "PlayResY: 720\n",
		"Style: Danmaku,Noto Sans CJK SC,29,&H80FFFFFF,", // 720/25, half opaque
		"Dialogue: 1,0:00:01.00,0:00:03.00,Subtitle,,0,0,0,,first line\\Nsecond ｛line｝\n",
		"Dialogue: 0,0:01:01.23,0:01:09.23,Danmaku,,0,0,0,,{\\move(1280,0,-44,0)\\c&H0000FF&}red\n",
		"Dialogue: 0,0:00:02.00,0:00:06.00,Danmaku,,0,0,0,,{\\an8\\pos(640,0)}top\n",
		"{\\an8\\pos(640,", "\\c&H000000&\\3c&HFFFFFF&}black\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("no %q in\n%s", want, s)
		}
	}
}

func TestParseColor(t *testing.T) {
	for in, want := range map[string]uint32{"#ff0000": 0xFF0000, "00ff00": 0x00FF00, "0x0000FF": 0xFF, "16777215": 0xFFFFFF,
		"255": 255, "": White, "red": White, "#12345678": White, "99999999999": White, "-1": White} {
		if got := ParseColor(in); got != want {
			t.Errorf("ParseColor(%q) = %06x, want %06x", in, got, want)
		}
	}
}

func TestRawRoundTrip(t *testing.T) {
	cs := []Comment{{ID: "a", Time: 1500 * time.Millisecond, Text: "好 {x}", Color: 0x00FF00, Mode: Top, User: "u1"}}
	var b bytes.Buffer
	if err := WriteRaw(&b, NewRaw("qq", "v1", "t", time.Minute, RawSegments{Total: 2, Fetched: 1, Missing: []string{"t/v1/30000/60000"}}, cs)); err != nil {
		t.Fatal(err)
	}
	r, err := ReadRaw(&b)
	if err != nil {
		t.Fatal(err)
	}
	if r.Complete || r.Segments.Fetched != 1 || r.DurationMS != 60000 {
		t.Fatalf("raw %+v", r)
	}
	if got := r.CommentList(); len(got) != 1 || got[0] != cs[0] {
		t.Fatalf("comments %+v, want %+v", got, cs)
	}
	for _, bad := range []string{`{"schema":"other/1"}`, `not json`, `[]`} {
		if _, err := ReadRaw(strings.NewReader(bad)); err == nil {
			t.Errorf("ReadRaw(%q) accepted", bad)
		}
	}
}

func FuzzRender(f *testing.F) {
	f.Add(`{\b1}x`, int64(1000), "top")
	f.Add("a\nb\\N}{", int64(-5), "bottom")
	f.Add("\xff\xfe", int64(1<<62), "scroll")
	f.Fuzz(func(t *testing.T, text string, ms int64, mode string) {
		cs := []Comment{{ID: "1", Time: time.Duration(ms) * time.Millisecond, Text: text, Mode: ParseMode(mode), Color: White},
			{ID: "2", Time: time.Second, Text: text, Color: White}}
		var out bytes.Buffer
		st, err := Render(&out, cs, Options{Title: text, Font: text, Subtitles: []Cue{{0, time.Second, text}}})
		if err != nil {
			t.Fatal(err)
		}
		if st.Total != 2 {
			t.Fatalf("stats %+v", st)
		}
		checkASS(t, out.String())
	})
}
