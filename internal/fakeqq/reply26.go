package fakeqq

import (
	"fmt"
	"net/http"
	"strconv"
)

// The replies about a 2026 episode, one builder per flow: proxyhttp TS
// mode and MP4-clip mode (vinfo JSON, plain), getvinfo 8.1 (HLS) and the
// legacy getinfo (hd clips). All share fl.fi and sfl.fi.

// Modes of fl.fi: which format ids and sizes it gives.
const (
	modeTS     = "ts"
	modeMP4    = "mp4"
	modeVinfo  = "vinfo"
	modeLegacy = "legacy"
)

// clipDurations26 are cl.ci[].cd of the mp4-clips fixture: cut at the
// keyframes at 5 s and 10 s of the 15.02 s source.
func clipDurations26() []string { return []string{"5.00", "5.00", "5.02"} }

// tsPrefix is a CDN's TS prefix under a path token.
func tsPrefix(host, tok string) string { return "https://" + host + "/ts/" + tok + tsSubPath }

func (s *Site) tsSize(vid string, q quality26) int64 {
	var n int64
	for i := range tsSegments(q, len(s.segs26)) {
		n += int64(s.cdn.Size(fmt.Sprintf("%s%s.%d.ts", tsCanon, tsStem(vid, q), i+1)))
	}
	return n
}

func (s *Site) clipSize(vid string, id, clips int) int64 {
	var n int64
	for i := range max(clips, 1) {
		n += int64(s.cdn.Size(cdnToken + clipFile26(vid, id, clips, i+1)))
	}
	return n
}

// fl26 is fl.fi for a mode, sl marking sel.
func (s *Site) fl26(e *Ep26, mode string, sel quality26) map[string]any {
	var fis []any
	for _, q := range qualities26() {
		fi := map[string]any{"name": q.name, "cname": q.cname, "sname": q.sname, "resolution": q.resolution,
			"br": q.br, "drm": 0, "sl": b2i(q.name == sel.name), "lmt": b2i(q.trial), "profile": 2}
		switch mode {
		case modeTS:
			fi["id"], fi["fs"] = q.tsID, s.tsSize(e.Vid, q)
		case modeMP4:
			fi["id"], fi["fs"] = q.clipID, s.clipSize(e.Vid, q.clipID, q.clips)
		case modeVinfo:
			fi["id"], fi["fs"] = q.vinfoID, s.tsSize(e.Vid, q)
			fi["bandwidth"], fi["audiobandwidth"], fi["vfps"] = q.br*4000, 48000, 25
		case modeLegacy:
			if q.name != "hd" {
				continue // the legacy flow tops out at 480P
			}
			fi["id"], fi["fs"] = legacy26ID, s.clipSize(e.Vid, legacy26ID, 3)
		}
		fis = append(fis, fi)
	}
	return map[string]any{"cnt": len(fis), "fi": fis}
}

// sfl26 lists episode 1's subtitles: an HLS WebVTT playlist and an SRT.
func sfl26(e *Ep26) map[string]any {
	if !e.Subtitles {
		return map[string]any{"cnt": 0}
	}
	base := "https://" + CDNA + cdnToken + "subs/"
	fis := []any{
		map[string]any{"lang": "ZH-CN", "name": "中文", "captionType": 2, "url": base + e.Vid + ".zh-cn.vtt.m3u8"},
		map[string]any{"lang": "EN", "name": "English", "captionType": 1, "url": base + e.Vid + ".en.srt"},
	}
	return map[string]any{"cnt": len(fis), "fi": fis}
}

// top26 is a success reply around vi; preview is omitted for the
// preview-only episode (yt-dlp#5909: the trial reply has none).
func (s *Site) top26(e *Ep26, fl, vi map[string]any, dltype int, preview int) map[string]any {
	r := map[string]any{"s": "o", "code": "0.0", "em": 0, "exem": 0, "dltype": dltype, "ip": "127.0.0.1",
		"tm": s.now().Unix(), "fl": fl, "vl": map[string]any{"cnt": 1, "vi": []any{vi}}, "sfl": sfl26(e)}
	if !e.PreviewOnly {
		r["preview"] = preview
	}
	return r
}

