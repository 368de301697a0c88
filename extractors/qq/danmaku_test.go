package qq

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vdlproject/vdl/danmaku"
	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/request"
)

func commentsFrom(t *testing.T, rp *replay, vid string, d time.Duration) (*extractors.Comments, error) {
	t.Helper()
	x := New(extractors.Env{HTTP: &request.Client{HTTP: &http.Client{Transport: rp}, Policy: request.Policy{Retries: -1}},
		Log: slog.New(slog.DiscardHandler), UserAgent: "TestAgent/1.0"}).(*extractor)
	return x.Comments(context.Background(), &extractors.Media{ID: vid, Duration: d})
}

// TestCommentsRecordedReplies reads the recorded base and segment replies
// (real shapes): ids kept as their 17 digits, the gradient's first stop as
// the colour, positions, a style that does not parse (white scroll), and
// the failing window named as missing.
func TestCommentsRecordedReplies(t *testing.T) {
	const vid = "x0000danmk1"
	rp := &replay{t: t, route: routes(t, map[string]string{
		"dm.video.qq.com/barrage/base/" + vid:                           "danmaku-base.json",
		"dm.video.qq.com/barrage/segment/" + vid + "/t/v1/0/30000":      "danmaku-segment-0.json",
		"dm.video.qq.com/barrage/segment/" + vid + "/t/v1/30000/60000":  "danmaku-segment-30000.json",
		"dm.video.qq.com/barrage/segment/" + vid + "/t/v1/60000/90000":  `{"barrage_list":[]}`,
		"dm.video.qq.com/barrage/segment/" + vid + "/t/v1/90000/120000": "status:500",
	})}
	got, err := commentsFrom(t, rp, vid, 95*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if got.Segments.Total != 4 || got.Segments.Fetched != 3 || strings.Join(got.Segments.Missing, ",") != "t/v1/90000/120000" || got.Complete() {
		t.Fatalf("segments %+v", got.Segments)
	}
	list, dups := danmaku.Dedup(got.List)
	if len(list) != 8 || dups != 1 {
		t.Fatalf("%d comments, %d duplicates; want 8 and 1", len(list), dups)
	}
	byID := map[string]danmaku.Comment{}
	for _, c := range list {
		byID[c.ID] = c
	}
	for id, want := range map[string]danmaku.Comment{
		"76561204100000011": {Time: 1200 * time.Millisecond, Text: "第一集来了", Color: danmaku.White},
		"76561204100000012": {Time: 4500 * time.Millisecond, Text: "会员渐变色测试", Color: 0xFDA742},
		"76561204100000013": {Time: 9 * time.Second, Text: "顶部红字", Color: 0xFF6A6A, Mode: danmaku.Top},
		"76561204100000021": {Time: 41250 * time.Millisecond, Text: "底部绿字", Color: 0x44EB1F, Mode: danmaku.Bottom},
		"76561204100000022": {Time: 47 * time.Second, Text: "样式坏了也要显示", Color: danmaku.White},
	} {
		c, ok := byID[id]
		c.ID, c.User = "", ""
		if !ok || c != want {
			t.Errorf("comment %s = %+v, want %+v", id, c, want)
		}
	}
}

func TestCommentsWithoutCommentsOrBase(t *testing.T) {
	const vid = "x0000danmk2"
	// 404 on the base: the video has no comments, a complete empty result.
	got, err := commentsFrom(t, &replay{t: t, route: routes(t, map[string]string{})}, vid, time.Minute)
	if err != nil || len(got.List) != 0 || !got.Complete() {
		t.Fatalf("no comments: %+v, %v", got, err)
	}
	// A base that fails otherwise: the windows are named from the duration.
	rp := &replay{t: t, route: routes(t, map[string]string{
		"dm.video.qq.com/barrage/base/" + vid:                          "status:503",
		"dm.video.qq.com/barrage/segment/" + vid + "/t/v1/0/30000":     "danmaku-segment-0.json",
		"dm.video.qq.com/barrage/segment/" + vid + "/t/v1/30000/60000": "danmaku-segment-30000.json",
	})}
	got, err = commentsFrom(t, rp, vid, 50*time.Second)
	if err != nil || got.Segments.Total != 2 || !got.Complete() || len(got.List) != 9 {
		t.Fatalf("named from the duration: %+v, %v", got, err)
	}
	// Unknown duration and no base: an error, not an empty "complete" file.
	if _, err := commentsFrom(t, &replay{t: t, route: routes(t, map[string]string{"dm.video.qq.com/barrage/base/" + vid: "status:503"})}, vid, 0); err == nil {
		t.Fatal("no segment list and no duration gave no error")
	}
}

func TestCommentsHostileReplies(t *testing.T) {
	for name, base := range map[string]string{
		"path in a segment name": `{"segment_span":"30000","segment_index":{"0":{"segment_name":"../../../etc/passwd"}}}`,
		"not JSON":               `<html>busy</html>`,
	} {
		_, err := commentsFrom(t, &replay{t: t, route: routes(t, map[string]string{"dm.video.qq.com/barrage/base/x0000danmk3": base})}, "x0000danmk3", 0)
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	list, skipped, err := parseDanmakuSegment([]byte(`{"barrage_list":[1,"x",{"time_offset":"-5","content":"neg"},{"time_offset":"5","content":7},{"id":123456789012345678901,"time_offset":7,"content":"ok","content_style":{"position":3,"color":"#00ff00"}}]}`))
	if err != nil || skipped != 4 || len(list) != 1 || list[0].ID != "123456789012345678901" || list[0].Mode != danmaku.Bottom || list[0].Color != 0x00FF00 {
		t.Fatalf("hostile segment: %+v, %d skipped, %v", list, skipped, err)
	}
	if _, _, err := parseDanmakuSegment([]byte(`{"list":[]}`)); err == nil {
		t.Fatal("a reply without barrage_list was taken as an empty window")
	}
}
