package qq

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/request"
)

// proxySite answers proxyhttp POSTs from recorded replies, keyed by
// "<dtype>/<defn>" (vinfoad) or "key" (onlyvkey, answered with a key
// named after the file); every request's signature is checked.
type proxySite struct {
	t       *testing.T
	vinfo   map[string]string // "3/shd" -> fixture file; "3/*" for any defn
	other   map[string]string // "host/path" -> body, for playlist and subtitle GETs
	refuse  atomic.Int64      // refuse the next n playlist GETs with 403
	mu      sync.Mutex
	calls   map[string]int
	tokens  []string // the logintokens seen
	badSign atomic.Int64
}

func (p *proxySite) count(k string) {
	p.mu.Lock()
	p.calls[k]++
	p.mu.Unlock()
}

func (p *proxySite) route(r *http.Request) (int, string) {
	if r.Method != http.MethodPost {
		if strings.HasSuffix(r.URL.Path, ".m3u8") && p.refuse.Add(-1) >= 0 {
			return 403, "expired"
		}
		body, ok := p.other[r.URL.Host+r.URL.Path]
		if !ok {
			return 404, "not found"
		}
		return 200, body
	}
	if r.URL.Host != "vd.l.qq.com" || r.URL.Path != "/proxyhttp" || r.Header.Get("Content-Type") != "application/json" {
		return 404, "not found"
	}
	b, _ := io.ReadAll(r.Body)
	req := gjson.ParseBytes(b)
	buid := req.Get("buid").String()
	param := req.Get("vinfoparam").String()
	if buid == "onlyvkey" {
		param = req.Get("vkeyparam").String()
	}
	q, err := url.ParseQuery(param)
	if err != nil {
		return 200, `{"errCode":-7610,"retMsg":"无效的cgi"}`
	}
	p.mu.Lock()
	p.tokens = append(p.tokens, q.Get("logintoken"))
	p.mu.Unlock()
	if err := checkProxySignature(q); err != nil {
		p.badSign.Add(1)
		p.t.Errorf("%s: %v", buid, err)
	}
	switch buid {
	case "vinfoad":
		key := q.Get("dtype") + "/" + q.Get("defn")
		p.count(key)
		f, ok := p.vinfo[key]
		if !ok {
			f, ok = p.vinfo[q.Get("dtype")+"/*"]
		}
		if !ok {
			return 200, string(loadReply(p.t, "p6-proxyhttp-ckey.json"))
		}
		return 200, string(loadReply(p.t, f))
	case "onlyvkey":
		p.count("onlyvkey")
		inner, _ := json.Marshal(map[string]string{"s": "o", "key": "K-" + q.Get("filename"), "filename": q.Get("filename")})
		outer, _ := json.Marshal(map[string]any{"errCode": 0, "vkey": string(inner)})
		return 200, string(outer)
	}
	return 200, `{"errCode":-7610,"retMsg":"无效的cgi"}`
}

// checkProxySignature decrypts a cKey 8.5 and checks it signs q.
func checkProxySignature(q url.Values) error {
	if q.Get("platform") != "10201" || q.Get("appVer") != "1.27.3" || q.Get("encryptVer") != "8.5" || q.Get("otype") != "ojson" {
		return errors.New("constants")
	}
	ct, err := hex.DecodeString(strings.TrimPrefix(q.Get("cKey"), "--01"))
	if err != nil || len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return errors.New("cKey not hex blocks")
	}
	block, _ := aes.NewCipher(ckey85Key)
	pt := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, ckey85IV).CryptBlocks(pt, ct)
	pt = pt[:len(pt)-int(pt[len(pt)-1])]
	j := gjson.ParseBytes(pt)
	if j.Get("vid").String() != q.Get("vid") || j.Get("guid").String() != q.Get("guid") || j.Get("ts").String() != q.Get("tm") {
		return errors.New("cKey does not sign this request: " + string(pt))
	}
	return nil
}

func extractProxy(t *testing.T, p *proxySite, env extractors.Env) (*extractors.Media, error) {
	t.Helper()
	if p.calls == nil {
		p.calls = map[string]int{}
	}
	rp := &replay{t: t, route: p.route}
	if env.HTTP == nil {
		env.HTTP = &request.Client{HTTP: &http.Client{Transport: rp}, Policy: request.Policy{Retries: -1}}
	} else {
		env.HTTP.HTTP.Transport = rp
	}
	env.Log, env.UserAgent = slog.New(slog.DiscardHandler), "TestAgent/1.0"
	u, _ := url.Parse("https://v.qq.com/x/page/u4101r9hb9p.html")
	res, err := New(env).Extract(context.Background(), u)
	if err != nil {
		return nil, err
	}
	return res.Media[0], nil
}

