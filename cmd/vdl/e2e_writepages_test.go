package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/vdlproject/vdl/internal/fakeqq"
)

// secretSpy stands between the proxy and the fake site and keeps every
// secret that passes: the cKeys vdl signs its API requests with, and the
// keys (fvkey, key, vkey) the fake's replies issue.
type secretSpy struct {
	next     http.Handler
	mu       sync.Mutex
	secrets  map[string]bool
	requests int
}

func (s *secretSpy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	s.mu.Unlock()
	host := strings.Split(r.Host, ":")[0]
	if host == fakeqq.CDNA || host == fakeqq.CDNB {
		s.next.ServeHTTP(w, r) // media: no secret is issued there
		return
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	s.keep(signatures(r.URL.RawQuery + "&" + string(body)))
	tee := &teeWriter{ResponseWriter: w}
	s.next.ServeHTTP(tee, r)
	s.keep(issuedKeys(tee.body.Bytes()))
}

func (s *secretSpy) keep(values []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range values {
		if v != "" {
			s.secrets[v] = true
		}
	}
}

func (s *secretSpy) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for v := range s.secrets {
		out = append(out, v)
	}
	return out
}

type teeWriter struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (t *teeWriter) Write(p []byte) (int, error) {
	t.body.Write(p)
	return t.ResponseWriter.Write(p)
}

// cKeyParam finds a cKey in a query, in a JSON body holding one
// (proxyhttp's vinfoparam) or URL-encoded.
var cKeyParam = regexp.MustCompile(`(?i)ckey(?:=|%3D)([0-9A-Za-z_-]+)`)

func signatures(text string) []string {
	var out []string
	for _, m := range cKeyParam.FindAllStringSubmatch(text, -1) {
		out = append(out, m[1])
	}
	return out
}

// issuedKeys reads the keys out of an API reply: JSON, JSONP
// (QZOutputJson=...;), with replies nested in JSON strings (proxyhttp's
// vinfo and vkey).
func issuedKeys(body []byte) []string {
	i, j := bytes.IndexByte(body, '{'), bytes.LastIndexByte(body, '}')
	if i < 0 || j < i {
		return nil
	}
	var v any
	if json.Unmarshal(body[i:j+1], &v) != nil {
		return nil
	}
	var out []string
	var walk func(v any, key string)
	walk = func(v any, key string) {
		switch t := v.(type) {
		case map[string]any:
			for k, e := range t {
				walk(e, k)
			}
		case []any:
			for _, e := range t {
				walk(e, "")
			}
		case string:
			if strings.HasPrefix(t, "{") {
				out = append(out, issuedKeys([]byte(t))...)
			} else if key == "fvkey" || key == "key" || key == "vkey" {
				out = append(out, t)
			}
		}
	}
	walk(v, "")
	return out
}

// startSpiedQQ is startFakeQQ with the spy in front of the site.
func startSpiedQQ(t *testing.T) (*secretSpy, *fakeqq.Proxy) {
	spy, p, _ := startSpiedSite(t)
	return spy, p
}

