package mux

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// TestLangCode: a site's tag becomes an ISO 639-2/T code only when it
// names a language; anything else a server sends is "und".
func TestLangCode(t *testing.T) {
	for _, tt := range []struct{ tag, want string }{
		{"zh", "zho"}, {"zh-cn", "zho"}, {"ZH-TW", "zho"}, {"zh_CN", "zho"}, {"yue", "zho"}, {"chi", "zho"},
		{"en", "eng"}, {"EN", "eng"}, {"en-US", "eng"}, {"eng", "eng"}, {"ja", "jpn"}, {"ko", "kor"},
		{"fr", "fra"}, {"fre", "fra"}, {"de", "deu"}, {"ger", "deu"}, {"es", "spa"}, {"pt-br", "por"},
		{"th", "tha"}, {"vi", "vie"}, {"und", "und"},
		// not languages
		{"日", "und"}, {"123", "und"}, {"", "und"}, {"abc", "und"}, {"xx", "und"}, {"中文", "und"},
		{strings.Repeat("q9", 22) + "z", "und"}, {"e\x00n", "und"}, {"-", "und"},
	} {
		if got := langCode(tt.tag); got != tt.want {
			t.Errorf("langCode(%q) = %q, want %q", tt.tag, got, tt.want)
		}
		code := isoLang(tt.tag)
		unpacked := string([]byte{byte(code>>10&31) + 0x60, byte(code>>5&31) + 0x60, byte(code&31) + 0x60})
		if unpacked != tt.want {
			t.Errorf("isoLang(%q) packs %q, want %q", tt.tag, unpacked, tt.want)
		}
	}
}

// TestParseCueTimesBounded: hours that would overflow a time.Duration
// (or an int) are a bad timing, not a wrapped time; large but sane hours
// parse exactly.
func TestParseCueTimesBounded(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Duration // -1: refused
	}{
		{"00:00:01.500", 1500 * time.Millisecond},
		{"01:02.250", time.Minute + 2250*time.Millisecond},
		{"999:00:00.000", 999 * time.Hour},
		{"1193:02:52.296", (1<<32 + 5000) * time.Millisecond},
		{"1000000:00:00.000", 1e6 * time.Hour},
		{"1000001:00:00.000", -1},
		{"2562048:00:00.000", -1},              // past time.Duration
		{"99999999999999999999:00:00.000", -1}, // past int
		{"00:00:75.000", -1},
		{"00:61:00.000", -1},
	} {
		got, err := parseCueTime(tt.in)
		if tt.want < 0 && err == nil || tt.want >= 0 && (err != nil || got != tt.want) {
			t.Errorf("parseCueTime(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	if _, err := ParseCues([]byte("99999999999999999999:00:00.000 --> 99999999999999999999:00:01.000\nx\n")); !errors.Is(err, ErrCorrupt) {
		t.Errorf("overflowing cue: %v, want ErrCorrupt", err)
	}
}

// TestMergeWebVTTTimestampMaps: a map outside the 33-bit MPEG-TS clock
// is refused (never an overflowed shift); a map that wraps the clock
// moves cues the short way; cues moved before 0 are dropped.
func TestMergeWebVTTTimestampMaps(t *testing.T) {
	seg := func(mpegts, local, cue string) []byte {
		return []byte("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:" + mpegts + ",LOCAL:" + local + "\n\n" + cue + "\nx\n")
	}
	for _, tt := range []struct {
		name string
		segs [][]byte
		want string // "" = ErrCorrupt
	}{
		{"2^63-1", [][]byte{seg("900000", "00:00:00.000", "00:00:01.000 --> 00:00:02.000"), seg("9223372036854775807", "00:00:00.000", "00:00:03.000 --> 00:00:04.000")}, ""},
		{"2^33", [][]byte{seg("8589934592", "00:00:00.000", "00:00:01.000 --> 00:00:02.000")}, ""},
		{"negative", [][]byte{seg("-90000", "00:00:00.000", "00:00:01.000 --> 00:00:02.000")}, ""},
		{"overflowing LOCAL", [][]byte{seg("0", "99999999999999999999:00:00.000", "00:00:01.000 --> 00:00:02.000")}, ""},
		{"the clock wraps between segments", [][]byte{
			seg("8589844592", "00:00:00.000", "00:00:00.500 --> 00:00:00.900"), // 1 s before the wrap
			seg("810000", "00:00:00.000", "00:00:00.500 --> 00:00:00.900"),     // 9 s after it
		}, "00:00:00.500 --> 00:00:00.900\nx\n\n00:00:10.500 --> 00:00:10.900"},
		{"a cue moved before the start", [][]byte{
			seg("900000", "00:00:00.000", "00:00:01.000 --> 00:00:02.000"),
			seg("0", "00:00:00.000", "00:00:01.000 --> 00:00:02.000\nx\n\n00:00:09.000 --> 00:00:12.000"),
		}, "00:00:01.000 --> 00:00:02.000\nx\n\n00:00:00.000 --> 00:00:02.000\nx\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MergeWebVTT(tt.segs)
			if tt.want == "" {
				if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "X-TIMESTAMP-MAP") {
					t.Errorf("got %q, %v; want ErrCorrupt naming the X-TIMESTAMP-MAP", got, err)
				}
				return
			}
			if err != nil || !strings.Contains(string(got), tt.want) {
				t.Errorf("got %q, %v; want it to hold %q", got, err, tt.want)
			}
			if strings.Count(string(got), "-->") != strings.Count(tt.want, "-->") {
				t.Errorf("got %q: other cues than %q", got, tt.want)
			}
		})
	}
}

