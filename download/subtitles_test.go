package download

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

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
