package qq

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/request"
)

// TestExtractErrors: each refusal of vqq.md §5 through a whole extraction
// becomes its typed error with one clear line; refusals about the flow
// (cKey, platform, a reply that is not JSON, a 404) fall through to the
// next flow, and a server fault after its retries ends the extraction as
// a network failure (another flow could give another result).
func TestExtractErrors(t *testing.T) {
	tests := []struct {
		name    string
		routes  map[string]string
		is      []error
		words   string
		network bool   // the error is a network failure (exit 3)
		noAsk   string // a path that must not have been asked
	}{
		{"VIP", map[string]string{"h5vv6.video.qq.com/getvinfo": "f3-not-pay.txt"},
			[]error{extractors.ErrVIP}, "needs a VIP account", false, ""},
		{"region", map[string]string{"h5vv6.video.qq.com/getvinfo": "f3-geo.txt"},
			[]error{extractors.ErrGeo}, "您所在区域", false, ""},
		{"not found", map[string]string{"h5vv6.video.qq.com/getvinfo": `QZOutputJson={"s":"f","em":61,"msg":"视频不存在"};`},
			[]error{extractors.ErrNotFound}, "视频不存在", false, ""},
		{"cKey refused, every platform refused", map[string]string{
			"h5vv6.video.qq.com/getvinfo": "f3-ckey.txt", "vv.video.qq.com/getinfo": "f3-outside.txt"},
			[]error{ErrCKey, ErrCannotPlayOutside, extractors.ErrGeo}, "85.-3", false, ""},
		{"API changed", map[string]string{
			"h5vv6.video.qq.com/getvinfo": `QZOutputJson={"s":"o","code":"0.0","fl":{}};`,
			"vv.video.qq.com/getinfo":     `QZOutputJson={"s":"o","vl":{"vi":[]}};`},
			[]error{extractors.ErrAPIChanged}, "field vl.vi.0 missing", false, ""},
		{"not JSON", map[string]string{
			"h5vv6.video.qq.com/getvinfo": "<html>blocked</html>", "vv.video.qq.com/getinfo": "status:404"},
			[]error{extractors.ErrAPIChanged}, "not JSON", false, ""},
		{"server fault stops the flows", map[string]string{
			"h5vv6.video.qq.com/getvinfo": "status:503", "vv.video.qq.com/getinfo": "f1-getinfo-shd.txt"},
			nil, "503", true, "/getinfo"},
		{"only a trial", map[string]string{
			"h5vv6.video.qq.com/getvinfo": "f3-ckey.txt",
			"vv.video.qq.com/getinfo":     `QZOutputJson={"s":"o","preview":30,"fl":{"fi":[{"name":"shd","br":1,"sl":1}]},"vl":{"vi":[{"vid":"n0687peq62x","td":"600","br":1,"fn":"a.mp4","fvkey":"K","fs":10,"ul":{"ui":[{"url":"http://c/"}]}}]}};`},
			[]error{extractors.ErrVIP}, "preview", false, ""},
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
			if got := request.Retryable(err); got != tc.network {
				t.Errorf("error %q: network failure = %v, want %v", err, got, tc.network)
			}
			if tc.noAsk != "" && len(rp.requests(LegacyHostForTest, tc.noAsk)) > 0 {
				t.Errorf("%s was asked after a server fault: the fault changed the flow", tc.noAsk)
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
