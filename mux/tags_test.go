package mux

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vdlproject/vdl/internal/testtools"
)

// TestLibraryTagsReadByFFprobe: the tags a media library reads (plot, air
// date, genre, media kind) and the cover art come back from ffprobe; a
// long plot is desc cut on a character boundary plus ldes in full.
func TestLibraryTagsReadByFFprobe(t *testing.T) {
	ffmpeg := testtools.Require(t, "ffmpeg")
	testtools.Require(t, "ffprobe")
	dir := t.TempDir()
	cover := filepath.Join(dir, "cover.jpg")
	testtools.Run(t, ffmpeg, "-v", "error", "-f", "lavfi", "-i", "color=c=red:s=64x96", "-frames:v", "1", cover)
	jpeg, err := os.ReadFile(cover)
	if err != nil {
		t.Fatal(err)
	}
	plot := strings.Repeat("很长的剧情简介。", 40) // 960 bytes
	tags := &Tags{Title: "E06", Show: "vdl测试剧", Season: 2, Episode: 6, Description: plot, Date: "2026-03-01",
		Genre: "剧情", Kind: KindTVShow, Cover: jpeg}
	out := filepath.Join(dir, "tagged.mp4")
	if _, err := JoinMP4(context.Background(), out, []string{fixture("source/source.mp4")}, MP4Options{Tags: tags}); err != nil {
		t.Fatal(err)
	}
	got := testtools.FormatTags(t, out)
	short := cutUTF8(plot, maxShortDescBytes)
	if len(short) > 255 || !strings.HasPrefix(plot, short) || len(short) < 250 {
		t.Fatalf("desc cut to %d bytes", len(short))
	}
	for k, v := range map[string]string{"description": short, "synopsis": plot, "date": "2026-03-01", "genre": "剧情",
		"media_type": "10", "season_number": "2", "episode_sort": "6", "show": "vdl测试剧"} {
		if got[k] != v {
			t.Errorf("tag %s = %.40q, want %.40q", k, got[k], v)
		}
	}
	pics, _ := testtools.Run(t, "ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width,height:stream_disposition=attached_pic",
		"-of", "csv=p=0", out)
	if !strings.Contains(pics, "mjpeg,64,96,1") {
		t.Errorf("streams %q: no attached 64x96 JPEG cover", pics)
	}
	// The cover is one more video packet; the movie's are as they were.
	if p := testtools.Packets(t, out); p["video"] != 375+1 || p["audio"] != 705 {
		t.Errorf("packets %v: the media changed", p)
	}
}