// fullPreview is `preview` for a whole quality: td in whole seconds.
func fullPreview(e *Ep26) int {
	d, _ := strconv.ParseFloat(e.Duration, 64)
	return int(d + 0.5)
}

func vi26(e *Ep26, q quality26, fn string, fs int64) map[string]any {
	return map[string]any{"vid": e.Vid, "lnk": e.Vid, "ti": e.Title, "td": e.Duration, "fn": fn, "fs": fs,
		"br": q.br, "vw": q.width, "vh": q.height, "drm": 0, "type": 3, "iflag": 0, "logo": 1}
}

// tsReply is proxyhttp's dtype=3 reply: fn "<stem>.ts", fc segments under
// a fresh path token on both CDNs (the second ui URL carries fn after the
// prefix), ul.m3u8 as the episode says.
func (s *Site) tsReply(e *Ep26, q quality26) map[string]any {
	tok := s.issueToken(FlowProxyTS)
	stem := tsStem(e.Vid, q)
	n := tsSegments(q, len(s.segs26))
	vi := vi26(e, q, stem+".ts", s.tsSize(e.Vid, q))
	vi["fc"] = n
	vi["cl"] = map[string]any{"fc": 0, "keyid": fmt.Sprintf("%s.%d", e.Vid, q.tsID)}
	ul := map[string]any{"ui": []any{
		map[string]any{"url": tsPrefix(CDNA, tok), "vt": 0, "dt": 2, "dtc": 0},
		map[string]any{"url": tsPrefix(CDNB, tok) + stem + ".ts", "vt": 0, "dt": 2, "dtc": 0},
	}}
	switch e.M3U8 {
	case m3u8Text:
		ul["m3u8"] = playlist26(stem, s.segs26[:n])
	case m3u8RelLink:
		ul["m3u8"] = stem + ".ts.m3u8?ver=4"
	case m3u8AbsLink:
		ul["m3u8"] = tsPrefix(CDNA, tok) + stem + ".ts.m3u8?ver=4"
	}
	vi["ul"] = ul
	preview := fullPreview(e)
	if q.trial {
		d, _ := strconv.ParseFloat(s.segs26[0].duration, 64)
		preview = int(d)
	}
	return s.top26(e, s.fl26(e, modeTS, q), vi, 3, preview)
}

// clipReply is proxyhttp's dtype=1 reply: fn "<lnk>.p<id%10000>.mp4" and
// its clips in cl.ci (or cl.fc 0 and cl.keyid for one file); each file
// needs its own onlyvkey key.
func (s *Site) clipReply(e *Ep26, q quality26) map[string]any {
	vi := vi26(e, q, clipFile26(e.Vid, q.clipID, 0, 0), s.clipSize(e.Vid, q.clipID, q.clips))
	cl := map[string]any{"fc": q.clips}
	preview := fullPreview(e)
	if q.clips == 0 {
		cl["keyid"] = fmt.Sprintf("%s.%d", e.Vid, q.clipID)
	} else {
		var ci []any
		for i := range q.clips {
			ci = append(ci, map[string]any{"idx": i + 1, "cd": clipDurations26()[i],
				"cs":    s.cdn.Size(cdnToken + clipFile26(e.Vid, q.clipID, q.clips, i+1)),
				"keyid": fmt.Sprintf("%s.%d.%d", e.Vid, q.clipID, i+1)})
		}
		cl["ci"] = ci
	}
	if q.trial {
		d, _ := strconv.ParseFloat(clipDurations26()[0], 64)
		preview = int(d)
	}
	vi["cl"] = cl
	vi["ul"] = map[string]any{"ui": []any{
		map[string]any{"url": "https://" + CDNA + cdnToken, "vt": 0, "dt": 2, "dtc": 0},
		map[string]any{"url": "https://" + CDNB + cdnToken, "vt": 0, "dt": 2, "dtc": 0},
	}}
	return s.top26(e, s.fl26(e, modeMP4, q), vi, 1, preview)
}