const vttPlaylist = "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\nzh-1.vtt\n#EXTINF:5.0,\nzh-2.vtt\n#EXT-X-ENDLIST\n"

func subtitleHosts() map[string]string {
	return map[string]string{"subtitle.v.qq.com/u4101r9hb9p.zh-cn.vtt.m3u8": vttPlaylist}
}

// TestProxyTSMode: TS mode first; shd from ul.m3u8 text (durations),
// hd from fn and fc, each segment on every prefix; the VIP quality left
// out; the .vtt.m3u8 subtitle read as a playlist.
func TestProxyTSMode(t *testing.T) {
	p := &proxySite{t: t, vinfo: map[string]string{"3/hd": "p1-proxyhttp-ts-hd.json", "3/shd": "p1-proxyhttp-ts-shd.json",
		"3/fhd": "p1-proxyhttp-ts-fhd.json"}, other: subtitleHosts()}
	m, err := extractProxy(t, p, extractors.Env{})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "p1-proxyhttp-ts", m)
	if len(m.Formats) != 2 || m.Formats[0].Flow != "proxyhttp-ts" || m.Formats[0].ID != "shd" {
		t.Fatalf("formats %+v", m.Formats)
	}
	hd := m.Formats[1].Streams[0].Segments
	if len(hd) != 4 || hd[3].URL != "https://cdn-x.vod.tc.qq.com/ts/TOKEN3/svp_50112/u4101r9hb9p.f321002.4.ts?sdtfrom=v1010" || len(hd[0].Mirrors) != 2 {
		t.Errorf("hd segments %+v", hd)
	}
	var zh *extractors.Subtitle
	for i := range m.Subtitles {
		if m.Subtitles[i].Lang == "zh-cn" {
			zh = &m.Subtitles[i]
		}
	}
	if zh == nil || zh.Ext != "vtt" || len(zh.Segments) != 2 || !strings.HasSuffix(zh.Segments[1], "/zh-2.vtt") {
		t.Errorf("the .vtt.m3u8 subtitle: %+v", zh)
	}
	if p.calls["1/hd"] != 0 {
		t.Errorf("MP4-clip mode asked though TS mode answered")
	}
}

// TestProxyClipModeAfterTSRefused: TS mode refused (85.-3) hands over to
// MP4-clip mode, one onlyvkey per clip; the cookies make the logintoken.
func TestProxyClipModeAfterTSRefused(t *testing.T) {
	p := &proxySite{t: t, vinfo: map[string]string{"1/hd": "p4-proxyhttp-mp4-hd.json", "1/shd": "p4-proxyhttp-mp4-shd.json"},
		other: subtitleHosts()}
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse("https://v.qq.com/")
	jar.SetCookies(u, []*http.Cookie{{Name: "vqq_vusession", Value: "SESSION-SECRET"}, {Name: "main_login", Value: "qq"}})
	m, err := extractProxy(t, p, extractors.Env{HTTP: &request.Client{HTTP: &http.Client{Jar: jar}, Policy: request.Policy{Retries: -1}}})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "p4-proxyhttp-mp4", m)
	if m.Formats[0].Flow != "proxyhttp-mp4" || len(m.Formats[0].Streams[0].Segments) != 3 || p.calls["onlyvkey"] != 4 {
		t.Fatalf("formats %+v, onlyvkey %d", m.Formats, p.calls["onlyvkey"])
	}
	if got := m.Formats[0].Streams[0].Segments[1].URL; got != "http://video.dispatch.tc.qq.com/TOKEN2/l0042abcdef.p217.2.mp4?sdtfrom=v1010&vkey=K-l0042abcdef.p217.2.mp4" {
		t.Errorf("clip URL %s", got)
	}
	tok := gjson.Parse(p.tokens[len(p.tokens)-1])
	if tok.Get("vusession").String() != "SESSION-SECRET" || tok.Get("main_login").String() != "qq" || !tok.Get("openid").Exists() {
		t.Errorf("logintoken %s", p.tokens[len(p.tokens)-1])
	}
}

