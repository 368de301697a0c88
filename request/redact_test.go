package request

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Secrets of the redaction tests: each must be gone from the result, in
// every form.
const (
	ckeyV     = "--01A1B2C3D4E5F60718293A4B5C6D7E8F"
	guidV     = "0123456789abcdef"
	flowV     = "fedcba9876543210fedcba9876543210"
	sessionV  = "VUSESSION-8f3e2a"
	accessV   = "ACCESS.TOKEN+77/xy"
	openidV   = "OPENID9c1d2e3f"
	vuseridV  = "4800123456"
	vkeyV     = "7A0B3C4D5E6F7A8B9C0D"
	fvkeyV    = "FVKEY0123456789ABCDEF"
	cookieV   = "c00kie-value-42"
	passwordV = "hunter22pw"
)

var allSecrets = []string{ckeyV, guidV, flowV, sessionV, accessV, openidV, vuseridV, vkeyV, fvkeyV, cookieV, passwordV}

// logintoken is the login token's JSON as the extractor builds it.
func logintoken() string {
	return `{"openid":"` + openidV + `","appid":"101483052","access_token":"` + accessV + `","vuserid":"` + vuseridV +
		`","vusession":"` + sessionV + `","main_login":"qq"}`
}

// vinfoparam is a proxyhttp query, the login token URL-encoded in it.
func vinfoparam() string {
	return "otype=ojson&vid=a00269ix3l8&defn=shd&refer=" + url.QueryEscape("https://v.qq.com/x/cover/c/a00269ix3l8.html") +
		"&logintoken=" + url.QueryEscape(logintoken()) + "&guid=" + guidV + "&flowid=" + flowV + "&tm=1700000000&cKey=" + ckeyV
}

func proxyBody() string {
	b, _ := json.Marshal(map[string]string{"buid": "vinfoad", "vinfoparam": vinfoparam()})
	return string(b)
}

