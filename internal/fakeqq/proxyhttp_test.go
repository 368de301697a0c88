package fakeqq

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// checkTS fetches a TS-mode reply's segments from fn and fc on every
// prefix and compares them with the hls-ts fixture.
func checkTS(t *testing.T, s *Site, r gjson.Result, segments int) {
	t.Helper()
	vi := r.Get("vl.vi.0")
	fn := vi.Get("fn").String()
	stem, ok := strings.CutSuffix(fn, ".ts")
	if !ok || int(vi.Get("fc").Int()) != segments {
		t.Fatalf("fn %q fc %d, want *.ts and %d segments", fn, vi.Get("fc").Int(), segments)
	}
	uis := vi.Get("ul.ui").Array()
	if len(uis) != 2 {
		t.Fatalf("%d prefixes, want 2 (mirrors)", len(uis))
	}
	for _, ui := range uis {
		for idx := 1; idx <= segments; idx++ {
			status, body := get(t, s, fmt.Sprintf("%s%s.%d.ts?sdtfrom=v1010", prefix(ui.Get("url").String()), stem, idx))
			if want := fixture(t, fmt.Sprintf("hls-ts/seg%03d.ts", idx-1)); status != http.StatusOK || !bytes.Equal(body, want) {
				t.Fatalf("segment %d on %s: %d, %d bytes, want the fixture's %d", idx, ui.Get("url"), status, len(body), len(want))
			}
		}
	}
}

// checkPlaylist checks a media playlist's EXTINF sum and fetches its
// segments relative to base.
func checkPlaylist(t *testing.T, s *Site, text, base string, want float64) {
	t.Helper()
	if !strings.HasPrefix(text, "#EXTM3U") {
		t.Fatalf("not a playlist: %q", text)
	}
	sum, uris := extinfSum(t, text)
	if sum != want {
		t.Errorf("EXTINF sum %.2f, want %.2f", sum, want)
	}
	for i, u := range uris {
		if status, body := get(t, s, base+u); status != http.StatusOK || !bytes.Equal(body, fixture(t, fmt.Sprintf("hls-ts/seg%03d.ts", i))) {
			t.Errorf("%s: %d, %d bytes", u, status, len(body))
		}
	}
}

func TestTSModeShapes(t *testing.T) {
	s := newSite(t, Config{})
	tests := []struct {
		name string
		n    int    // episode
		form string // what ul.m3u8 holds
	}{
		{"m3u8 as text", 4, m3u8Text},
		{"m3u8 as a relative link", 1, m3u8RelLink},
		{"m3u8 as an absolute link", 3, m3u8AbsLink},
		{"no m3u8", 2, m3u8None},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vid := Series2026Vid(tt.n)
			r := vinfo(t, s, vid, "shd", "3")
			mustHave(t, r, "fl.fi", "vl.vi.0.td", "vl.vi.0.ul.ui.0.url", "preview", "code")
			if fn := r.Get("vl.vi.0.fn").String(); fn != vid+".f321003.ts" || r.Get("vl.vi.0.td").String() != "15.02" {
				t.Errorf("fn %q td %q", fn, r.Get("vl.vi.0.td"))
			}
			var ids []string
			for _, fi := range r.Get("fl.fi").Array() {
				ids = append(ids, fmt.Sprintf("%s:%d:%d", fi.Get("name"), fi.Get("id").Int(), fi.Get("sl").Int()))
			}
			if got := strings.Join(ids, " "); got != "fhd:321004:0 shd:321003:1 hd:321002:0" {
				t.Errorf("fl.fi %s", got)
			}
			checkTS(t, s, r, 4)
			m := r.Get("vl.vi.0.ul.m3u8")
			first := prefix(r.Get("vl.vi.0.ul.ui.0.url").String())
			switch tt.form {
			case m3u8None:
				if m.Exists() {
					t.Errorf("ul.m3u8 %q, want none", m)
				}
			case m3u8Text:
				checkPlaylist(t, s, m.String(), first, 15)
			default:
				link := m.String()
				if (tt.form == m3u8AbsLink) != strings.HasPrefix(link, "https://") {
					t.Fatalf("link %q is not %s", link, tt.form)
				}
				if tt.form == m3u8RelLink {
					link = first + link
				}
				status, body := get(t, s, link)
				if status != http.StatusOK {
					t.Fatalf("playlist %s: %d", link, status)
				}
				checkPlaylist(t, s, string(body), prefix(link), 15)
			}
		})
	}
	if s.Calls("vinfoad:ts") != len(tests) || s.FlowStatus(FlowProxyTS, 200) == 0 {
		t.Errorf("vinfoad:ts %d, proxyhttp-ts 200s %d", s.Calls("vinfoad:ts"), s.FlowStatus(FlowProxyTS, 200))
	}
}