// clipKey answers onlyvkey: a key for one file of a clip-mode quality,
// signing that file alone; "" when format and filename name no file.
func (s *Site) clipKey(e *Ep26, format, filename string) map[string]any {
	for _, q := range qualities26() {
		if format != strconv.Itoa(q.clipID) {
			continue
		}
		for idx := 1; idx <= max(q.clips, 1); idx++ {
			if clipFile26(e.Vid, q.clipID, q.clips, idx) != filename {
				continue
			}
			keyid := fmt.Sprintf("%s.%d.%d", e.Vid, q.clipID, idx)
			if q.clips == 0 {
				keyid = fmt.Sprintf("%s.%d", e.Vid, q.clipID)
			}
			return map[string]any{"s": "o", "key": s.issueKey(FlowProxyMP4, filename), "keyid": keyid,
				"filename": filename, "level": 0}
		}
	}
	return nil
}

// serveVinfo26 answers getvinfo (8.1, already checked) about a 2026
// episode: HLS under a getvinfo path token, as F2 of vqq.md; fhd is VIP
// ("not pay"). In the default mode the CDN answers its segments 564.
func (s *Site) serveVinfo26(w http.ResponseWriter, e *Ep26, defn string) {
	q := quality26ByName(defn)
	if q.trial {
		writeReply(w, notPay)
		return
	}
	tok := s.issueToken(FlowGetvinfo)
	stem := tsStem(e.Vid, q)
	var uis []any
	for _, host := range []string{CDNA, CDNB} {
		uis = append(uis, map[string]any{"url": tsPrefix(host, tok), "vt": 0, "dt": 2, "dtc": 0,
			"hls": map[string]any{"pt": stem + ".ts.m3u8?ver=4", "pname": stem + ".ts.m3u8"}})
	}
	vi := vi26(e, q, stem+".ts", s.tsSize(e.Vid, q))
	vi["fvkey"] = s.issueKey(FlowGetvinfo, "")
	vi["cl"] = map[string]any{"fc": 0, "keyid": fmt.Sprintf("%s.%d", e.Vid, q.vinfoID)}
	vi["ul"] = map[string]any{"ui": uis}
	writeReply(w, mustJSON(s.top26(e, s.fl26(e, modeVinfo, q), vi, 3, fullPreview(e))))
}

// serveGetinfo26 answers the legacy getinfo about a 2026 episode: hd
// only, three clips; in the default mode the CDN refuses every clip
// after the first (lux#1401).
func (s *Site) serveGetinfo26(w http.ResponseWriter, e *Ep26, _ string) {
	q := quality26ByName("hd")
	vi := vi26(e, q, fmt.Sprintf("%s.p%d.mp4", e.Vid, legacy26ID%10000), s.clipSize(e.Vid, legacy26ID, 3))
	vi["fvkey"] = s.issueKey(FlowGetinfo, "")
	var ci []any
	for i := range 3 {
		ci = append(ci, map[string]any{"idx": i + 1, "cd": clipDurations26()[i],
			"cs":    s.cdn.Size(cdnToken + clipFile26(e.Vid, legacy26ID, 3, i+1)),
			"keyid": fmt.Sprintf("%s.%d.%d", e.Vid, legacy26ID, i+1)})
	}
	vi["cl"] = map[string]any{"fc": 3, "ci": ci}
	vi["ul"] = map[string]any{"ui": []any{
		map[string]any{"url": "https://" + CDNA + cdnToken, "vt": 0, "dt": 2, "dtc": 0},
		map[string]any{"url": "https://" + CDNB + cdnToken, "vt": 0, "dt": 2, "dtc": 0},
	}}
	r := s.top26(e, s.fl26(e, modeLegacy, q), vi, 1, fullPreview(e))
	delete(r, "code")
	delete(r, "sfl")
	writeReply(w, mustJSON(r))
}

// serveGetkey26 gives a legacy clip of a 2026 episode its key.
func (s *Site) serveGetkey26(w http.ResponseWriter, e *Ep26, format, filename string) {
	if format == strconv.Itoa(legacy26ID) {
		for idx := 1; idx <= 3; idx++ {
			if name := clipFile26(e.Vid, legacy26ID, 3, idx); name == filename {
				writeReply(w, mustJSON(map[string]any{"s": "o", "key": s.issueKey(FlowGetinfo, ""), "filename": name,
					"keyid": fmt.Sprintf("%s.%d.%d", e.Vid, legacy26ID, idx), "level": 0}))
				return
			}
		}
	}
	writeReply(w, `{"s":"f","em":-1,"msg":"check vid&filename failed"}`)
}
