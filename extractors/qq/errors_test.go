package qq

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/vdlproject/vdl/extractors"
)

// TestExtractErrors: each refusal of vqq.md §5 through a whole extraction
// becomes its typed error with one clear line; refusals about the flow
// (cKey, platform, HTTP) fall through to the next flow.
func TestExtractErrors(t *testing.T) {
	tests := []struct {
		name   string
		routes map[string]string
		is     []error
		words  string
	}{
		{"VIP", map[string]string{"h5vv6.video.qq.com/getvinfo": "f3-not-pay.txt"},
			[]error{extractors.ErrVIP}, "needs a VIP account"},
		{"region", map[string]string{"h5vv6.video.qq.com/getvinfo": "f3-geo.txt"},
			[]error{extractors.ErrGeo}, "您所在区域"},
		{"not found", map[string]string{"h5vv6.video.qq.com/getvinfo": `QZOutputJson={"s":"f","em":61,"msg":"视频不存在"};`},
			[]error{extractors.ErrNotFound}, "视频不存在"},
		{"cKey refused, every platform refused", map[string]string{
			"h5vv6.video.qq.com/getvinfo": "f3-ckey.txt", "vv.video.qq.com/getinfo": "f3-outside.txt"},
			[]error{ErrCKey, ErrCannotPlayOutside, extractors.ErrGeo}, "85.-3"},
		{"API changed", map[string]string{
			"h5vv6.video.qq.com/getvinfo": `QZOutputJson={"s":"o","code":"0.0","fl":{}};`,
			"vv.video.qq.com/getinfo":     `QZOutputJson={"s":"o","vl":{"vi":[]}};`},
			[]error{extractors.ErrAPIChanged}, "field vl.vi.0 missing"},
		{"not JSON", map[string]string{
			"h5vv6.video.qq.com/getvinfo": "<html>blocked</html>", "vv.video.qq.com/getinfo": "status:500"},
			[]error{extractors.ErrAPIChanged}, "not JSON"},
		{"only a trial", map[string]string{
			"h5vv6.video.qq.com/getvinfo": "f3-ckey.txt",
			"vv.video.qq.com/getinfo":     `QZOutputJson={"s":"o","preview":30,"fl":{"fi":[{"name":"shd","br":1,"sl":1}]},"vl":{"vi":[{"vid":"n0687peq62x","td":"600","br":1,"fn":"a.mp4","fvkey":"K","fs":10,"ul":{"ui":[{"url":"http://c/"}]}}]}};`},
			[]error{extractors.ErrVIP}, "preview"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rp := &replay{t: t, route: routes(t, tc.routes)}
			_, err := extract(t, rp, "https://v.qq.com/x/page/n0687peq62x.html")
			if err == nil {
				t.Fatal("extraction succeeded")
			}
			for _, want := range tc.is {
				if !errors.Is(err, want) {
					t.Errorf("error %q is not %v", err, want)
				}
			}
			if !strings.Contains(err.Error(), tc.words) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q: want one line mentioning %q", err, tc.words)
			}
		})
	}
}

// TestPlatformFallback: "cannot play outside" on platform 11 moves the
// legacy flow to the next platform, which is then used for every request.
func TestPlatformFallback(t *testing.T) {
	base := routes(t, map[string]string{"h5vv6.video.qq.com/getvinfo": "f3-ckey.txt", "vv.video.qq.com/getinfo?defn=shd": "f1-getinfo-shd.txt"})
	rp := &replay{t: t}
	rp.route = func(r *http.Request) (int, string) {
		if r.URL.Path == "/getinfo" && r.URL.Query().Get("platform") == "11" {
			return 200, string(loadReply(t, "f3-outside.txt"))
		}
		return base(r)
	}
	m, err := extract(t, rp, "https://v.qq.com/x/page/n0687peq62x.html")
	if err != nil {
		t.Fatal(err)
	}
	if m.Formats[0].ID != "shd" || len(m.Formats[0].Streams[0].Segments) != 3 {
		t.Fatalf("formats %+v", m.Formats)
	}
	infos, keys := rp.requests("vv.video.qq.com", "/getinfo"), rp.requests("vv.video.qq.com", "/getkey")
	if len(infos) < 2 || len(keys) != 3 {
		t.Fatalf("%d getinfo and %d getkey requests", len(infos), len(keys))
	}
	for _, r := range append(infos[1:], keys...) {
		if p := r.URL.Query().Get("platform"); p != "4100201" {
			t.Errorf("%s asked with platform %s, want 4100201", r.URL.Path, p)
		}
	}
}