// TestClipModeAndOnlyvkey: dtype=1 gives shd as 3 clips and hd as one
// file; each file needs its own onlyvkey key.
func TestClipModeAndOnlyvkey(t *testing.T) {
	s := newSite(t, Config{})
	vid := Series2026Vid(1)
	tests := []struct {
		defn, fn string
		fc       int64    // cl.fc
		files    []string // the CDN files, in order
		media    []string // their fixtures
	}{
		{"shd", vid + ".p217.mp4", 3, []string{vid + ".p217.1.mp4", vid + ".p217.2.mp4", vid + ".p217.3.mp4"},
			[]string{"mp4-clips/clip1.mp4", "mp4-clips/clip2.mp4", "mp4-clips/clip3.mp4"}},
		{"hd", vid + ".p2.mp4", 0, []string{vid + ".p2.mp4"}, []string{"source/source.mp4"}},
	}
	for _, tt := range tests {
		t.Run(tt.defn, func(t *testing.T) {
			r := vinfo(t, s, vid, tt.defn, "1")
			vi := r.Get("vl.vi.0")
			format := r.Get(`fl.fi.#(sl==1).id`).String()
			if vi.Get("fn").String() != tt.fn || vi.Get("cl.fc").Int() != tt.fc {
				t.Fatalf("fn %q cl %s", vi.Get("fn"), vi.Get("cl").Raw)
			}
			if len(tt.files) == 3 {
				var sum float64
				for i, ci := range vi.Get("cl.ci").Array() {
					cd, _ := strconv.ParseFloat(ci.Get("cd").String(), 64)
					sum += cd
					if ci.Get("keyid").String() != fmt.Sprintf("%s.%s.%d", vid, format, i+1) {
						t.Errorf("keyid %s", ci.Get("keyid"))
					}
				}
				if fmt.Sprintf("%.2f", sum) != "15.02" {
					t.Errorf("cd sum %.2f, want td", sum)
				}
			} else if vi.Get("cl.keyid").String() != vid+"."+format {
				t.Errorf("cl.keyid %s", vi.Get("cl.keyid"))
			}
			base := prefix(vi.Get("ul.ui.1.url").String())
			for i, file := range tt.files {
				if status, _ := get(t, s, base+file+"?sdtfrom=v1010"); status != http.StatusForbidden {
					t.Errorf("%s without a vkey: %d", file, status)
				}
				_, k, reason := proxyCall(t, s, "onlyvkey", params85(vid, "format", format, "filename", file))
				key := k.Get("key").String()
				if k.Get("s").String() != "o" || key == "" || k.Get("filename").String() != file {
					t.Fatalf("onlyvkey %s (%s): %s", file, reason, k.Raw)
				}
				status, body := get(t, s, base+file+"?sdtfrom=v1010&vkey="+key)
				if status != http.StatusOK || !bytes.Equal(body, fixture(t, tt.media[i])) {
					t.Errorf("%s: %d, %d bytes", file, status, len(body))
				}
				if other := tt.files[(i+1)%len(tt.files)]; other != file {
					if status, _ := get(t, s, base+other+"?sdtfrom=v1010&vkey="+key); status != http.StatusForbidden {
						t.Errorf("%s's key opened %s: %d", file, other, status)
					}
				}
			}
		})
	}
	_, k, _ := proxyCall(t, s, "onlyvkey", params85(vid, "format", "10217", "filename", vid+".p217.4.mp4"))
	if k.Get("s").String() != "f" || k.Get("msg").String() != "check vid&filename failed" {
		t.Errorf("a key for a clip that does not exist: %s", k.Raw)
	}
	if s.Calls("vinfoad:mp4") != 2 || s.Calls("onlyvkey") != 5 || s.FlowStatus(FlowProxyMP4, 200) != 4 {
		t.Errorf("vinfoad:mp4 %d, onlyvkey %d, proxyhttp-mp4 200s %d", s.Calls("vinfoad:mp4"), s.Calls("onlyvkey"), s.FlowStatus(FlowProxyMP4, 200))
	}
}

