package fakeqq

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/hex"
	"fmt"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

const testUA = "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0"

// ckey81 is the tests' getvinfo signature (vqq.md §3).
func ckey81(vid, guid, pageURL string, ts int64) string {
	ua := strings.ToLower(testUA)[:48]
	payload := strings.Join([]string{vid, fmt.Sprint(ts), "mg3c3b04ba", "3.5.57", guid, "10901", pageURL[:min(48, len(pageURL))], ua,
		"", "Mozilla", "Netscape", "Windows x86_64", "00", ""}, "|")
	sum := 0
	for _, r := range payload {
		sum += int(r)
	}
	pt := []byte(fmt.Sprintf("|%d|%s", sum, payload))
	if n := len(pt) % aes.BlockSize; n != 0 {
		pt = append(pt, bytes.Repeat([]byte{' '}, aes.BlockSize-n)...)
	}
	key, _ := hex.DecodeString("4f6bdaa39e2f8cb07f5e722d9edef314")
	iv, _ := hex.DecodeString("01504af356e619cf2e42bba68c3f70f9")
	block, _ := aes.NewCipher(key)
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(pt, pt)
	return strings.ToUpper(hex.EncodeToString(pt))
}

// getvinfo asks the 8.1 API about vid.
func getvinfo(t *testing.T, s *Site, vid, defn string) gjson.Result {
	t.Helper()
	const guid = "0123456789abcdef"
	page := "https://v.qq.com/x/page/" + vid + ".html"
	q := url.Values{"vid": {vid}, "defn": {defn}, "otype": {"json"}, "platform": {"10901"}, "appVer": {"3.5.57"}, "guid": {guid},
		"encryptVer": {"8.1"}, "dtype": {"3"}, "sphls": {"2"}, "ehost": {page},
		"cKey": {ckey81(vid, guid, page, time.Now().Unix())}}
	resp := call(t, s, http.MethodGet, "https://"+VinfoHost+"/getvinfo?"+q.Encode(), http.Header{"User-Agent": {testUA}}, "")
	b, _ := strings.CutPrefix(string(readBody(t, resp)), "QZOutputJson=")
	r := gjson.Parse(strings.TrimSuffix(b, ";"))
	if r.Get("s").String() != "o" {
		t.Fatalf("getvinfo %s (%s): %s", vid, resp.Header.Get("X-Fakeqq-Ckey"), b)
	}
	return r
}

// getinfo asks the legacy API about vid and returns clip idx's URL (with
// its getkey key).
func getinfoClip(t *testing.T, s *Site, vid string, idx int) string {
	t.Helper()
	legacy := func(path string, q url.Values) gjson.Result {
		_, b := get(t, s, "https://"+LegacyHost+path+"?"+q.Encode())
		body, _ := strings.CutPrefix(string(b), "QZOutputJson=")
		return gjson.Parse(strings.TrimSuffix(body, ";"))
	}
	r := legacy("/getinfo", url.Values{"vid": {vid}, "platform": {"2"}, "otype": {"json"}, "defn": {"shd"}})
	vi := r.Get("vl.vi.0")
	ci := vi.Get(fmt.Sprintf("cl.ci.%d", idx-1))
	if !ci.Exists() {
		t.Fatalf("getinfo %s: no clip %d: %s", vid, idx, r.Raw)
	}
	keyid := strings.Split(ci.Get("keyid").String(), ".")
	fn := vi.Get("fn").String()
	file := strings.TrimSuffix(fn, ".mp4") + fmt.Sprintf(".%d.mp4", idx)
	k := legacy("/getkey", url.Values{"vid": {vid}, "format": {keyid[1]}, "filename": {file}, "platform": {"2"}, "otype": {"json"}})
	if k.Get("key").String() == "" {
		t.Fatalf("getkey %s: %s", file, k.Raw)
	}
	return vi.Get("ul.ui.0.url").String() + file + "?vkey=" + k.Get("key").String()
}

// firstSegment is a TS-mode reply's first segment URL.
func firstSegment(r gjson.Result) string {
	vi := r.Get("vl.vi.0")
	return prefix(vi.Get("ul.ui.0.url").String()) + strings.TrimSuffix(vi.Get("fn").String(), ".ts") + ".1.ts?sdtfrom=v1010"
}

