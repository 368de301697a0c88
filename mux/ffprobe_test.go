package mux

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vdlproject/vdl/internal/testtools"
)

// Expected numbers from testdata/media/README.md (ffmpeg 5.1).
var (
	sourceHash = []string{"0,v,MD5=6622497f3554e9c2a4e98f70b0575e86", "1,a,MD5=8f6595816cb4e137b2aa8d7872aec9fb"}
	tsHash     = []string{"0,v,MD5=09f22c92032892054945b2b5ea3be43d", "1,a,MD5=60107533b443336f25d2fdd2acacf4b1"}
)

// TestOutputsPlay checks every kind of join with the real ffprobe/ffmpeg:
// duration, packet counts, packet payload hashes, a full decode without
// errors and an accurate seek near the end.
func TestOutputsPlay(t *testing.T) {
	testtools.Require(t, "ffprobe")
	testtools.Require(t, "ffmpeg")
	ctx := context.Background()
	dir := t.TempDir()
	var fmp4Segs []Segment
	for _, n := range []string{"seg000.m4s", "seg001.m4s", "seg002.m4s", "seg003.m4s"} {
		fmp4Segs = append(fmp4Segs, Segment{Path: fixture("hls-fmp4", n)})
	}
	key := mustHex("00112233445566778899aabbccddeeff")
	var tsSegs []Segment
	for _, n := range []string{"seg000.ts", "seg001.ts", "seg002.ts", "seg003.ts"} {
		tsSegs = append(tsSegs, Segment{Path: fixture("hls-aes128", n), Key: key, IV: mustHex("000102030405060708090a0b0c0d0e0f")})
	}
	tests := []struct {
		name           string
		join           func(out string) error
		minDur, maxDur float64
		video, audio   int
		hash           []string // nil: not checked
		seek           bool
	}{
		{"mp4-clips", func(out string) error {
			_, err := JoinMP4(ctx, out, clips("mp4-clips"), MP4Options{})
			return err
		}, 14.95, 15.05, 375, 705, sourceHash, true},
		{"mp4-clips co64", func(out string) error {
			_, err := JoinMP4(ctx, out, clips("mp4-clips"), MP4Options{ForceCo64: true})
			return err
		}, 14.95, 15.05, 375, 705, sourceHash, true},
		{"mp4-clips-indep", func(out string) error {
			_, err := JoinMP4(ctx, out, clips("mp4-clips-indep"), MP4Options{})
			return err
		}, 14.95, 15.05, 375, 706, nil, true},
		{"hls-fmp4", func(out string) error {
			return JoinFMP4(ctx, out, Segment{Path: fixture("hls-fmp4/init.mp4")}, fmp4Segs)
		}, 14.95, 15.05, 375, 705, sourceHash, true},
		{"separate-av", func(out string) error {
			_, err := JoinMP4(ctx, out, []string{fixture("separate-av/video.m4s"), fixture("separate-av/audio.m4s")}, MP4Options{})
			return err
		}, 14.95, 15.05, 375, 705, sourceHash, true},
		{"hls-aes128 ts", func(out string) error {
			return JoinTS(ctx, out, tsSegs)
		}, 14.95, 15.05, 375, 705, tsHash, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ext := ".mp4"
			if tt.name == "hls-aes128 ts" {
				ext = ".ts"
			}
			out := filepath.Join(dir, tt.name+ext)
			if err := tt.join(out); err != nil {
				t.Fatal(err)
			}
			if d := testtools.Duration(t, out); d < tt.minDur || d > tt.maxDur {
				t.Errorf("duration %.3f s, want [%.2f, %.2f]", d, tt.minDur, tt.maxDur)
			}
			if p := testtools.Packets(t, out); p["video"] != tt.video || p["audio"] != tt.audio {
				t.Errorf("packets %v, want %d video and %d audio", p, tt.video, tt.audio)
			}
			if tt.hash != nil {
				if h := testtools.StreamHash(t, out); !reflect.DeepEqual(h, tt.hash) {
					t.Errorf("streamhash %v, want %v", h, tt.hash)
				}
			}
			if errs := testtools.DecodeErrors(t, out); errs != "" {
				t.Errorf("decoding printed errors: %s", errs)
			}
			if tt.seek {
				if n := testtools.FramesAfter(t, out, "14"); n < 20 {
					t.Errorf("seeking to 14 s decoded %d frames, want about 25", n)
				}
			}
		})
	}
}

