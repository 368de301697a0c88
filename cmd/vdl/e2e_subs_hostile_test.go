package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vdlproject/vdl/internal/mediaserver"
	"github.com/vdlproject/vdl/internal/testtools"
)

// A hostile server's subtitles and timestamps (issue 17, items 7 and 8):
// a subtitle that cannot be had costs the subtitle, never the video; a
// server's language is a code only when it is a language; a result far
// longer than the site says, cues past the video's end, overflowing
// timestamp maps and an absurd A/V start offset are never published as
// the video.

// hostileLongTitle is a server title that fills the 200-byte name rule
// by itself (CJK: a cut must fall on a character boundary).
var hostileLongTitle = strings.Repeat("第一集", 30)

// junkLang is a 45-byte language a server chose.
var junkLang = strings.Repeat("q9", 22) + "z"

// hostileSubsSite serves the fMP4 and TS fixtures behind masters whose
// subtitle renditions (and TS timestamps) misbehave.
func hostileSubsSite(t *testing.T) *mediaserver.Site {
	t.Helper()
	files := map[string][]byte{}
	fixtureFiles(t, "hls-fmp4", "/fmp4/", files)
	fixtureFiles(t, "hls-ts", "/plain/", files)
	master := func(name string, langs ...string) {
		var b strings.Builder
		b.WriteString("#EXTM3U\n")
		for _, l := range langs {
			fmt.Fprintf(&b, "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"s\",NAME=\"%s\",LANGUAGE=\"%s\",URI=\"%s.m3u8\"\n", l, l, subsFile(l))
		}
		b.WriteString("#EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=320x180,CODECS=\"avc1.4d400d,mp4a.40.2\",SUBTITLES=\"s\"\n../fmp4/index.m3u8\n")
		files["/bad/"+name+".m3u8"] = []byte(b.String())
	}
	rendition := func(lang string, segs ...string) {
		var b strings.Builder
		b.WriteString("#EXTM3U\n#EXT-X-TARGETDURATION:8\n")
		for i, s := range segs {
			name := fmt.Sprintf("%s%d.vtt", subsFile(lang), i)
			fmt.Fprintf(&b, "#EXTINF:7.5,\n%s\n", name)
			if s != "" { // "" is a segment the server does not have (404)
				files["/bad/"+name] = []byte(s)
			}
		}
		b.WriteString("#EXT-X-ENDLIST\n")
		files["/bad/"+subsFile(lang)+".m3u8"] = []byte(b.String())
	}
	good := "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nBonjour\n"
	rendition("fr", good)

	// Item 7: a segment that 404s, one of junk, one with broken timing.
	rendition("en", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHello\n", "")
	master("missing", "en", "fr")
	rendition("en-junk", "<html><body>\x00\x01 rate limited</body></html>")
	master("junk", "en-junk", "fr")
	rendition("en-timing", "WEBVTT\n\n00:00:75.000 --> 00:00:76.000\nHello\n")
	master("timing", "en-timing", "fr")
	// Server-chosen languages: a 45-byte one under a title that fills
	// the name by itself, and ones that are no language at all.
	for _, l := range []string{junkLang, "日", "123", "zh-TW", "EN"} {
		rendition(l, good)
	}
	master("langs", "日", "123", junkLang, "zh-TW", "EN")
	files["/long/"+hostileLongTitle+".m3u8"] = bytes.ReplaceAll(files["/bad/langs.m3u8"], []byte("URI=\""), []byte("URI=\"../bad/"))

	// Item 8: cues far past the 15 s video (999 h; 2^32 ms + 5 s, which
	// a 32-bit millisecond clock shows at 5 s); timestamp maps that
	// overflow.
	rendition("en-late", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHello\n\n"+
		"1193:02:52.296 --> 1193:02:53.296\nwrapped\n\n999:00:00.000 --> 999:00:01.000\nlate\n")
	master("late", "en-late")
	rendition("en-map", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHello\n",
		"WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:9223372036854775807,LOCAL:00:00:00.000\n\n00:00:03.000 --> 00:00:04.000\nover\n")
	master("map", "en-map", "fr")

	// A TS whose audio starts 6.8 h after its video (a server's random
	// timestamps), as one 4 s segment.
	seg, err := os.ReadFile(filepath.Join(mediaDir, "hls-ts", "seg000.ts"))
	if err != nil {
		t.Fatal(err)
	}
	shift := int64(6.8 * 3600 * 90000)
	files["/skew/a.ts"] = rewritePES(seg, func(audio bool, ts int64) int64 {
		if audio {
			return ts + shift
		}
		return ts
	})
	rng := rand.New(rand.NewPCG(17, 8))
	files["/skew/r.ts"] = rewritePES(seg, func(bool, int64) int64 { return rng.Int64N(1 << 33) })
	for _, n := range []string{"a", "r"} {
		files["/skew/"+n+".m3u8"] = []byte("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.0,\n" + n + ".ts\n#EXT-X-ENDLIST\n")
	}
	// 75 s of media (the clip five times, restarting its clock) in a
	// playlist that says 2 s.
	var pl strings.Builder
	pl.WriteString("#EXTM3U\n#EXT-X-TARGETDURATION:1\n")
	for rep := range 5 {
		if rep > 0 {
			pl.WriteString("#EXT-X-DISCONTINUITY\n")
		}
		for i := range 4 {
			fmt.Fprintf(&pl, "#EXTINF:0.1,\n../plain/seg%03d.ts\n", i)
		}
	}
	pl.WriteString("#EXT-X-ENDLIST\n")
	files["/long-media/index.m3u8"] = []byte(pl.String())

	s := mediaserver.StartSite(files, mediaserver.SiteOptions{})
	t.Cleanup(s.Close)
	return s
}

// subsFile is the served file name of a language's rendition.
func subsFile(lang string) string {
	return fmt.Sprintf("r%x", lang)
}

// rewritePES replaces the PTS and DTS of every PES header that starts in
// a packet of ts (audio: stream IDs 0xC0-0xDF) by f's value.
func rewritePES(ts []byte, f func(audio bool, ts int64) int64) []byte {
	out := append([]byte(nil), ts...)
	for off := 0; off+188 <= len(out); off += 188 {
		p := out[off : off+188]
		if p[0] != 0x47 || p[1]&0x40 == 0 {
			continue
		}
		at := 4
		if p[3]&0x20 != 0 {
			at += 1 + int(p[4])
		}
		h := p[at:]
		if len(h) < 14 || h[0] != 0 || h[1] != 0 || h[2] != 1 || h[7]&0x80 == 0 {
			continue
		}
		audio := h[3] >= 0xc0 && h[3] <= 0xdf
		put := func(b []byte) {
			v := f(audio, int64(b[0]>>1&7)<<30|int64(b[1])<<22|int64(b[2]>>1)<<15|int64(b[3])<<7|int64(b[4]>>1)) & (1<<33 - 1)
			b[0] = b[0]&0xf0 | byte(v>>29)&0x0e | 1
			b[1], b[2], b[3], b[4] = byte(v>>22), byte(v>>14)|1, byte(v>>7), byte(v<<1)|1
		}
		put(h[9:14])
		if h[7]&0x40 != 0 && len(h) >= 19 {
			put(h[14:19])
		}
	}
	return out
}

// TestSubsUnavailableAreWarnings: a subtitle whose segment 404s, is junk
// or has broken timing is a warning naming the language; the video is
// published at exit 0 (with --embed-subs: with the other languages'
// tracks; with --write-subs: with their sidecars), and a rerun finds it
// done.
func TestSubsUnavailableAreWarnings(t *testing.T) {
	testtools.Require(t, "ffprobe")
	s := hostileSubsSite(t)
	for _, tt := range []struct{ master, lang string }{
		{"missing", "en"}, {"junk", "en-junk"}, {"timing", "en-timing"},
	} {
		for _, mode := range []string{"--embed-subs", "--write-subs"} {
			t.Run(tt.master+" "+mode, func(t *testing.T) {
				dir := t.TempDir()
				out := filepath.Join(dir, "v.mp4")
				r := runVDL(t, nil, "-q", "-d", dir, "-o", "v.mp4", mode, s.URL("/bad/"+tt.master+".m3u8"))
				if r.code != 0 || !strings.Contains(r.stderr, "no "+tt.lang+" subtitles: ") {
					t.Fatalf("exit %d, want 0 with a warning \"no %s subtitles: ...\":\n%s", r.code, tt.lang, r.stderr)
				}
				if p := testtools.Packets(t, out); p["video"] != 375 || p["audio"] != 705 {
					t.Errorf("the video: packets %v", p)
				}
				if mode == "--embed-subs" {
					var langs []string
					for _, st := range testtools.Streams(t, out) {
						if st["codec_name"] == "mov_text" {
							langs = append(langs, st["TAG:language"])
						}
					}
					if strings.Join(langs, ",") != "fra" {
						t.Errorf("text tracks %v, want the French one only", langs)
					}
				} else {
					if fr, _ := os.ReadFile(filepath.Join(dir, "v.fr.vtt")); !bytes.Contains(fr, []byte("Bonjour")) {
						t.Errorf("v.fr.vtt = %q", fr)
					}
					if left, _ := filepath.Glob(filepath.Join(dir, "v."+tt.lang+".*")); len(left) > 0 {
						t.Errorf("a sidecar of the subtitle that could not be had: %v", left)
					}
				}
				if r := runVDL(t, nil, "-q", "-d", dir, "-o", "v.mp4", mode, s.URL("/bad/"+tt.master+".m3u8")); r.code != 0 {
					t.Errorf("rerun: exit %d: %s", r.code, r.stderr)
				}
			})
		}
	}
	t.Run("a batch counts them done", func(t *testing.T) {
		dir := t.TempDir()
		list := filepath.Join(t.TempDir(), "list.txt")
		os.WriteFile(list, []byte(s.URL("/bad/missing.m3u8")+"\n"+s.URL("/bad/junk.m3u8")+"\n"), 0o644)
		r := runVDL(t, nil, "-d", dir, "--write-subs", "--embed-subs", "-a", list)
		if r.code != 0 || !strings.Contains(r.stderr, "summary: 2 downloaded") || !strings.Contains(r.stderr, " 0 failed") {
			t.Fatalf("exit %d, want 0 with both items downloaded:\n%s", r.code, r.stderr)
		}
		// The summary names what each item lacks.
		_, summary, _ := strings.Cut(r.stderr, "summary: ")
		if strings.Count(summary, "missing: no en subtitles") != 1 || strings.Count(summary, "junk: no en-junk subtitles") != 1 {
			t.Errorf("the summary does not say which subtitles are missing:\n%s", summary)
		}
		for _, name := range []string{"missing.mp4", "junk.mp4", "missing.fr.vtt", "junk.fr.vtt"} {
			if !fileExists(filepath.Join(dir, name)) {
				t.Errorf("%s missing", name)
			}
		}
	})
}

// TestSubsServerLanguages: a server's language becomes an ISO 639-2
// code only when it is a language ('日', '123' and 45 bytes of junk are
// "und"); the sidecars of a title that fills the name by itself fit the
// 200-byte rule, cut on a character boundary, and the run ends at exit 0.
func TestSubsServerLanguages(t *testing.T) {
	testtools.Require(t, "ffprobe")
	s := hostileSubsSite(t)
	dir := t.TempDir()
	r := runVDL(t, nil, "-q", "-d", dir, "--embed-subs", "--write-subs", s.URL("/long/"+hostileLongTitle+".m3u8"))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	entries, _ := os.ReadDir(dir)
	var video string
	var sidecars []string
	for _, e := range entries {
		name := e.Name()
		if len(name) > 200 || !utf8.ValidString(name) {
			t.Errorf("name of %d bytes (valid UTF-8: %v): %q", len(name), utf8.ValidString(name), name)
		}
		switch filepath.Ext(name) {
		case ".mp4":
			video = filepath.Join(dir, name)
		case ".vtt":
			sidecars = append(sidecars, name)
			if b, _ := os.ReadFile(filepath.Join(dir, name)); !bytes.Contains(b, []byte("Bonjour")) {
				t.Errorf("%s = %q", name, b)
			}
		}
	}
	if len(sidecars) != 5 {
		t.Errorf("sidecars %q, want 5", sidecars)
	}
	if video == "" {
		t.Fatalf("no video in %v", entries)
	}
	var langs []string
	for _, st := range testtools.Streams(t, video) {
		if st["codec_name"] == "mov_text" {
			langs = append(langs, st["TAG:language"])
		}
	}
	if strings.Join(langs, ",") != "und,und,und,zho,eng" {
		t.Errorf("text track languages %v, want und,und,und,zho,eng", langs)
	}
}

// TestSubsCuesPastTheEnd: cues at 999 h and past 2^32 ms neither
// stretch a 15 s video nor wrap into it: dropped, with a warning.
func TestSubsCuesPastTheEnd(t *testing.T) {
	testtools.Require(t, "ffmpeg")
	s := hostileSubsSite(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "v.mp4")
	r := runVDL(t, nil, "-q", "-d", dir, "-o", "v.mp4", "--embed-subs", s.URL("/bad/late.m3u8"))
	if r.code != 0 || !strings.Contains(r.stderr, "after the video's end") {
		t.Errorf("exit %d, want 0 with a warning about cues after the video's end:\n%s", r.code, r.stderr)
	}
	if d := testtools.Duration(t, out); d < 14.5 || d > 15.5 {
		t.Errorf("the output lasts %.1f s, want the video's 15 s", d)
	}
	srt, _ := testtools.Run(t, "ffmpeg", "-v", "error", "-i", out, "-map", "0:s:0", "-f", "srt", "-")
	if !strings.Contains(srt, "Hello") || strings.Contains(srt, "wrapped") || strings.Contains(srt, "late") {
		t.Errorf("the text track reads back as:\n%s", srt)
	}
}

// TestSubsTimestampMapOverflow: an X-TIMESTAMP-MAP past the 33-bit
// MPEG-TS clock (here 2^63-1) is refused: no sidecar with garbage times,
// a warning, the video and the other language saved.
func TestSubsTimestampMapOverflow(t *testing.T) {
	s := hostileSubsSite(t)
	dir := t.TempDir()
	r := runVDL(t, nil, "-q", "-d", dir, "-o", "v.mp4", "--write-subs", s.URL("/bad/map.m3u8"))
	if r.code != 0 || !strings.Contains(r.stderr, "no en-map subtitles: ") || !strings.Contains(r.stderr, "X-TIMESTAMP-MAP") {
		t.Fatalf("exit %d, want 0 with a warning about the X-TIMESTAMP-MAP:\n%s", r.code, r.stderr)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "v.en-map.vtt")); err == nil {
		t.Errorf("a sidecar from an overflowing timestamp map:\n%s", b)
	}
	if !fileExists(filepath.Join(dir, "v.mp4")) || !fileExists(filepath.Join(dir, "v.fr.vtt")) {
		t.Error("the video or the French sidecar is missing")
	}
}

