package fakeqq

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

// newSite is the fake over the repository's fixtures.
func newSite(t *testing.T, cfg Config) *Site {
	t.Helper()
	cfg.MediaDir, cfg.PagesDir = "../../testdata/media", "../../testdata/fakeqq"
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// call sends one request straight to the site's handler.
func call(t *testing.T, s *Site, method, rawURL string, header http.Header, body string) *http.Response {
	t.Helper()
	r := httptest.NewRequest(method, rawURL, strings.NewReader(body))
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w.Result()
}

func readBody(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// get fetches a URL and returns status and body.
func get(t *testing.T, s *Site, rawURL string) (int, []byte) {
	t.Helper()
	resp := call(t, s, http.MethodGet, rawURL, nil, "")
	return resp.StatusCode, readBody(t, resp)
}

const (
	testGUID      = "a9cfcefeff33bd70"
	testFlowID    = "0123456789abcdef0123456789abcdef"
	anonymousAuth = `{"openid":"","appid":"","access_token":"","vuserid":"","vusession":"","main_login":""}`
)

// params85 are proxyhttp parameters for vid, signed with a fresh cKey.
func params85(vid string, extra ...string) url.Values {
	return params85At(time.Now().Unix(), vid, extra...)
}

// params85At signs them for the time tm.
func params85At(tm int64, vid string, extra ...string) url.Values {
	q := url.Values{"otype": {"ojson"}, "isHLS": {"1"}, "charge": {"0"}, "sdtfrom": {"v1010"}, "host": {"v.qq.com"},
		"vid": {vid}, "platform": {"10201"}, "appVer": {"1.27.3"}, "refer": {"https://v.qq.com/x/cover/" + Cid2026 + ".html"},
		"ehost": {"https://v.qq.com/x/cover/" + Cid2026 + ".html"}, "logintoken": {anonymousAuth}, "encryptVer": {"8.5"},
		"guid": {testGUID}, "flowid": {testFlowID}, "tm": {strconv.FormatInt(tm, 10)},
		"cKey": {ckey85(plain85(vid, testGUID, tm, "n4wVlPvP7g2"))}}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return q
}

// proxyCall posts a buid with its parameters and returns the reply, the
// inner JSON (vinfo or vkey) and the refusal reason header.
func proxyCall(t *testing.T, s *Site, buid string, q url.Values) (outer, inner gjson.Result, reason string) {
	t.Helper()
	field := map[string]string{"vinfoad": "vinfoparam", "onlyvkey": "vkeyparam"}[buid]
	body, _ := json.Marshal(map[string]string{"buid": buid, field: q.Encode()})
	resp := call(t, s, http.MethodPost, "https://"+ProxyHost+ProxyPath, http.Header{"Content-Type": {"application/json"}}, string(body))
	b := readBody(t, resp)
	if resp.StatusCode != http.StatusOK || !gjson.ValidBytes(b) {
		t.Fatalf("proxyhttp: %d %s", resp.StatusCode, b)
	}
	outer = gjson.ParseBytes(b)
	in := outer.Get("vinfo")
	if buid == "onlyvkey" && outer.Get("vkey").Exists() {
		in = outer.Get("vkey")
	}
	return outer, gjson.Parse(in.String()), resp.Header.Get("X-Fakeqq-Ckey")
}

// vinfo asks proxyhttp about vid in a mode (dtype "3" or "1") and fails
// the test unless it answers with success.
func vinfo(t *testing.T, s *Site, vid, defn, dtype string) gjson.Result {
	t.Helper()
	_, r, reason := proxyCall(t, s, "vinfoad", params85(vid, "defn", defn, "dtype", dtype))
	if r.Get("s").String() != "o" {
		t.Fatalf("vinfoad %s %s dtype=%s refused (%s): %s", vid, defn, dtype, reason, r.Raw)
	}
	return r
}

// prefix cuts a ui URL back to its last '/'.
func prefix(u string) string { return u[:strings.LastIndex(u, "/")+1] }

// extinfSum adds a playlist's EXTINF durations and lists its URIs.
func extinfSum(t *testing.T, playlist string) (float64, []string) {
	t.Helper()
	var sum float64
	var uris []string
	for _, line := range strings.Split(playlist, "\n") {
		switch {
		case strings.HasPrefix(line, "#EXTINF:"):
			d, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimPrefix(line, "#EXTINF:"), ","), 64)
			if err != nil {
				t.Fatalf("EXTINF %q", line)
			}
			sum += d
		case line != "" && !strings.HasPrefix(line, "#"):
			uris = append(uris, line)
		}
	}
	return sum, uris
}

func mustHave(t *testing.T, r gjson.Result, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if !r.Get(p).Exists() {
			t.Errorf("reply has no %s: %s", p, r.Raw)
		}
	}
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../../testdata/media/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