// startSpiedSite is startSpiedQQ that also gives the site, for its
// switches.
func startSpiedSite(t *testing.T) (*secretSpy, *fakeqq.Proxy, *fakeqq.Site) {
	t.Helper()
	site, err := fakeqq.New(fakeqq.Config{MediaDir: "../../testdata/media", PagesDir: "../../testdata/fakeqq"})
	if err != nil {
		t.Fatal(err)
	}
	spy := &secretSpy{next: site, secrets: map[string]bool{}}
	p, err := fakeqq.StartProxy(spy, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	t.Setenv("SSL_CERT_FILE", p.CAFile)
	return spy, p, site
}

// loginCookies are a logged-in user's v.qq.com cookies; each value is
// unique, so that finding it anywhere is a leak.
var loginCookies = map[string]string{
	"vqq_vusession": "VUSESSION-e2e-7f3a9c51", "vqq_access_token": "ACCESSTOKEN-e2e-93b1d2", "vqq_openid": "OPENID-e2e-4c2d8e",
	"vqq_appid": "APPID-e2e-101483", "vqq_vuserid": "VUSERID-e2e-48001", "main_login": "MAINLOGIN-e2e-qq", "pgv_pvid": "PVID-e2e-6a7b8c9d",
}

func writeCookies(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("# Netscape HTTP Cookie File\n")
	for name, value := range loginCookies {
		b.WriteString(".qq.com\tTRUE\t/\tFALSE\t0\t" + name + "\t" + value + "\n")
	}
	path := filepath.Join(t.TempDir(), "cookies.txt")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestWritePagesHoldsNoSecret: --write-pages saves the page and the API
// exchanges of a download with their bodies, and no file holds a cookie
// value, a key the site issued or a cKey vdl signed with.
func TestWritePagesHoldsNoSecret(t *testing.T) {
	spy, proxy, site := startSpiedSite(t)
	cookies := writeCookies(t)
	for _, tt := range []struct {
		name, url string
		args      []string
		refuseTS  bool // the CDN refuses TS mode: clip mode's onlyvkey exchanges
	}{
		{"episode", qqHLSEp, nil, false},
		{"clips with a key each", qqLegacyEp, nil, false},
		{"playlist and subtitles", qqHLSEp, []string{"-f", "270p", "--write-subs"}, false},
		{"2026: proxyhttp TS mode", qq2026Ep(1), []string{"--write-subs"}, false},
		{"2026: proxyhttp clip mode, a key per clip", qq2026Ep(4), []string{"-f", "shd"}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.refuseTS {
				site.RefuseFlow(fakeqq.FlowProxyTS, 403)
				defer site.RefuseFlow(fakeqq.FlowProxyTS, 0)
			}
			pages := filepath.Join(t.TempDir(), "pages")
			args := append([]string{"-q", "--proxy", proxy.URL, "--cookies", cookies, "-d", t.TempDir(), "--write-pages", pages, tt.url}, tt.args...)
			if r := runVDL(t, nil, args...); r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			files, err := os.ReadDir(pages)
			if err != nil {
				t.Fatal(err)
			}
			secrets := spy.all()
			for _, v := range loginCookies {
				secrets = append(secrets, v, url.QueryEscape(v))
			}
			var page, api bool
			onlyvkey := 0
			for i, f := range files {
				text, err := os.ReadFile(filepath.Join(pages, f.Name()))
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(string(text), `"buid":"onlyvkey"`) {
					onlyvkey++
				}
				if checkExchangeFile(t, i+1, f.Name(), string(text)) {
					host := f.Name()[len("0001-"):]
					page = page || strings.HasPrefix(host, fakeqq.PageHost+"-")
					api = api || !strings.HasPrefix(host, fakeqq.PageHost+"-") && !strings.Contains(host, ".vod.tc.qq.com")
				}
				for _, s := range secrets {
					if strings.Contains(string(text), s) {
						t.Errorf("%s holds the secret %q", f.Name(), s)
					}
				}
				if strings.Contains(string(text), "FAKEVKEY") {
					t.Errorf("%s holds one of the fake's vkeys", f.Name())
				}
				// TS mode's CDN prefixes carry a path token (the fake's are
				// B_<flow><n>Q): an access key like a vkey.
				if tok := fakePathToken.FindString(f.Name() + "\n" + string(text)); tok != "" {
					t.Errorf("%s holds the CDN path token %s", f.Name(), tok)
				}
			}
			if !page || !api {
				t.Errorf("no page (%v) or no API reply (%v) with a body among %d files", page, api, len(files))
			}
			if strings.HasPrefix(tt.name, "2026") {
				// The cookies made the logintoken the site saw (and the files
				// above do not show it).
				if tok := site.LastLoginToken(); !strings.Contains(tok, loginCookies["vqq_vusession"]) {
					t.Errorf("logintoken %s lacks the session cookie", tok)
				}
				if n := len(filesNamed(files, "proxyhttp")); n == 0 {
					t.Errorf("no proxyhttp exchange saved")
				}
				if tt.refuseTS && onlyvkey == 0 {
					t.Errorf("no onlyvkey exchange saved in clip mode")
				}
			}
		})
	}
	// The run learnt some secrets to look for: else the test proves nothing.
	var ckeys, keys int
	for _, s := range spy.all() {
		if len(s) > 40 {
			ckeys++
		} else {
			keys++
		}
	}
	if ckeys == 0 || keys == 0 {
		t.Errorf("the spy saw %d cKeys and %d keys", ckeys, keys)
	}
}

// checkExchangeFile: file n is numbered n and holds a request line (a
// POST its body too), then a reply or why there was none. It reports
// whether the reply was a 200 with a body.
func checkExchangeFile(t *testing.T, n int, name, text string) bool {
	t.Helper()
	if !strings.HasPrefix(name, fmt.Sprintf("%04d-", n)) {
		t.Errorf("file %d is named %s", n, name)
	}
	if !regexp.MustCompile(`(?m)^(GET|POST) https://\S+\n`).MatchString(text) {
		t.Errorf("%s lacks the request line:\n%.600s", name, text)
	}
	if strings.Contains(text, "\nPOST ") && !regexp.MustCompile(`(?m)^POST .*\n(?:[^\n]+\n)*\n\S`).MatchString(text) {
		t.Errorf("%s: a POST without its body:\n%.600s", name, text)
	}
	if strings.Contains(text, "\nCookie: ") && !strings.Contains(text, "=<redacted>") {
		t.Errorf("%s: cookies sent, nothing redacted", name)
	}
	reply := regexp.MustCompile(`(?m)^HTTP (\d+) .*\n(?:[^\n]+\n)*\n(\S.*)?`).FindStringSubmatch(text)
	if reply == nil && !strings.Contains(text, "\n# failed: ") {
		t.Errorf("%s has neither a reply nor a failure:\n%.600s", name, text)
	}
	return reply != nil && reply[1] == "200" && reply[2] != ""
}

// TestWritePagesUnwritable: a --write-pages path that cannot be made a
// directory stops the run with one line and the disk exit code, before
// any request.
func TestWritePagesUnwritable(t *testing.T) {
	spy, proxy := startSpiedQQ(t)
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{file, filepath.Join(file, "pages")} {
		r := runVDL(t, nil, "--proxy", proxy.URL, "-d", t.TempDir(), "--write-pages", dir, qqHLSEp)
		if r.code != exitDisk {
			t.Errorf("--write-pages %s: exit %d, want %d: %s", dir, r.code, exitDisk, r.stderr)
		}
		oneErrorLine(t, r.stderr, "--write-pages "+dir)
	}
	spy.mu.Lock()
	defer spy.mu.Unlock()
	if spy.requests != 0 {
		t.Errorf("%d requests reached the site", spy.requests)
	}
}

// fakePathToken matches the fake CDN's TS path tokens.
var fakePathToken = regexp.MustCompile(`B_[A-Z]{2}\d{5}Q`)

// filesNamed are the names among files that contain part.
func filesNamed(files []os.DirEntry, part string) []string {
	var out []string
	for _, f := range files {
		if strings.Contains(f.Name(), part) {
			out = append(out, f.Name())
		}
	}
	return out
}