func TestTokenExpiry(t *testing.T) {
	s := newSite(t, Config{})
	r := vinfo(t, s, Series2026Vid(1), "shd", "3")
	seg := firstSegment(r)
	link := prefix(r.Get("vl.vi.0.ul.ui.0.url").String()) + r.Get("vl.vi.0.ul.m3u8").String()
	for _, u := range []string{seg, link} {
		if status, _ := get(t, s, u); status != http.StatusOK {
			t.Fatalf("%s: %d before expiry", u, status)
		}
	}
	s.ExpireTokens()
	for _, u := range []string{seg, link} {
		if status, _ := get(t, s, u); status != http.StatusForbidden {
			t.Errorf("%s: %d after ExpireTokens, want 403", u, status)
		}
	}
	fresh := firstSegment(vinfo(t, s, Series2026Vid(1), "shd", "3"))
	if status, _ := get(t, s, fresh); status != http.StatusOK || fresh == seg {
		t.Errorf("a fresh reply's segment %s: %d", fresh, status)
	}
	// TokenTTL: a token issued 11 minutes ago is dead (default 10 min).
	s.mu.Lock()
	for _, tk := range s.tokens {
		tk.issued = time.Now().Add(-11 * time.Minute)
	}
	s.mu.Unlock()
	if status, _ := get(t, s, fresh); status != http.StatusForbidden {
		t.Errorf("after TokenTTL: %d, want 403", status)
	}
	if status, _ := get(t, s, strings.Replace(fresh, "/ts/B_", "/ts/X_", 1)); status != http.StatusForbidden {
		t.Errorf("an unknown token: %d", status)
	}
	if s.CDN().RequestsFor(s.SegmentPath(Series2026Vid(1), "shd", 1)) != 2 {
		t.Errorf("SegmentPath: %d requests counted", s.CDN().RequestsFor(s.SegmentPath(Series2026Vid(1), "shd", 1)))
	}
	if s.FlowStatus(FlowProxyTS, 403) != 3 { // an unknown token has no flow
		t.Errorf("proxyhttp-ts 403s: %d", s.FlowStatus(FlowProxyTS, 403))
	}
}

// TestRefuseFlow: each flow's media URLs get the status set for it, the
// other flows' are untouched, and status 0 lifts it.
func TestRefuseFlow(t *testing.T) {
	s := newSite(t, Config{Legacy: true}) // no long-episode refusals: only RefuseFlow's
	vid := Series2026Vid(4)
	_, k, _ := proxyCall(t, s, "onlyvkey", params85(vid, "format", "2", "filename", vid+".p2.mp4"))
	vidA := "a00269ix3l8" // the older catalogue: getvinfo HLS of a fixture
	oldHLS := getvinfo(t, s, vidA, "sd").Get("vl.vi.0.ul.ui.0")
	urls := map[string]string{
		FlowGetvinfo: oldHLS.Get("url").String() + strings.Replace(oldHLS.Get("hls.pt").String(), "index.m3u8?ver=4", "seg000.ts", 1),
		FlowGetinfo:  getinfoClip(t, s, "n0687peq62x", 2),
	}
	ts := newSite(t, Config{}) // proxyhttp refuses everything in Legacy
	urlsTS := map[string]string{
		FlowProxyTS:  firstSegment(vinfo(t, ts, vid, "shd", "3")),
		FlowProxyMP4: "https://" + CDNB + cdnToken + vid + ".p2.mp4?sdtfrom=v1010&vkey=" + k.Get("key").String(),
	}
	_, k2, _ := proxyCall(t, ts, "onlyvkey", params85(vid, "format", "2", "filename", vid+".p2.mp4"))
	urlsTS[FlowProxyMP4] = "https://" + CDNB + cdnToken + vid + ".p2.mp4?sdtfrom=v1010&vkey=" + k2.Get("key").String()
	site := func(flow string) *Site {
		if flow == FlowProxyTS || flow == FlowProxyMP4 {
			return ts
		}
		return s
	}
	all := func(flow string) string {
		if u, ok := urls[flow]; ok {
			return u
		}
		return urlsTS[flow]
	}
	flows := []string{FlowProxyTS, FlowProxyMP4, FlowGetvinfo, FlowGetinfo}
	for _, refused := range flows {
		t.Run(refused, func(t *testing.T) {
			site(refused).RefuseFlow(refused, 410)
			for _, f := range flows {
				status, _ := get(t, site(f), all(f))
				if want := map[bool]int{true: 410, false: 200}[f == refused]; status != want {
					t.Errorf("%s with %s refused: %d, want %d", f, refused, status, want)
				}
			}
			site(refused).RefuseFlow(refused, 0)
			if status, _ := get(t, site(refused), all(refused)); status != http.StatusOK {
				t.Errorf("%s after RefuseFlow(0): %d", refused, status)
			}
			if n := site(refused).FlowStatus(refused, 410); n != 1 {
				t.Errorf("FlowStatus(%s, 410) = %d", refused, n)
			}
		})
	}
}