// TestPreviews: episode 9 is a preview without a preview field (td 60 s,
// 15 s of media in both modes); fhd is a quality-level trial, with one.
func TestPreviews(t *testing.T) {
	s := newSite(t, Config{})
	ts := vinfo(t, s, Preview2026Vid, "shd", "3")
	clips := vinfo(t, s, Preview2026Vid, "shd", "1")
	for _, r := range []gjson.Result{ts, clips} {
		if r.Get("preview").Exists() || r.Get("vl.vi.0.td").String() != "60.00" {
			t.Errorf("preview %s, td %s: want none and 60.00", r.Get("preview").Raw, r.Get("vl.vi.0.td"))
		}
	}
	if sum, _ := extinfSum(t, ts.Get("vl.vi.0.ul.m3u8").String()); sum != 15 {
		t.Errorf("the preview's playlist lasts %.2f s, want 15", sum)
	}
	var sum float64
	for _, ci := range clips.Get("vl.vi.0.cl.ci").Array() {
		sum += ci.Get("cd").Float()
	}
	if sum < 15 || sum > 15.1 {
		t.Errorf("the preview's clips last %.2f s", sum)
	}
	for _, tt := range []struct {
		dtype   string
		preview int64
		count   string
	}{{"3", 4, "vl.vi.0.fc"}, {"1", 5, "vl.vi.0.cl.fc"}} {
		r := vinfo(t, s, Series2026Vid(5), "fhd", tt.dtype)
		if r.Get(`fl.fi.#(sl==1).name`).String() != "fhd" || r.Get("preview").Int() != tt.preview || r.Get(tt.count).Int() != 1 {
			t.Errorf("fhd dtype=%s: sl %s, preview %s, %s %s", tt.dtype, r.Get(`fl.fi.#(sl==1).name`), r.Get("preview").Raw,
				tt.count, r.Get(tt.count).Raw)
		}
	}
}

// TestSubtitles2026: episode 1's sfl has an HLS WebVTT playlist (two
// segments with X-TIMESTAMP-MAP) and an SRT.
func TestSubtitles2026(t *testing.T) {
	s := newSite(t, Config{})
	r := vinfo(t, s, Series2026Vid(1), "shd", "3")
	vtt := r.Get(`sfl.fi.#(lang=="ZH-CN").url`).String()
	srt := r.Get(`sfl.fi.#(lang=="EN").url`).String()
	if !strings.HasSuffix(vtt, ".vtt.m3u8") || !strings.HasSuffix(srt, ".srt") {
		t.Fatalf("sfl %s", r.Get("sfl").Raw)
	}
	status, pl := get(t, s, vtt)
	_, uris := extinfSum(t, string(pl))
	if status != http.StatusOK || len(uris) != 2 {
		t.Fatalf("%s: %d\n%s", vtt, status, pl)
	}
	for i, cue := range []string{Sub2026Cue1, Sub2026Cue2} {
		status, seg := get(t, s, prefix(vtt)+uris[i])
		if status != http.StatusOK || !bytes.Contains(seg, []byte("X-TIMESTAMP-MAP=MPEGTS:")) || !bytes.Contains(seg, []byte(cue)) {
			t.Errorf("segment %d: %d %q", i+1, status, seg)
		}
	}
	if status, b := get(t, s, srt); status != http.StatusOK || !bytes.Contains(b, []byte("-->")) {
		t.Errorf("%s: %d %q", srt, status, b)
	}
	if n := vinfo(t, s, Series2026Vid(2), "shd", "3").Get("sfl.cnt").Int(); n != 0 {
		t.Errorf("episode 2 lists %d subtitles", n)
	}
}

