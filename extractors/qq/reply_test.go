package qq

import (
	"errors"
	"strings"
	"testing"

	"github.com/vdlproject/vdl/extractors"
)

func TestDecodeReply(t *testing.T) {
	tests := []struct {
		name, body string
		vid        string // vl.vi.0.vid, "" for a decode error
	}{
		{"jsonp", `QZOutputJson={"s":"o","vl":{"vi":[{"vid":"d0516l19tbd"}]}};`, "d0516l19tbd"},
		{"jsonp with a newline and no semicolon", "\nQZOutputJson={\"s\":\"o\",\"vl\":{\"vi\":[{\"vid\":\"abc\"}]}}\n", "abc"},
		{"ojson", `{"s":"o","vl":{"vi":[{"vid":"x"}]}}`, "x"},
		{"trailing script", `QZOutputJson={"vl":{"vi":[{"vid":"y"}]}};var a=1;`, "y"},
		{"html", `<html><body>502 Bad Gateway</body></html>`, ""},
		{"empty", ``, ""},
		{"truncated", `QZOutputJson={"s":"o","vl":{"vi":[`, ""},
		{"array", `QZOutputJson=[1,2];`, ""},
	}
	for _, tt := range tests {
		r, err := decodeReply("getinfo", []byte(tt.body))
		if tt.vid == "" {
			if !errors.Is(err, extractors.ErrAPIChanged) {
				t.Errorf("%s: err = %v, want ErrAPIChanged", tt.name, err)
			}
			continue
		}
		if err != nil || r.Get("vl.vi.0.vid").String() != tt.vid {
			t.Errorf("%s: vid %q, %v", tt.name, r.Get("vl.vi.0.vid").String(), err)
		}
	}
}

// TestReplyErrors maps the error replies of vqq.md §6 F3 (and variants).
func TestReplyErrors(t *testing.T) {
	tests := []struct {
		name, body string
		want       error // nil: success
		has        string
	}{
		{"ok", `QZOutputJson={"s":"o","code":"0.0","em":0,"exem":0};`, nil, ""},
		{"not pay", `QZOutputJson={"em":83,"exem":-2,"ip":"10.228.30.109","msg":"not pay","s":"f"};`, extractors.ErrVIP, "VIP"},
		{"cannot play outside", `QZOutputJson={"em":100,"exem":2,"s":"f","msg":"cannot play outside","ip":"x.x.x.x"};`, ErrCannotPlayOutside, "cannot play outside"},
		{"cannot play outside is geo", `QZOutputJson={"em":100,"exem":2,"s":"f","msg":"cannot play outside"};`, extractors.ErrGeo, ""},
		{"ckey", `QZOutputJson={"ip":"183.247.4.228","retry":1,"s":"f","em":85,"exem":-3,"msg":"这个视频被外星人劫走，暂时看不了了~","type":-3,"curTime":1718887533,"rand":"o77cp3tMXxx7UJYk1YpfHw==","code":"85.-3"};`, ErrCKey, "85.-3"},
		{"geo", `QZOutputJson={"s":"f","em":80,"exem":1,"code":"80.1","msg":"您所在区域暂无此内容版权（如设置VPN请关闭后重试）"};`, extractors.ErrGeo, "区域"},
		{"geo english", `QZOutputJson={"s":"f","em":80,"exem":1,"msg":"This content is not available in your area due to copyright restrictions. Please choose other videos."};`, extractors.ErrGeo, ""},
		{"not found", `QZOutputJson={"s":"f","em":61,"exem":-1,"msg":"vid不存在"};`, extractors.ErrNotFound, ""},
		{"other", `QZOutputJson={"s":"f","em":-1,"msg":"check vid&filename failed"};`, nil, "check vid&filename failed"},
	}
	for _, tt := range tests {
		r, err := decodeReply("getinfo", []byte(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		err = replyError("getinfo", r)
		switch {
		case tt.name == "ok" && err != nil:
			t.Errorf("ok: %v", err)
		case tt.want != nil && !errors.Is(err, tt.want):
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		case tt.has != "" && (err == nil || !strings.Contains(err.Error(), tt.has)):
			t.Errorf("%s: err = %v, want it to mention %q", tt.name, err, tt.has)
		}
	}
}

func TestNeed(t *testing.T) {
	r, _ := decodeReply("getinfo", []byte(`QZOutputJson={"vl":{"cnt":0,"vi":[]}};`))
	_, err := need("getinfo", r, "vl.vi.0")
	if !errors.Is(err, extractors.ErrAPIChanged) || err.Error() != "unexpected site reply: qq: unexpected getinfo reply (field vl.vi.0 missing)" {
		t.Errorf("err = %v", err)
	}
}
