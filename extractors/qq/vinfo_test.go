package qq

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vdlproject/vdl/extractors"
)

func loadReply(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestParseVinfo reads the replies of vqq.md §6: F0 (a real getinfo
// reply), F1 (legacy getinfo with clips) and F2 (getvinfo with HLS).
func TestParseVinfo(t *testing.T) {
	tests := []struct {
		file      string
		title     string
		duration  time.Duration
		quality   string
		label     string
		w, h      int
		mirrors   []mirror
		clips     []clip
		keyID     string
		qualities int
	}{
		{file: "f0-getinfo-p101001.txt", title: "《渣渣的一天》垃圾焚烧发电厂科普动画片", duration: 216040 * time.Millisecond,
			quality: "msd", label: "标清 (270P)", w: 480, h: 272, keyID: "d0516l19tbd.100701", qualities: 2,
			mirrors: []mirror{{url: "http://ugcdx.qq.com/"},
				{url: "http://vhot2.qqvideo.tc.qq.com/uwMROfz2r5zCIaQXGdGnC2dfhzk_jigLCkkLvI0zErHWpl3G/"},
				{url: "http://video.dispatch.tc.qq.com/uwMROfz2r5zCIaQXGdGnCGdfhzlZa5CI6NFRiK3DQbR50oiA/"}}},
		{file: "f1-getinfo-shd.txt", title: "世界杯第一期：100秒速成！“伪球迷”世界杯生存指南", duration: 100050 * time.Millisecond,
			quality: "shd", label: "超清 (720P)", w: 1280, h: 720, qualities: 4,
			mirrors: []mirror{{url: "http://video.dispatch.tc.qq.com/uwMROfz2TEST/"}},
			clips: []clip{{1, 3933334, 33350 * time.Millisecond, "n0687peq62x.10201.1"}, {2, 3933333, 33350 * time.Millisecond, "n0687peq62x.10201.2"},
				{3, 3933333, 33350 * time.Millisecond, "n0687peq62x.10201.3"}}},
		{file: "f2-getvinfo-hd.txt", title: "第1集：如何快乐吃糖？", duration: 180 * time.Second,
			quality: "hd", label: "高清 480P", w: 852, h: 480, qualities: 3,
			mirrors: []mirror{{url: "https://apd-vlive.apdcdn.tc.qq.com/defaultts.tc.qq.com/B_TESTTOKEN/svp_50112/",
				hls: "https://apd-vlive.apdcdn.tc.qq.com/defaultts.tc.qq.com/B_TESTTOKEN/svp_50112/gzc_1000102_0b53testhash.f321002.ts.m3u8?ver=4"}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r, err := decodeReply("getinfo", loadReply(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if err := replyError("getinfo", r); err != nil {
				t.Fatal(err)
			}
			v, err := parseVinfo("getinfo", r)
			if err != nil {
				t.Fatal(err)
			}
			if v.title != tt.title || v.duration != tt.duration || v.quality.name != tt.quality || v.quality.label() != tt.label ||
				v.width != tt.w || v.height != tt.h || v.singleKeyID != tt.keyID || len(v.qualities) != tt.qualities {
				t.Errorf("got title %q duration %v quality %q %q %dx%d keyid %q qualities %d", v.title, v.duration,
					v.quality.name, v.quality.label(), v.width, v.height, v.singleKeyID, len(v.qualities))
			}
			if len(v.mirrors) != len(tt.mirrors) {
				t.Fatalf("mirrors %+v, want %+v", v.mirrors, tt.mirrors)
			}
			for i := range tt.mirrors {
				if v.mirrors[i] != tt.mirrors[i] {
					t.Errorf("mirror %d = %+v, want %+v", i, v.mirrors[i], tt.mirrors[i])
				}
			}
			if len(v.clips) != len(tt.clips) {
				t.Fatalf("clips %+v, want %+v", v.clips, tt.clips)
			}
			for i := range tt.clips {
				if v.clips[i] != tt.clips[i] {
					t.Errorf("clip %d = %+v, want %+v", i, v.clips[i], tt.clips[i])
				}
			}
		})
	}
}

// TestParseVinfoChangedAPI: missing fields are named, never a panic.
func TestParseVinfoChangedAPI(t *testing.T) {
	for body, field := range map[string]string{
		`QZOutputJson={"s":"o","vl":{"cnt":0}};`:                         "vl.vi.0",
		`QZOutputJson={"s":"o","vl":{"vi":[{"vid":"x","fn":"a.mp4"}]}};`: "ul.ui",
		`QZOutputJson={"s":"o","vl":{"vi":[{"fn":"a.mp4"}]}};`:           "vl.vi.0.vid",
	} {
		r, err := decodeReply("getinfo", []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		_, err = parseVinfo("getinfo", r)
		if !errors.Is(err, extractors.ErrAPIChanged) || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: err = %v, want ErrAPIChanged naming %s", body, err, field)
		}
	}
}