// TestRecordRedaction: no secret survives, in a URL, a header, a JSON,
// form or JSONP body, nested (a query in JSON holding a JSON token), or
// a page's text; what is not secret stays readable.
func TestRecordRedaction(t *testing.T) {
	vkeyReply, _ := json.Marshal(map[string]string{"vkey": `{"s":"o","key":"` + vkeyV + `","keyid":"lnk.10003.1","filename":"lnk.p203.1.mp4"}`})
	vinfo, _ := json.Marshal(map[string]any{"errCode": 0, "vinfo": `{"s":"o","vl":{"vi":[{"fn":"a.mp4","fvkey":"` + fvkeyV + `","ul":{"ui":[{"url":"https://cdn/x/"}]}}]}}`})
	tests := []struct {
		name string
		ex   Exchange
		keep []string // text that must still be there
	}{
		{"query", Exchange{Method: "GET", URL: "https://h5vv6.video.qq.com/getvinfo?vid=a00269ix3l8&cKey=" + ckeyV + "&guid=" + guidV + "&flowid=" + flowV + "&platform=11"},
			[]string{"vid=a00269ix3l8", "cKey=<redacted>", "guid=<redacted>", "platform=11"}},
		{"nested query in JSON", Exchange{Method: "POST", URL: "https://vd.l.qq.com/proxyhttp", Body: []byte(proxyBody()),
			Header: http.Header{"Content-Type": {"application/json"}}},
			[]string{`"buid":"vinfoad"`, "vid=a00269ix3l8", "cKey=<redacted>", "tm=1700000000", "refer=https%3A%2F%2Fv.qq.com"}},
		{"vkey reply", Exchange{RespBody: vkeyReply}, []string{"lnk.p203.1.mp4", `\"s\":\"o\"`, `\"key\":\"<redacted>\"`}},
		{"vinfo reply", Exchange{RespBody: vinfo}, []string{`\"fn\":\"a.mp4\"`, `https://cdn/x/`}},
		{"JSONP reply", Exchange{RespBody: []byte(`QZOutputJson={"vl":{"vi":[{"fvkey":"` + fvkeyV + `","fn":"b.mp4"}]}};`)},
			[]string{`QZOutputJson={"vl":{"vi":[{"fvkey":"<redacted>","fn":"b.mp4"}]}};`}},
		{"form body", Exchange{Body: []byte("vid=x&vkey=" + vkeyV + "&format=2"), Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}},
			[]string{"vid=x&vkey=<redacted>&format=2"}},
		{"cookie value in a body", Exchange{RespBody: []byte("<html><script>var u='" + cookieV + "', e='" + url.QueryEscape(cookieV) + "';</script></html>")},
			[]string{"<html><script>var u='<redacted>'"}},
		{"URL credentials", Exchange{URL: "http://user:" + passwordV + "@127.0.0.1:8080/x?a=1", RespBody: []byte("see socks5://bob:" + passwordV + "@proxy:1080 now")},
			[]string{"http://<redacted>@127.0.0.1:8080/x?a=1", "socks5://<redacted>@proxy:1080 now"}},
		{"headers", Exchange{Header: http.Header{"Cookie": {"vqq_vusession=" + sessionV + "; main_login=qq"}, "Authorization": {"Bearer " + accessV},
			"Referer": {"https://v.qq.com/x/page/a.html?vkey=" + vkeyV}},
			RespHeader: http.Header{"Set-Cookie": {"vqq_access_token=" + accessV + "; Path=/; Domain=.qq.com"}, "Location": {"https://cdn/a.mp4?vkey=" + vkeyV + "&sdtfrom=v1010"}}},
			[]string{"vqq_vusession=<redacted>; main_login=<redacted>", "Bearer <redacted>", "vqq_access_token=<redacted>; Path=/; Domain=.qq.com", "sdtfrom=v1010"}},
		{"page script", Exchange{RespBody: []byte(`<script>window.x={vusession:"` + sessionV + `","openid":"` + openidV + `",title:"第01集"};src="a.m3u8?vkey=` + vkeyV + `&x=1"</script>`)},
			[]string{`vusession:"<redacted>"`, `"openid":"<redacted>"`, `title:"第01集"`, "vkey=<redacted>&x=1"}},
		{"playlist", Exchange{RespBody: []byte("#EXTM3U\n#EXTINF:4,\nseg1.ts?sdtfrom=v1010&vkey=" + vkeyV + "\n#EXT-X-ENDLIST\n")},
			[]string{"seg1.ts?sdtfrom=v1010&vkey=<redacted>\n#EXT-X-ENDLIST"}},
		{"error", Exchange{Err: errors.New("GET https://cdn/a.mp4?vkey=" + vkeyV + ": 403 Forbidden")}, []string{"403 Forbidden"}},
		{"binary body", Exchange{RespBody: []byte{0x8f, 0x00, 0x13, 0xfe, 'k', 'e', 'y', 0x01}}, []string{"<redacted> (8 bytes that are not text)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRedactor([]string{cookieV, "qq"})
			got := dump(r.Redact(tt.ex))
			for _, s := range allSecrets {
				for _, form := range []string{s, url.QueryEscape(s), url.QueryEscape(url.QueryEscape(s))} {
					if strings.Contains(got, form) {
						t.Errorf("secret %q left in:\n%s", form, got)
					}
				}
			}
			for _, k := range tt.keep {
				if !strings.Contains(got, k) {
					t.Errorf("%q missing from:\n%s", k, got)
				}
			}
		})
	}
}

// TestRecordRedactNestedToken: the login token inside vinfoparam keeps
// its field names, its empty fields stay empty, and the rest is marked.
func TestRecordRedactNestedToken(t *testing.T) {
	tok := strings.Replace(logintoken(), `"main_login":"qq"`, `"main_login":""`, 1)
	body := strings.Replace(proxyBody(), url.QueryEscape(url.QueryEscape(logintoken())), url.QueryEscape(url.QueryEscape(tok)), 1)
	body = strings.Replace(body, url.QueryEscape(logintoken()), url.QueryEscape(tok), 1)
	got := NewRedactor(nil).Redact(Exchange{Body: []byte(body)})
	var outer map[string]string
	if err := json.Unmarshal(got.Body, &outer); err != nil {
		t.Fatalf("body no longer JSON: %v\n%s", err, got.Body)
	}
	q, err := url.ParseQuery(outer["vinfoparam"])
	if err != nil {
		t.Fatalf("vinfoparam no longer a query: %v: %s", err, outer["vinfoparam"])
	}
	var token map[string]string
	if err := json.Unmarshal([]byte(q.Get("logintoken")), &token); err != nil {
		t.Fatalf("logintoken no longer JSON: %v: %q", err, q.Get("logintoken"))
	}
	want := map[string]string{"openid": Marker, "appid": Marker, "access_token": Marker, "vuserid": Marker, "vusession": Marker, "main_login": ""}
	for k, v := range want {
		if token[k] != v {
			t.Errorf("logintoken %s = %q, want %q (token %v)", k, token[k], v, token)
		}
	}
	if q.Get("vid") != "a00269ix3l8" || q.Get("cKey") != Marker || q.Get("guid") != Marker {
		t.Errorf("vinfoparam = %v", q)
	}
	// The order of the members is the site's, not sorted.
	if !strings.HasPrefix(string(got.Body), `{"buid":"vinfoad","vinfoparam":"otype=ojson&vid=`) {
		t.Errorf("body reordered: %s", got.Body)
	}
}