// TestRemuxDurationRefusals: a remux whose audio starts 6.8 h after its
// video, a TS of random timestamps, and 75 s of media in a playlist that
// says 2 s are refused with exit 6 and nothing published;
// --no-check-duration saves them anyway.
func TestRemuxDurationRefusals(t *testing.T) {
	s := hostileSubsSite(t)
	for _, tt := range []struct{ name, path, want string }{
		{"audio 6.8 h after the video", "/skew/a.m3u8", "start"},
		{"random timestamps", "/skew/r.m3u8", "start"},
		{"far longer than the playlist", "/long-media/index.m3u8", "longer"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			r := runVDL(t, nil, "-q", "-d", dir, "-o", "v.mp4", s.URL(tt.path))
			if r.code != 6 || !strings.Contains(r.stderr, tt.want) || !strings.Contains(r.stderr, "--no-check-duration") {
				t.Errorf("exit %d, want 6 naming the %s and --no-check-duration:\n%s", r.code, tt.want, r.stderr)
			}
			t.Log(r.stderr)
			if fileExists(filepath.Join(dir, "v.mp4")) {
				t.Error("published")
			}
			if r := runVDL(t, nil, "-q", "-d", dir, "-o", "v.mp4", "--no-check-duration", s.URL(tt.path)); r.code != 0 || !fileExists(filepath.Join(dir, "v.mp4")) {
				t.Errorf("--no-check-duration: exit %d: %s", r.code, r.stderr)
			}
		})
	}
}
