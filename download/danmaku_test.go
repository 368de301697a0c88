package download

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vdlproject/vdl/danmaku"
	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/mux"
)

func TestWriteDanmakuFiles(t *testing.T) {
	dir := t.TempDir()
	video := filepath.Join(dir, "Show - E01.mp4")
	m := &extractors.Media{Site: "qq", ID: "v0000000001", Title: "Show 第01集", Duration: 20 * time.Second}
	f := &extractors.Format{Width: 1280, Height: 720}
	got := &extractors.Comments{
		List:     []danmaku.Comment{{ID: "1", Time: time.Second, Text: "好", Color: danmaku.White}, {ID: "2", Time: 30 * time.Second, Text: "past the end"}},
		Segments: danmaku.RawSegments{Total: 2, Fetched: 1, Missing: []string{"t/v1/30000/60000"}},
	}
	subs := []mux.Cue{{Start: 0, End: 2 * time.Second, Text: "字幕"}}
	o := DanmakuOptions{Write: true, Raw: true, MergeSubs: true}
	res, err := writeDanmaku(o, got, m, f, video, subs, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.note != "danmaku: 1 of 2 segments" || len(res.saved) != 2 || res.stats.Placed != 1 || res.stats.PastEnd != 1 {
		t.Fatalf("result %+v", res)
	}
	ass, _ := os.ReadFile(filepath.Join(dir, "Show - E01.danmaku.ass"))
	raw, _ := os.ReadFile(filepath.Join(dir, "Show - E01.danmaku.json"))
	for _, want := range []string{"; INCOMPLETE: danmaku: 1 of 2 segments\n", "PlayResX: 1280\n", "PlayResY: 720\n", ",Subtitle,,0,0,0,,字幕\n"} {
		if !strings.Contains(string(ass), want) {
			t.Errorf("ASS lacks %q:\n%s", want, ass)
		}
	}
	if !strings.Contains(string(raw), `"complete": false`) || !strings.Contains(string(raw), `"t/v1/30000/60000"`) {
		t.Errorf("raw file does not say it is incomplete:\n%s", raw)
	}

	// A rerun replaces vdl's own files; a user's file of that name is kept
	// (with a note) unless force.
	got.Segments = danmaku.RawSegments{Total: 2, Fetched: 2}
	if res, err = writeDanmaku(o, got, m, f, video, nil, false); err != nil || res.note != "" || len(res.saved) != 2 {
		t.Fatalf("rerun: %+v, %v", res, err)
	}
	user := filepath.Join(dir, "Show - E01.danmaku.ass")
	os.WriteFile(user, []byte("my own subtitles"), 0o644)
	if res, err = writeDanmaku(o, got, m, f, video, nil, false); err != nil || !strings.Contains(res.note, "kept Show - E01.danmaku.ass") {
		t.Fatalf("user file: %+v, %v", res, err)
	}
	if b, _ := os.ReadFile(user); string(b) != "my own subtitles" {
		t.Fatal("a user's file was replaced")
	}
	if _, err = writeDanmaku(o, got, m, f, video, nil, true); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(user); !strings.HasPrefix(string(b), danmaku.ASSSignature) {
		t.Fatal("--force did not replace it")
	}
}