// TestLongEpisodes: by default the CDN refuses what getvinfo (564 on the
// segments) and the legacy flow (403 after clip 1) give for a 2026
// episode; the site of 2022 serves both.
func TestLongEpisodes(t *testing.T) {
	vid := Series2026Vid(7)
	for _, legacy := range []bool{false, true} {
		t.Run(fmt.Sprint("legacy=", legacy), func(t *testing.T) {
			s := newSite(t, Config{Legacy: legacy})
			r := getvinfo(t, s, vid, "shd")
			ui := r.Get("vl.vi.0.ul.ui.0")
			status, pl := get(t, s, ui.Get("url").String()+ui.Get("hls.pt").String())
			_, uris := extinfSum(t, string(pl))
			if status != http.StatusOK || len(uris) != 4 {
				t.Fatalf("getvinfo playlist: %d\n%s", status, pl)
			}
			segStatus, _ := get(t, s, ui.Get("url").String()+uris[0])
			clip1, _ := get(t, s, getinfoClip(t, s, vid, 1))
			clip2, _ := get(t, s, getinfoClip(t, s, vid, 2))
			want := [3]int{564, 200, 403}
			if legacy {
				want = [3]int{200, 200, 200}
			}
			if got := [3]int{segStatus, clip1, clip2}; got != want {
				t.Errorf("getvinfo segment, legacy clip 1, clip 2: %v, want %v", got, want)
			}
			if s.FlowStatus(FlowGetvinfo, want[0]) == 0 || s.FlowStatus(FlowGetinfo, want[2]) == 0 {
				t.Errorf("FlowStatus getvinfo %d, getinfo %d", s.FlowStatus(FlowGetvinfo, want[0]), s.FlowStatus(FlowGetinfo, want[2]))
			}
			if r.Get(`fl.fi.#(name=="fhd")`).Exists() != true {
				t.Errorf("getvinfo does not list fhd: %s", r.Get("fl").Raw)
			}
		})
	}
}

// TestRefusePlaylists: the next n media playlists answer 403, then they
// work again; segments and subtitle playlists are not affected.
func TestRefusePlaylists(t *testing.T) {
	s := newSite(t, Config{})
	r := vinfo(t, s, Series2026Vid(1), "shd", "3")
	link := prefix(r.Get("vl.vi.0.ul.ui.0.url").String()) + r.Get("vl.vi.0.ul.m3u8").String()
	sub := r.Get("sfl.fi.0.url").String()
	s.RefusePlaylists(2)
	var got []int
	for range 3 {
		status, _ := get(t, s, link)
		subStatus, _ := get(t, s, sub)
		segStatus, _ := get(t, s, firstSegment(r))
		got = append(got, status, subStatus, segStatus)
	}
	if fmt.Sprint(got) != "[403 200 200 403 200 200 200 200 200]" {
		t.Errorf("playlist, subtitle playlist, segment x3: %v", got)
	}
	// getvinfo's HLS of the older catalogue is a media playlist too.
	old := getvinfo(t, s, "a00269ix3l8", "sd").Get("vl.vi.0.ul.ui.0")
	s.RefusePlaylists(1)
	if status, _ := get(t, s, old.Get("url").String()+old.Get("hls.pt").String()); status != http.StatusForbidden {
		t.Errorf("older HLS playlist: %d", status)
	}
}

func TestPictures(t *testing.T) {
	s := newSite(t, Config{})
	status, b := get(t, s, Poster2026())
	if c, err := jpeg.DecodeConfig(bytes.NewReader(b)); status != http.StatusOK || err != nil || c.Height <= c.Width {
		t.Errorf("poster: %d %v %v", status, err, c)
	}
	status, b = get(t, s, Fanart2026())
	if c, err := png.DecodeConfig(bytes.NewReader(b)); status != http.StatusOK || err != nil || c.Width <= c.Height {
		t.Errorf("fanart: %d %v %v", status, err, c)
	}
}
