package qq

import (
	"errors"
	"net/url"
	"testing"

	"github.com/vdlproject/vdl/extractors"
)

// TestParseURL covers every URL form of vqq.md §1 and the URLs of §7.
func TestParseURL(t *testing.T) {
	tests := []struct {
		url, vid, cid string
	}{
		{"https://v.qq.com/x/page/q326831cny0.html", "q326831cny0", ""},
		{"https://v.qq.com/x/page/o3013za7cse.html", "o3013za7cse", ""},
		{"http://v.qq.com/x/page/n0687peq62x.html", "n0687peq62x", ""},
		{"https://v.qq.com/x/cover/7ce5noezvafma27/a00269ix3l8.html", "a00269ix3l8", "7ce5noezvafma27"},
		{"https://v.qq.com/x/cover/mzc00200p29k31e/s0043cwsgj0.html", "s0043cwsgj0", "mzc00200p29k31e"},
		{"https://v.qq.com/x/cover/mcv8hkc8zk8lnov/x0036x5qqsr.html", "x0036x5qqsr", "mcv8hkc8zk8lnov"},
		{"https://v.qq.com/x/cover/2aya3ibdmft6vdw/e0765r4mwcr.html", "e0765r4mwcr", "2aya3ibdmft6vdw"},
		{"https://v.qq.com/x/cover/mzc00200fjo16c3/o00474v68ks.html", "o00474v68ks", "mzc00200fjo16c3"},
		{"https://v.qq.com/x/cover/7ce5noezvafma27.html", "", "7ce5noezvafma27"},
		{"https://v.qq.com/x/cover/oshd7r0vy9sfq8e.html#comments", "", "oshd7r0vy9sfq8e"},
		{"https://v.qq.com/x/cover/e5qmd3z5jr0uigk.html", "", "e5qmd3z5jr0uigk"},
		{"http://v.qq.com/x/cover/sifd2an7kx2h9h8.html?vid=z00294mly5y", "z00294mly5y", "sifd2an7kx2h9h8"},
		{"https://v.qq.com/iframe/player.html?vid=v0739eolv38", "v0739eolv38", ""},
		{"https://v.qq.com/txp/iframe/player.html?origin=https%3A%2F%2Fmp.weixin.qq.com&vid=v0739eolv38&autoplay=false", "v0739eolv38", ""},
		{"https://v.qq.com/detail/7/7ce5noezvafma27.html", "", "7ce5noezvafma27"},
		{"http://v.qq.com/cover/7/7ce5noezvafma27.html?vid=a00269ix3l8", "a00269ix3l8", "7ce5noezvafma27"},
		{"http://v.qq.com/cover/7/7ce5noezvafma27/a00269ix3l8.html", "a00269ix3l8", "7ce5noezvafma27"},
		{"http://v.qq.com/page/a/b/c/a00269ix3l8.html", "a00269ix3l8", ""},
		{"https://m.v.qq.com/x/m/play?vid=c0048s8n6p3&cid=mzc00200as5tv65&ptag=share_11_11", "c0048s8n6p3", "mzc00200as5tv65"},
		{"https://m.v.qq.com/x/m/play?cid=&vid=c0048s8n6p3", "c0048s8n6p3", ""},
		{"https://m.v.qq.com/x/cover/7ce5noezvafma27.html", "", "7ce5noezvafma27"},
		{"https://m.v.qq.com/x/page/q326831cny0.html", "q326831cny0", ""},
		{"https://m.v.qq.com/cover/m/7ce5noezvafma27.html?vid=a00269ix3l8", "a00269ix3l8", "7ce5noezvafma27"},
		{"https://m.v.qq.com/play.html?cid=&vid=c0048s8n6p3", "c0048s8n6p3", ""},
		{"https://m.v.qq.com/x/play.html?cid=mzc00200as5tv65", "", "mzc00200as5tv65"},
		{"HTTPS://V.QQ.COM/x/page/Q326831CNY0.html", "q326831cny0", ""},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		got, err := parseURL(u)
		if err != nil || got.vid != tt.vid || got.cid != tt.cid {
			t.Errorf("%s: got %+v, %v; want vid %q cid %q", tt.url, got, err, tt.vid, tt.cid)
		}
	}
}

func TestParseURLRejects(t *testing.T) {
	for _, raw := range []string{
		"https://v.qq.com/",
		"https://v.qq.com/x/page/short.html",
		"https://v.qq.com/x/cover/notacid.html",
		"https://v.qq.com/x/page/../../etc/passwd",
		"https://example.com/x/page/q326831cny0.html",
		"https://v.qq.com/x/search/?q=a00269ix3l8",
	} {
		u, _ := url.Parse(raw)
		if got, err := parseURL(u); !errors.Is(err, extractors.ErrUnsupported) {
			t.Errorf("%s: got %+v, %v; want ErrUnsupported", raw, got, err)
		}
	}
}