func TestFFmpegJoin(t *testing.T) {
	testtools.Require(t, "ffprobe")
	ff, err := FindFFmpeg("auto")
	if err != nil {
		testtools.Require(t, "ffmpeg")
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "ff.mp4")
	if err := FFmpegJoin(context.Background(), ff, out, clips("mp4-clips")); err != nil {
		t.Fatal(err)
	}
	if p := testtools.Packets(t, out); p["video"] != 375 || p["audio"] != 705 {
		t.Errorf("ffmpeg join packets %v", p)
	}
	if h := testtools.StreamHash(t, out); !reflect.DeepEqual(h, sourceHash) {
		t.Errorf("ffmpeg join (auto_convert 0) streamhash %v, want the source's", h)
	}
	if _, err := FindFFmpeg("ffmpeg"); err == nil {
		t.Error("a bare name was accepted: it must be a path or auto")
	}
	if _, err := FindFFmpeg("/nonexistent/ffmpeg"); err == nil {
		t.Error("a missing path was accepted")
	}
}

// TestTagsReadByFFprobe: the ilst atoms come back from ffprobe as the
// tags players show.
func TestTagsReadByFFprobe(t *testing.T) {
	testtools.Require(t, "ffprobe")
	out := filepath.Join(t.TempDir(), "tagged.mp4")
	tags := &Tags{Title: "第06集 标题", Show: "vdl测试剧", Season: 1, Episode: 6, EpisodeID: "E06", Comment: "https://v.qq.com/x/cover/c/v.html"}
	if _, err := JoinMP4(context.Background(), out, []string{fixture("source/source.mp4")}, MP4Options{Tags: tags}); err != nil {
		t.Fatal(err)
	}
	got := testtools.FormatTags(t, out)
	want := map[string]string{"title": tags.Title, "show": tags.Show, "season_number": "1", "episode_sort": "6",
		"episode_id": "E06", "comment": tags.Comment}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("tag %s = %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
}

// TestEmbeddedSubtitles: cues become a mov_text track with its language,
// one packet a cue (and one a gap), read back by ffprobe.
func TestEmbeddedSubtitles(t *testing.T) {
	testtools.Require(t, "ffprobe")
	srt := "1\n00:00:01,000 --> 00:00:04,000\n第一句\n\n2\n00:00:05,500 --> 00:00:09,000\n<i>The</i> second\nline\n"
	cues, err := ParseCues([]byte(srt))
	if err != nil || len(cues) != 2 || cues[1].Text != "The second\nline" || cues[1].Start != 5500*time.Millisecond {
		t.Fatalf("cues %+v, %v", cues, err)
	}
	out := filepath.Join(t.TempDir(), "subbed.mp4")
	subs := []TextTrack{{Lang: "zh-cn", Cues: cues}, {Lang: "en", Cues: cues[1:]}}
	if _, err := JoinMP4(context.Background(), out, []string{fixture("source/source.mp4")}, MP4Options{Subtitles: subs}); err != nil {
		t.Fatal(err)
	}
	streams := testtools.Streams(t, out)
	var text []string
	for _, s := range streams {
		if s["codec_type"] == "subtitle" {
			text = append(text, s["codec_name"]+"/"+s["TAG:language"]+"/"+s["nb_read_packets"])
		}
	}
	// zh-cn: gap, cue, gap, cue, end = 5 packets; en: gap, cue, end = 3.
	if strings.Join(text, " ") != "mov_text/zho/5 mov_text/eng/3" {
		t.Errorf("subtitle streams %v", text)
	}
	if p := testtools.Packets(t, out); p["video"] != 375 || p["audio"] != 705 {
		t.Errorf("packets %v: the media changed", p)
	}
	// ffmpeg reads the cues back with their times.
	srtOut, _ := testtools.Run(t, "ffmpeg", "-v", "error", "-i", out, "-map", "0:s:1", "-f", "srt", "-")
	if !strings.Contains(srtOut, "00:00:05,500 --> 00:00:09,000") || !strings.Contains(srtOut, "second") {
		t.Errorf("the English track reads back as:\n%s", srtOut)
	}
}
