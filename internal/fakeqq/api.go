package fakeqq

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// The API replies, shaped like vqq.md §2F and the fixtures F0-F3.

func writeReply(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "QZOutputJson=%s;", body)
}

// mustJSON is compact JSON that, as Tencent's, leaves '&', '<' and '>'
// unescaped.
func mustJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // maps of plain values always marshal
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// serveVinfo answers getvinfo (flow 1). The cKey must decrypt to a
// signature of this request: vid, guid, platform and the User-Agent on
// the wire; anything else gets the real API's 85.-3 refusal.
func (s *Site) serveVinfo(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	e := s.episodes[q.Get("vid")]
	e26 := s.eps26[q.Get("vid")]
	switch {
	case e26 != nil:
		if err := checkCKey(q, r.Header.Get("User-Agent"), s.now()); err != nil {
			w.Header().Set("X-Fakeqq-Ckey", err.Error())
			writeReply(w, badCKey)
			return
		}
		s.serveVinfo26(w, e26, q.Get("defn"))
		return
	case e == nil:
		writeReply(w, `{"s":"f","em":61,"exem":0,"msg":"vid is wrong or video does not exist (视频不存在)"}`)
		return
	case e.Refusal != "":
		writeReply(w, e.Refusal)
		return
	case e.VinfoRefusal != "":
		writeReply(w, e.VinfoRefusal)
		return
	}
	if err := checkCKey(q, r.Header.Get("User-Agent"), s.now()); err != nil {
		w.Header().Set("X-Fakeqq-Ckey", err.Error())
		writeReply(w, badCKey)
		return
	}
	s.serveQuality(w, e, q.Get("defn"), "getvinfo")
}

// serveGetinfo answers the legacy getinfo (flow 2).
func (s *Site) serveGetinfo(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	e := s.episodes[q.Get("vid")]
	switch {
	case s.eps26[q.Get("vid")] != nil:
		s.serveGetinfo26(w, s.eps26[q.Get("vid")], q.Get("defn"))
	case e == nil:
		writeReply(w, `{"s":"f","em":61,"exem":0,"msg":"视频不存在"}`)
	case e.Refusal != "":
		writeReply(w, e.Refusal)
	case slices.Contains(e.RefusePlatforms, q.Get("platform")):
		writeReply(w, outside)
	default:
		s.serveQuality(w, e, q.Get("defn"), "getinfo")
	}
}

