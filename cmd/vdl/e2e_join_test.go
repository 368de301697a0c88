package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vdlproject/vdl/internal/testtools"
)

func media(parts ...string) string {
	return filepath.Join(append([]string{"..", "..", "testdata", "media"}, parts...)...)
}

func TestJoinCommand(t *testing.T) {
	dir := t.TempDir()
	clipsIn := []string{media("mp4-clips/clip1.mp4"), media("mp4-clips/clip2.mp4"), media("mp4-clips/clip3.mp4")}
	tsIn := []string{media("hls-ts/seg000.ts"), media("hls-ts/seg001.ts"), media("hls-ts/seg002.ts"), media("hls-ts/seg003.ts")}
	fmp4In := []string{media("hls-fmp4/init.mp4"), media("hls-fmp4/seg000.m4s"), media("hls-fmp4/seg001.m4s"), media("hls-fmp4/seg002.m4s"), media("hls-fmp4/seg003.m4s")}
	avIn := []string{media("separate-av/video.m4s"), media("separate-av/audio.m4s")}

	tests := []struct {
		name, out    string
		args         []string
		video, audio int
		summary      string
	}{
		{"mp4 clips", "clips.mp4", clipsIn, 375, 705, "375 video samples; 705 audio samples"},
		{"ts segments", "all.ts", tsIn, 375, 705, "MPEG-TS"},
		{"ts segments remuxed", "remuxed.mp4", tsIn, 375, 705, "375 video samples; 705 audio samples"},
		{"fmp4 segments", "frag.mp4", fmp4In, 375, 705, "fMP4"},
		{"fmp4 segments --remux fmp4", "keptfrag.mp4", append([]string{"--remux", "fmp4"}, fmp4In...), 375, 705, "fMP4"},
		{"separate a+v", "av.mp4", avIn, 375, 705, "375 video samples"},
		{"with ffmpeg", "ff.mp4", append([]string{"--ffmpeg", "auto"}, clipsIn...), 375, 705, "with /"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "with ffmpeg" {
				testtools.Require(t, "ffmpeg")
			}
			out := filepath.Join(dir, tt.out)
			r := runVDL(t, nil, append([]string{"join", "-o", out}, tt.args...)...)
			if r.code != 0 || !strings.Contains(r.stderr, tt.summary) {
				t.Fatalf("exit %d, stderr %q (want it to mention %q)", r.code, r.stderr, tt.summary)
			}
			testtools.Require(t, "ffprobe")
			if p := testtools.Packets(t, out); p["video"] != tt.video || p["audio"] != tt.audio {
				t.Errorf("packets %v, want %d/%d", p, tt.video, tt.audio)
			}
			if boxes := topBoxes(t, out); strings.HasSuffix(out, ".mp4") && tt.name != "with ffmpeg" &&
				(strings.Contains(boxes, "moof") != strings.Contains(tt.name, "--remux fmp4") || !strings.HasPrefix(boxes, "ftyp moov")) {
				t.Errorf("top-level boxes %q: a regular MP4 unless --remux fmp4", boxes)
			}
		})
	}

	// Bad input: one clear line, exit code, nothing written.
	truncated := filepath.Join(dir, "truncated.mp4")
	clip, _ := os.ReadFile(clipsIn[0])
	os.WriteFile(truncated, clip[:5000], 0o644)
	empty := filepath.Join(dir, "empty.mp4")
	os.WriteFile(empty, nil, 0o644)
	unknown := filepath.Join(dir, "unknown-codec.mp4")
	patched := bytes.Clone(clip)
	at := bytes.Index(patched, []byte("stsd"))
	at += bytes.Index(patched[at:], []byte("avc1")) // the sample entry, not the ftyp brand
	copy(patched[at:], "xvid")
	os.WriteFile(unknown, patched, 0o644)
	existing := filepath.Join(dir, "clips.mp4")

	bad := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"truncated box", []string{"-o", filepath.Join(dir, "x1.mp4"), truncated, clipsIn[1]}, exitJoin, "truncated"},
		{"zero-size file", []string{"-o", filepath.Join(dir, "x2.mp4"), empty}, exitJoin, "empty file"},
		{"unknown codec", []string{"-o", filepath.Join(dir, "x3.mp4"), unknown, clipsIn[1]}, exitJoin, `codec "xvid"`},
		{"mixed kinds", []string{"-o", filepath.Join(dir, "x4.mp4"), clipsIn[0], tsIn[0]}, exitJoin, "not compatible"},
		{"--remux ts into mp4", []string{"--remux", "ts", "-o", filepath.Join(dir, "x5.mp4"), tsIn[0]}, exitUsage, "does not end in .ts"},
		{"mp4 into ts", []string{"-o", filepath.Join(dir, "x8.ts"), clipsIn[0]}, exitJoin, "MP4 inputs join into MP4"},
		{"missing part", []string{"-o", filepath.Join(dir, "x6.mp4"), filepath.Join(dir, "nope.mp4")}, exitDisk, "no such file"},
		{"output exists", []string{"-o", existing, clipsIn[0]}, exitDisk, "exists"},
		{"no output", []string{clipsIn[0]}, exitUsage, "-o OUT is required"},
		{"bare ffmpeg name", []string{"--ffmpeg", "ffmpeg", "-o", filepath.Join(dir, "x7.mp4"), clipsIn[0]}, exitUsage, "give a path"},
	}
	for _, tt := range bad {
		r := runVDL(t, nil, append([]string{"join"}, tt.args...)...)
		if r.code != tt.code {
			t.Errorf("%s: exit %d, want %d (stderr %q)", tt.name, r.code, tt.code, r.stderr)
		}
		oneErrorLine(t, r.stderr, tt.want)
	}
	for _, n := range []string{"x1.mp4", "x2.mp4", "x3.mp4", "x4.mp4", "x5.mp4", "x6.mp4", "x1.mp4.tmp", "x3.mp4.tmp"} {
		if fileExists(filepath.Join(dir, n)) {
			t.Errorf("failed join left %s", n)
		}
	}
}

// TestJoinWarningsReachTheUser: what a join drops (here a subtitle track
// of each clip) is said on stderr, not lost in a discarded log.
func TestJoinWarningsReachTheUser(t *testing.T) {
	ff := testtools.Require(t, "ffmpeg")
	dir := t.TempDir()
	srt := filepath.Join(dir, "s.srt")
	if err := os.WriteFile(srt, []byte("1\n00:00:00,000 --> 00:00:01,000\nhello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var clips []string
	for i, in := range []string{media("mp4-clips/clip1.mp4"), media("mp4-clips/clip2.mp4")} {
		out := filepath.Join(dir, "c"+string(rune('1'+i))+".mp4")
		cmd := exec.Command(ff, "-v", "error", "-i", in, "-i", srt, "-map", "0", "-map", "1", "-c", "copy", "-c:s", "mov_text", out)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("ffmpeg: %v: %s", err, b)
		}
		clips = append(clips, out)
	}
	r := runVDL(t, nil, append([]string{"join", "-o", filepath.Join(dir, "out.mp4")}, clips...)...)
	if r.code != 0 || !strings.Contains(r.stderr, "dropping a track that is neither audio nor video") {
		t.Errorf("exit %d, stderr %q: want the dropped track named", r.code, r.stderr)
	}
}