// TestRecordRedactorLearns: a key met in a reply is removed from later
// exchanges wherever it appears, even where no name says it is one.
func TestRecordRedactorLearns(t *testing.T) {
	r := NewRedactor(nil)
	reply, _ := json.Marshal(map[string]string{"vkey": `{"s":"o","key":"` + vkeyV + `","keyid":"k.1","filename":"f.1.mp4"}`})
	r.Redact(Exchange{RespBody: reply})
	r.Redact(Exchange{RespBody: []byte(`QZOutputJson={"vl":{"vi":[{"fvkey":"` + fvkeyV + `"}]}};`)})
	later := r.Redact(Exchange{URL: "https://cdn/" + vkeyV + "/f.1.mp4?k=" + fvkeyV, RespBody: []byte("the key was " + vkeyV + ", escaped " + jsonEscape(fvkeyV))})
	got := dump(later)
	if strings.Contains(got, vkeyV) || strings.Contains(got, fvkeyV) {
		t.Errorf("a learned key survived:\n%s", got)
	}
	if !strings.Contains(got, "https://cdn/<redacted>/f.1.mp4?k=<redacted>") {
		t.Errorf("URL = %s", later.URL)
	}
	// Short values are not learned: they would erase ordinary text.
	short := NewRedactor([]string{"qq"}).Redact(Exchange{RespBody: []byte("qq.com")})
	if string(short.RespBody) != "qq.com" {
		t.Errorf("a short known value was replaced: %s", short.RespBody)
	}
}

// TestRecordRedactKeepsPlain: an exchange with nothing secret comes back
// byte for byte (pretty JSON stays pretty, escapes stay).
func TestRecordRedactKeepsPlain(t *testing.T) {
	bodies := []string{"{\n  \"title\": \"a\\/b\",\n  \"n\": 1.50\n}\n", "<html>vid=abc&x=1</html>", "a=1&b=2", "[1,2,3]"}
	for _, b := range bodies {
		got := NewRedactor(nil).Redact(Exchange{URL: "https://v.qq.com/x?a=1", RespBody: []byte(b)})
		if string(got.RespBody) != b || got.URL != "https://v.qq.com/x?a=1" {
			t.Errorf("%q became %q (%s)", b, got.RespBody, got.URL)
		}
	}
}

// dump is every field of an exchange as one text, for searching.
func dump(ex Exchange) string {
	var b strings.Builder
	b.WriteString(ex.Method + " " + ex.URL + " " + ex.FinalURL + "\n")
	for _, h := range []http.Header{ex.Header, ex.RespHeader} {
		for k, vs := range h {
			b.WriteString(k + ": " + strings.Join(vs, ", ") + "\n")
		}
	}
	b.Write(ex.Body)
	b.WriteString("\n")
	b.Write(ex.RespBody)
	if ex.Err != nil {
		b.WriteString("\n" + ex.Err.Error())
	}
	return b.String()
}

// FuzzRecordRedact: any body, URL or header redacts without a panic, and
// a known value never survives.
func FuzzRecordRedact(f *testing.F) {
	f.Add("https://h/x?vkey=1&a=b", `{"vkey":"{\"key\":\"k\",\"keyid\":1}"}`, "a=1; b=2")
	f.Add("http://u:p@h/", `QZOutputJson={"fvkey":"x"};`, "")
	f.Add("", `logintoken=%7B%22a%22%3A1%7D&cKey=abc`, "Bearer x")
	f.Add("%zz", `[[[[[[{"token":[1,"x",{"guid":2}]}]]]]]]`, "")
	f.Fuzz(func(t *testing.T, u, body, header string) {
		const known = "KNOWN-secret-42"
		ex := Exchange{URL: u + known, Header: http.Header{"Cookie": {header}, "X": {header + known}},
			Body: []byte(body + known), RespBody: []byte(known + body), Err: errors.New(body + known)}
		got := dump(NewRedactor([]string{known}).Redact(ex))
		if strings.Contains(got, known) {
			t.Errorf("the known value survived:\n%s", got)
		}
	})
}