// serveQuality describes one quality of e (the requested defn, or the
// first playable one), listing all of them in fl.fi.
func (s *Site) serveQuality(w http.ResponseWriter, e *Episode, defn, api string) {
	playable := func(q Quality) bool { return q.Kind != "vip" && q.Kind != "drm" }
	idx := slices.IndexFunc(e.Qualities, func(q Quality) bool { return q.Name == defn })
	if idx < 0 {
		idx = slices.IndexFunc(e.Qualities, playable)
	}
	q := e.Qualities[idx]
	if q.Kind == "vip" {
		writeReply(w, notPay)
		return
	}
	var fis []map[string]any
	for i, fq := range e.Qualities {
		fis = append(fis, map[string]any{"id": fq.ID, "name": fq.Name, "cname": fq.CName, "sname": fq.SName,
			"resolution": fq.Resolution, "br": fq.BR, "fs": s.qualitySize(e, fq), "drm": b2i(fq.Kind == "drm"),
			"sl": b2i(i == idx), "bandwidth": fq.BR * 4000, "audiobandwidth": 48000, "vfps": 25})
	}
	dur, _ := strconv.ParseFloat(e.Duration, 64)
	vi := map[string]any{"vid": e.Vid, "lnk": cmp.Or(e.Lnk, e.Vid), "ti": e.Title, "td": e.Duration, "br": q.BR,
		"vw": q.Width, "vh": q.Height, "fs": s.qualitySize(e, q), "drm": b2i(q.Kind == "drm"), "fn": q.FN,
		"fvkey": s.issueKey(api, ""), "type": 3}
	if q.Kind == "drm" {
		vi["ckc"] = "FAKE-CKC"
		vi["fn"] = e.Vid + ".drm.mp4"
	}
	prefixes := []string{"https://" + CDNA + cdnToken, "https://" + CDNB + cdnToken}
	var uis []map[string]any
	for _, p := range prefixes {
		ui := map[string]any{"url": p, "vt": 0, "dt": 2, "dtc": 0}
		if q.Kind == "hls" {
			ui["hls"] = map[string]any{"pt": "hls/" + e.Vid + "/" + q.Name + "/index.m3u8?ver=4", "pname": "index.m3u8"}
		}
		uis = append(uis, ui)
	}
	vi["ul"] = map[string]any{"ui": uis}
	switch {
	case q.Kind == "clips":
		var ci []map[string]any
		per := dur / float64(len(q.Files))
		for i := range q.Files {
			ci = append(ci, map[string]any{"idx": i + 1, "cd": strconv.FormatFloat(per, 'f', 2, 64),
				"cs": s.fileSize(e, q, i), "keyid": fmt.Sprintf("%s.%d.%d", cmp.Or(e.Lnk, e.Vid), q.ID, i+1)})
		}
		vi["cl"] = map[string]any{"fc": len(q.Files), "ci": ci}
	default:
		vi["cl"] = map[string]any{"fc": 0, "keyid": fmt.Sprintf("%s.%d", cmp.Or(e.Lnk, e.Vid), q.ID)}
	}
	reply := map[string]any{"s": "o", "em": 0, "exem": 0, "dltype": 1, "preview": int(dur + 0.5),
		"fl": map[string]any{"cnt": len(fis), "fi": fis}, "vl": map[string]any{"cnt": 1, "vi": []any{vi}}}
	if api == "getvinfo" {
		reply["code"] = "0.0"
		reply["dltype"] = 3
		var sfl []any
		for _, sub := range e.Subtitles {
			lang, ext, _ := strings.Cut(sub, ".")
			caption := 2
			if ext == "srt" {
				caption = 1
			}
			sfl = append(sfl, map[string]any{"lang": strings.ToUpper(lang), "captionType": caption,
				"url": "https://" + CDNA + cdnToken + "subs/" + e.Vid + "." + sub})
		}
		reply["sfl"] = map[string]any{"cnt": len(sfl), "fi": sfl}
	}
	writeReply(w, mustJSON(reply))
}

// serveGetkey gives a file of a clip or single-file quality its vkey; the
// file name and format must be the ones the getinfo reply implies.
func (s *Site) serveGetkey(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if e26 := s.eps26[q.Get("vid")]; e26 != nil {
		s.serveGetkey26(w, e26, q.Get("format"), q.Get("filename"))
		return
	}
	e := s.episodes[q.Get("vid")]
	if e == nil || e.Refusal != "" {
		writeReply(w, `{"s":"f","em":-1,"msg":"check vid&filename failed"}`)
		return
	}
	for _, fq := range e.Qualities {
		for i := range fq.Files {
			name := clipName(fq, i, len(fq.Files))
			if name == q.Get("filename") && q.Get("format") == strconv.Itoa(fq.ID) {
				writeReply(w, mustJSON(map[string]any{"s": "o", "key": s.issueKey(FlowGetinfo, ""), "filename": name,
					"keyid": fmt.Sprintf("%s.%d.%d", cmp.Or(e.Lnk, e.Vid), fq.ID, i+1), "level": 0}))
				return
			}
		}
	}
	writeReply(w, `{"s":"f","em":-1,"msg":"check vid&filename failed"}`)
}

func (s *Site) qualitySize(e *Episode, q Quality) int64 {
	var n int64
	for i := range q.Files {
		n += s.fileSize(e, q, i)
	}
	return n
}

func (s *Site) fileSize(e *Episode, q Quality, i int) int64 {
	return int64(s.cdn.Size(cdnToken + clipName(q, i, len(q.Files))))
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
