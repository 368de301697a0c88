package download

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/request"
)

// TestSubtitleSidecars: byte-exact files beside the video; a link or
// another file at the name is never written through or replaced
// (unless Force, which replaces the link itself).
func TestSubtitleSidecars(t *testing.T) {
	body := "1\n00:00:01,000 --> 00:00:02,000\n字幕\n"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) }))
	defer srv.Close()
	m := &extractors.Media{Subtitles: []extractors.Subtitle{{Lang: "zh-cn", Ext: "srt", URL: srv.URL + "/a.srt"}, {Lang: "en", Ext: "vtt", URL: srv.URL + "/b.vtt"}}}
	for _, tt := range []struct {
		name  string
		langs []string
		plant bool // a link to a victim at the zh-cn name
		force bool
		want  map[string]string // sidecar -> content ("" = absent, "victim" = the link kept)
	}{
		{"all", nil, false, false, map[string]string{"v.zh-cn.srt": body, "v.en.vtt": body}},
		{"one language", []string{"en"}, false, false, map[string]string{"v.zh-cn.srt": "", "v.en.vtt": body}},
		{"a link in the way", nil, true, false, map[string]string{"v.zh-cn.srt": "victim", "v.en.vtt": body}},
		{"a link in the way, --force", nil, true, true, map[string]string{"v.zh-cn.srt": body, "v.en.vtt": body}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir, elsewhere := t.TempDir(), t.TempDir()
			victim := filepath.Join(elsewhere, "victim")
			os.WriteFile(victim, []byte("victim"), 0o644)
			if tt.plant {
				os.Symlink(victim, filepath.Join(dir, "v.zh-cn.srt"))
			}
			d, _ := New(Options{Client: &request.Client{HTTP: srv.Client()}, WriteSubs: true, SubLangs: tt.langs, Force: tt.force})
			if err := d.writeSubtitles(context.Background(), m, filepath.Join(dir, "v.mp4")); err != nil {
				t.Fatal(err)
			}
			for name, want := range tt.want {
				got, err := os.ReadFile(filepath.Join(dir, name))
				if want == "" && err == nil || want != "" && string(got) != want {
					t.Errorf("%s = %q (%v), want %q", name, got, err, want)
				}
			}
			if b, _ := os.ReadFile(victim); string(b) != "victim" {
				t.Error("written through the link")
			}
		})
	}
}

// TestSidecarNames: sidecar names keep the 200-byte rule whatever the
// server's language and the title: the language and extension bounded to
// letters, digits, '-' and '_', the name cut on a character boundary.
func TestSidecarNames(t *testing.T) {
	long := strings.Repeat("第一集", 21) + "一.mp4" // 196 bytes: a name that fills the rule by itself
	for _, tt := range []struct {
		out, lang, ext string
		want           string // the name's suffix
	}{
		{"d/v.mp4", "zh-cn", "srt", "v.zh-cn.srt"},
		{"d/v.mp4", "日", "vtt", "v.日.vtt"},
		{"d/v.mp4", "", "vtt", "v.und.vtt"},
		{"d/v.mp4", "../../etc/x", "vtt", "v.etcx.vtt"},
		{"d/v.mp4", "en\u202e\x00", "v/../tt", "v.en.vtt"},
		{"d/v.mp4", strings.Repeat("q9", 22) + "z", "vtt", "v.q9q9q9q9q9q9q9q9.vtt"},
		{"d/v.mp4", strings.Repeat("日", 10), "vtt", "v.日日日日日.vtt"},
		{"d/" + long, strings.Repeat("q9", 22) + "z", "vtt", ".q9q9q9q9q9q9q9q9.vtt"},
		{"d/" + long, "en", "averyveryverylongextension", ".en.averyver"},
	} {
		got := sidecarPath(tt.out, extractors.Subtitle{Lang: tt.lang, Ext: tt.ext})
		name := filepath.Base(got)
		if filepath.Dir(got) != "d" || len(name) > maxNameBytes || !utf8.ValidString(name) || !strings.HasSuffix(name, tt.want) {
			t.Errorf("sidecarPath(%q, %q, %q) = %q (%d bytes), want a name of at most %d bytes in d ending %q",
				tt.out, tt.lang, tt.ext, got, len(name), maxNameBytes, tt.want)
		}
	}
}

// TestSubtitlesUnavailable: a subtitle that is refused, junk, or has
// broken timing is a warning "no <lang> subtitles: ..." and no file or
// track, while the others are saved and embedded; an interruption is
// the error it is.
func TestSubtitlesUnavailable(t *testing.T) {
	good := "1\n00:00:01,000 --> 00:00:02,000\nhi\n"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/good.srt":
			w.Write([]byte(good))
		case "/junk.srt":
			w.Write([]byte("<html>rate limited</html>"))
		case "/timing.vtt":
			w.Write([]byte("WEBVTT\n\n00:00:75.000 --> 00:00:76.000\nx\n"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	m := &extractors.Media{Subtitles: []extractors.Subtitle{
		{Lang: "en", Ext: "srt", URL: srv.URL + "/good.srt"},
		{Lang: "fr", Ext: "srt", URL: srv.URL + "/missing.srt"},
		{Lang: "de", Ext: "srt", URL: srv.URL + "/junk.srt"},
		{Lang: "ja", Ext: "vtt", URL: srv.URL + "/timing.vtt"},
		{Lang: "ko", Ext: "vtt", URL: srv.URL + "/seg.m3u8", Segments: []string{srv.URL + "/good.srt", srv.URL + "/missing.vtt"}},
	}}
	dir := t.TempDir()
	out := filepath.Join(dir, "v.mp4")
	var logged bytes.Buffer
	d, _ := New(Options{Client: &request.Client{HTTP: srv.Client(), Policy: request.Policy{Retries: -1}},
		Log: slog.New(slog.NewTextHandler(&logged, nil)), WriteSubs: true, EmbedSubs: true})
	if err := d.writeSubtitles(context.Background(), m, out); err != nil {
		t.Fatalf("writeSubtitles: %v", err)
	}
	tracks, err := d.textTracks(context.Background(), m, out)
	if err != nil || len(tracks) != 1 || tracks[0].Lang != "en" {
		t.Fatalf("textTracks: %v, %v; want the English track only", tracks, err)
	}
	names, _ := filepath.Glob(filepath.Join(dir, "v.*.*"))
	if len(names) != 1 || filepath.Base(names[0]) != "v.en.srt" {
		t.Errorf("sidecars %v, want v.en.srt only", names)
	}
	for _, lang := range []string{"fr", "de", "ja", "ko"} {
		if n := strings.Count(logged.String(), "no "+lang+" subtitles: "); n != 2 {
			t.Errorf("%d warnings for %s, want 2 (sidecar and track):\n%s", n, lang, logged.String())
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := d.writeSubtitles(ctx, m, filepath.Join(dir, "w.mp4")); !errors.Is(err, context.Canceled) {
		t.Errorf("interrupted writeSubtitles: %v", err)
	}
	if _, err := d.textTracks(ctx, m, out); !errors.Is(err, context.Canceled) {
		t.Errorf("interrupted textTracks: %v", err)
	}
}