// TestProxyPreviews: a reply without preview whose playlist (or clips)
// covers part of td is refused as VIP before any media byte, saying how
// long the preview is; KeepPreviews keeps it, named as a preview.
func TestProxyPreviews(t *testing.T) {
	for _, tc := range []struct {
		name, dtype, file, want string
	}{
		{"ts-playlist", "3", "p2-proxyhttp-ts-preview.json", "a 15-second preview"},
		{"clips", "1", "p5-proxyhttp-mp4-preview.json", "a 5-minute preview"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &proxySite{t: t, vinfo: map[string]string{tc.dtype + "/*": tc.file}, other: subtitleHosts()}
			_, err := extractProxy(t, p, extractors.Env{})
			if !errors.Is(err, extractors.ErrVIP) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want VIP with %q", err, tc.want)
			}
			if p.calls["onlyvkey"] != 0 {
				t.Errorf("clip keys asked for a preview")
			}
			m, err := extractProxy(t, p, extractors.Env{KeepPreviews: true})
			if err != nil || !m.Preview || !strings.HasSuffix(m.Title, "[preview]") {
				t.Fatalf("kept: %v, %+v", err, m)
			}
		})
	}
}

// TestProxyPlaylistLinkRefreshed: ul.m3u8 as a link resolves against the
// first prefix; a 403 on it (a key that expired while vdl waited) asks
// the quality afresh, and the quality is kept.
func TestProxyPlaylistLinkRefreshed(t *testing.T) {
	p := &proxySite{t: t, vinfo: map[string]string{"3/*": "p3-proxyhttp-ts-link.json"}, other: map[string]string{
		"ltsws.qq.com/ts/TOKEN1/svp_50112/u4101r9hb9p.f321003.ts.m3u8": string(loadReply(t, "hls-media.m3u8")),
	}}
	p.refuse.Store(2)
	m, err := extractProxy(t, p, extractors.Env{})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Formats) != 1 || len(m.Formats[0].Streams[0].Segments) != 18 {
		t.Fatalf("formats %+v", m.Formats)
	}
	if p.calls["3/hd"] < 2 {
		t.Errorf("vinfoad asked %d times, want a fresh ask after the 403", p.calls["3/hd"])
	}
}

// TestProxyFlowOrder: a flow refused in this run is tried last, and a
// preferred flow first.
func TestProxyFlowOrder(t *testing.T) {
	flows := &extractors.Flows{}
	flows.Refuse("qq", "proxyhttp-ts")
	p := &proxySite{t: t, vinfo: map[string]string{"3/*": "p1-proxyhttp-ts-hd.json", "1/hd": "p4-proxyhttp-mp4-hd.json",
		"1/shd": "p4-proxyhttp-mp4-shd.json"}, other: subtitleHosts()}
	m, err := extractProxy(t, p, extractors.Env{Flows: flows})
	if err != nil || m.Formats[0].Flow != "proxyhttp-mp4" || p.calls["3/hd"] != 0 {
		t.Fatalf("refused flow not last: %v, %+v, calls %v", err, m, p.calls)
	}
	m, err = extractProxy(t, p, extractors.Env{Flows: flows, PreferFlow: "proxyhttp-ts"})
	if err != nil || m.Formats[0].Flow != "proxyhttp-ts" {
		t.Fatalf("preferred flow not first: %v", err)
	}
}

// TestProxyChangedReplies: a reply that changed shape is one error naming
// the flow and the field, and hands over to the next flow (here none
// answers, so the error is the extraction's).
func TestProxyChangedReplies(t *testing.T) {
	for _, body := range []string{
		`{"errCode":0,"vinfo":{"s":"o"}}`,
		`{"errCode":0}`,
		`{"errCode":0,"vinfo":"{\"s\":\"o\",\"vl\":{\"vi\":[{\"vid\":\"u4101r9hb9p\",\"fc\":99999999,\"ul\":{\"ui\":[{\"url\":\"https://a.tc.qq.com/\"}]}}]}}"}`,
		`<html>blocked</html>`,
	} {
		p := &proxySite{t: t, vinfo: map[string]string{}, other: map[string]string{}}
		rp := &replay{t: t, route: func(r *http.Request) (int, string) {
			if r.URL.Host == "vd.l.qq.com" {
				return 200, body
			}
			return p.route(r)
		}}
		u, _ := url.Parse("https://v.qq.com/x/page/u4101r9hb9p.html")
		_, err := New(extractors.Env{HTTP: &request.Client{HTTP: &http.Client{Transport: rp}, Policy: request.Policy{Retries: -1}},
			Log: slog.New(slog.DiscardHandler)}).Extract(context.Background(), u)
		if err == nil || !strings.Contains(err.Error(), "proxyhttp-ts") || !errors.Is(err, extractors.ErrAPIChanged) {
			t.Errorf("%s: %v", body, err)
		}
	}
}