// TestProxyRefusals: what proxyhttp refuses, and how.
func TestProxyRefusals(t *testing.T) {
	vid := Series2026Vid(1)
	stale := params85(vid, "dtype", "3")
	stale.Set("tm", "1796304350")
	stale.Set("cKey", v85Full) // signs another vid, long ago
	tests := []struct {
		name   string
		legacy bool
		body   string // raw body instead of vinfoad with q
		q      interface{ Encode() string }
		code   string // the inner reply's code, or "-7610" for the outer errCode
		reason string // a word of X-Fakeqq-Ckey
	}{
		{name: "an older episode", q: params85("n0687peq62x", "dtype", "3"), code: "85.-3", reason: "older"},
		{name: "the site of 2022", legacy: true, q: params85(vid, "dtype", "3"), code: "85.-3", reason: "2022"},
		{name: "not JSON", body: "buid=vinfoad", code: "-7610"},
		{name: "another buid", body: `{"buid":"vinfo"}`, code: "-7610"},
		{name: "platform", q: params85(vid, "dtype", "3", "platform", "10901"), code: "85.-3", reason: "platform"},
		{name: "encryptVer", q: params85(vid, "dtype", "3", "encryptVer", "8.1"), code: "85.-3", reason: "encryptVer"},
		{name: "otype", q: params85(vid, "dtype", "3", "otype", "json"), code: "85.-3", reason: "otype"},
		{name: "dtype", q: params85(vid, "dtype", "2"), code: "85.-3", reason: "dtype"},
		{name: "flowid", q: params85(vid, "dtype", "3", "flowid", "xyz"), code: "85.-3", reason: "flowid"},
		{name: "logintoken", q: params85(vid, "dtype", "3", "logintoken", `{"openid":""}`), code: "85.-3", reason: "logintoken"},
		{name: "a stale cKey of another vid", q: stale, code: "85.-3", reason: "vid"},
		{name: "unknown vid", q: params85("zzzzzzzzzzz", "dtype", "3"), code: "61.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSite(t, Config{Legacy: tt.legacy})
			body := tt.body
			if body == "" {
				body = `{"buid":"vinfoad","vinfoparam":` + strconv.Quote(tt.q.Encode()) + `}`
			}
			resp := call(t, s, http.MethodPost, "https://"+ProxyHost6+ProxyPath, http.Header{"Content-Type": {"application/json"}}, body)
			outer := gjson.ParseBytes(readBody(t, resp))
			got := gjson.Parse(outer.Get("vinfo").String()).Get("code").String()
			if tt.code == "-7610" {
				got = outer.Get("errCode").String()
			}
			if got != tt.code || !strings.Contains(resp.Header.Get("X-Fakeqq-Ckey"), tt.reason) {
				t.Errorf("code %q (reason %q), want %q (%q): %s", got, resp.Header.Get("X-Fakeqq-Ckey"), tt.code, tt.reason, outer.Raw)
			}
			if s.Calls("proxyhttp") != 1 {
				t.Errorf("proxyhttp counted %d", s.Calls("proxyhttp"))
			}
		})
	}
}

func TestLastLoginToken(t *testing.T) {
	s := newSite(t, Config{})
	const lt = `{"openid":"OID","appid":"101483052","access_token":"TOKEN","vuserid":"42","vusession":"SESS","main_login":"qq"}`
	vinfo(t, s, Series2026Vid(1), "shd", "3")
	if s.LastLoginToken() != anonymousAuth {
		t.Errorf("LastLoginToken %q", s.LastLoginToken())
	}
	r := vinfo(t, s, Series2026Vid(2), "", "3")
	if r.Get(`fl.fi.#(sl==1).name`).String() != "shd" {
		t.Errorf("no defn: describes %s, want shd", r.Get(`fl.fi.#(sl==1).name`))
	}
	proxyCall(t, s, "onlyvkey", params85(Series2026Vid(1), "format", "2", "filename", Series2026Vid(1)+".p2.mp4", "logintoken", lt))
	if s.LastLoginToken() != lt {
		t.Errorf("LastLoginToken %q, want %q", s.LastLoginToken(), lt)
	}
	if s.Calls("vid:"+Series2026Vid(1)) != 2 {
		t.Errorf("vid counter %d", s.Calls("vid:"+Series2026Vid(1)))
	}
}