// TestTextTracksEndWithTheVideo: cues from the video's end on are
// dropped, one across it is cut, none wraps the 32-bit millisecond
// clock into the picture, and a track left without cues is left out.
func TestTextTracksEndWithTheVideo(t *testing.T) {
	ms := func(v int64) time.Duration { return time.Duration(v) * time.Millisecond }
	cues := []Cue{
		{ms(1000), ms(2000), "in"},
		{ms(14000), ms(20000), "across"},
		{ms(1<<32 + 5000), ms(1<<32 + 6000), "wrapped"},
		{999 * time.Hour, 999*time.Hour + time.Second, "late"},
	}
	type span struct {
		text     string
		from, to int64
	}
	read := func(ot *outTrack, src source) []span {
		var out []span
		var at int64
		for _, s := range ot.samples {
			b := make([]byte, s.size)
			if _, err := src.ReadAt(b, s.off); err != nil {
				t.Fatal(err)
			}
			if s.size > 2 {
				out = append(out, span{string(b[2:]), at, at + int64(s.dur)})
			}
			at += int64(s.dur)
		}
		return out
	}
	for _, tt := range []struct {
		name string
		end  time.Duration
		want []span
		past int
	}{
		{"a 15 s video", 15 * time.Second, []span{{"in", 1000, 2000}, {"across", 14000, 15000}}, 3},
		{"no end known", time.Duration(math.MaxInt64), []span{{"in", 1000, 2000}, {"across", 14000, 20000}, {"late", 999 * 3600_000, 999*3600_000 + 1000}}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tracks, src, past := buildTextTracks([]TextTrack{{Lang: "en", Cues: cues}, {Lang: "fr", Cues: cues[2:3]}}, 0, tt.end)
			if len(tracks) != 1 || past != tt.past+1 {
				t.Fatalf("%d tracks, %d cues past the end; want 1 (the French one has no cue left) and %d", len(tracks), past, tt.past+1)
			}
			got := read(tracks[0], src)
			if len(got) != len(tt.want) {
				t.Fatalf("cues %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("cue %d = %v, want %v", i, got[i], tt.want[i])
				}
			}
		})
	}
}
