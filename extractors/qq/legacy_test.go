package qq

import (
	"net/url"
	"testing"
)

func TestClipFiles(t *testing.T) {
	tests := []struct {
		file  string
		names []string
		fmts  []string
		sizes []int64
	}{
		{"f0-getinfo-p101001.txt", []string{"d0516l19tbd.m701.mp4"}, []string{"100701"}, []int64{6361681}},
		{"f1-getinfo-shd.txt", []string{"n0687peq62x.p201.1.mp4", "n0687peq62x.p201.2.mp4", "n0687peq62x.p201.3.mp4"},
			[]string{"10201", "10201", "10201"}, []int64{3933334, 3933333, 3933333}},
	}
	for _, tt := range tests {
		r, err := decodeReply("getinfo", loadReply(t, tt.file))
		if err != nil {
			t.Fatal(err)
		}
		v, err := parseVinfo("getinfo", r)
		if err != nil {
			t.Fatal(err)
		}
		files, err := clipFiles(v)
		if err != nil || len(files) != len(tt.names) {
			t.Fatalf("%s: %+v, %v", tt.file, files, err)
		}
		for i, f := range files {
			if f.name != tt.names[i] || f.format != tt.fmts[i] || f.size != tt.sizes[i] {
				t.Errorf("%s clip %d = %+v, want %s/%s/%d", tt.file, i, f, tt.names[i], tt.fmts[i], tt.sizes[i])
			}
		}
	}
}

func TestLegacyURLs(t *testing.T) {
	u, _ := url.Parse(getkeyURL("n0687peq62x", "11", clipFile{name: "n0687peq62x.p209.2.mp4", format: "10209"}))
	q := u.Query()
	if u.Host != "vv.video.qq.com" || u.Path != "/getkey" || q.Get("filename") != "n0687peq62x.p209.2.mp4" ||
		q.Get("format") != "10209" || q.Get("vid") != "n0687peq62x" || q.Get("platform") != "11" || q.Get("otype") != "json" {
		t.Errorf("getkey URL %s", u)
	}
	u, _ = url.Parse(getinfoURL("n0687peq62x", "fhd", "11"))
	if q := u.Query(); u.Path != "/getinfo" || q.Get("defn") != "fhd" || q.Get("vid") != "n0687peq62x" {
		t.Errorf("getinfo URL %s", u)
	}
	if got := mediaURL("http://video.dispatch.tc.qq.com/uwMROfz2TEST/", "n0687peq62x.p209.1.mp4", "BBBB+2222"); got !=
		"http://video.dispatch.tc.qq.com/uwMROfz2TEST/n0687peq62x.p209.1.mp4?vkey=BBBB%2B2222" {
		t.Errorf("media URL %s", got)
	}
}
