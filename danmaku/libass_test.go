package danmaku

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vdlproject/vdl/internal/testtools"
)

// TestLibassRendersTheFile burns a rendered comment file into a test
// picture with ffmpeg's subtitles filter (libass): it must load without
// errors, and the frame at a comment's time must differ from the same
// frame without the comments, while a frame before any comment must not.
func TestLibassRendersTheFile(t *testing.T) {
	ffmpeg := testtools.Require(t, "ffmpeg")
	dir := t.TempDir()
	ass := filepath.Join(dir, "c.ass")
	f, err := os.Create(ass)
	if err != nil {
		t.Fatal(err)
	}
	cs := []Comment{
		{ID: "1", Time: time.Second, Text: "前方高能 🎉 {\\fs300}", Color: 0xFF0000},
		{ID: "2", Time: time.Second, Text: "top", Mode: Top, Color: White},
		{ID: "3", Time: 1200 * time.Millisecond, Text: "bottom", Mode: Bottom, Color: 0x00FF00},
	}
	if _, err := Render(f, cs, Options{Width: 320, Height: 180, ScrollDuration: 2 * time.Second}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	frame := func(at string, withASS bool) string {
		vf := "format=rgb24"
		if withASS {
			vf = "subtitles=" + ass + "," + vf
		}
		out, stderr := testtools.Run(t, ffmpeg, "-v", "error", "-f", "lavfi", "-i", "color=c=gray:s=320x180:r=10:d=3",
			"-vf", vf, "-ss", at, "-frames:v", "1", "-f", "md5", "-")
		if strings.TrimSpace(stderr) != "" {
			t.Fatalf("ffmpeg at %s: %s", at, stderr)
		}
		return strings.TrimSpace(out)
	}
	if frame("0.5", true) != frame("0.5", false) {
		t.Error("the frame before the first comment changed")
	}
	if frame("2", true) == frame("2", false) {
		t.Error("the frame at the comments' time shows nothing")
	}
}
