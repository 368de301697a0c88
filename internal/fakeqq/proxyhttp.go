package fakeqq

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
)

// proxyhttp (vqq.md §2D): POST {"buid":"vinfoad","vinfoparam":...} or
// {"buid":"onlyvkey","vkeyparam":...}. It serves the 2026 catalogue only:
// an older episode gets the 85.-3 refusal, so a client hands it to
// getvinfo; in Legacy mode every request gets it.

const invalidCGI = `{"errCode":-7610,"retMsg":"无效的cgi"}`

// loginTokenKeys are the logintoken's keys, from the vqq_* and main_login
// cookies.
func loginTokenKeys() []string {
	return []string{"openid", "appid", "access_token", "vuserid", "vusession", "main_login"}
}

var (
	flowidRe = regexp.MustCompile(`^[0-9a-f]{32}$`)
	tmRe     = regexp.MustCompile(`^[0-9]{9,11}$`)
)

func (s *Site) serveProxy(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	var req struct {
		Buid       string `json:"buid"`
		VinfoParam string `json:"vinfoparam"`
		VkeyParam  string `json:"vkeyparam"`
	}
	bad := r.Method != http.MethodPost || json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&req) != nil
	var field, param string
	switch req.Buid {
	case "vinfoad":
		field, param = "vinfo", req.VinfoParam
	case "onlyvkey":
		field, param = "vkey", req.VkeyParam
	default:
		bad = true
	}
	q, err := url.ParseQuery(param)
	if !bad {
		s.noteProxyRequest(req.Buid, q)
	}
	switch {
	case s.cfg.Legacy:
		// The site of 2022 refuses whatever is asked, in the vinfo field.
		s.proxyRefuse(w, "vinfo", "the site of 2022 has no proxyhttp flow", "")
		return
	case bad:
		s.proxyRefuse(w, "vinfo", fmt.Sprintf("not a JSON POST of a known buid (%q)", req.Buid), invalidCGI)
		return
	case err != nil || param == "":
		s.proxyRefuse(w, field, "the "+req.Buid+" parameters do not parse", invalidCGI)
		return
	}
	e := s.eps26[q.Get("vid")]
	if e == nil && s.episodes[q.Get("vid")] != nil {
		s.proxyRefuse(w, field, "an older catalogue episode: proxyhttp does not serve it", "")
		return
	}
	if reason := checkProxyParams(req.Buid, q); reason != "" {
		s.proxyRefuse(w, field, reason, "")
		return
	}
	if e == nil {
		s.proxyReply(w, field, `{"s":"f","em":61,"exem":0,"code":"61.0","msg":"vid is wrong or video does not exist (视频不存在)"}`)
		return
	}
	if err := checkCKey85(q, s.now()); err != nil {
		s.proxyRefuse(w, field, err.Error(), "")
		return
	}
	if req.Buid == "onlyvkey" {
		key := s.clipKey(e, q.Get("format"), q.Get("filename"))
		if key == nil {
			s.proxyReply(w, field, `{"s":"f","em":-1,"msg":"check vid&filename failed"}`)
			return
		}
		s.proxyReply(w, field, mustJSON(key))
		return
	}
	quality := quality26ByName(q.Get("defn"))
	if q.Get("dtype") == "3" {
		s.proxyReply(w, field, mustJSON(s.tsReply(e, quality)))
	} else {
		s.proxyReply(w, field, mustJSON(s.clipReply(e, quality)))
	}
}

// noteProxyRequest counts a request by buid, mode and vid, and keeps its
// logintoken.
func (s *Site) noteProxyRequest(buid string, q url.Values) {
	s.count(buid)
	if buid == "vinfoad" {
		switch q.Get("dtype") {
		case "3":
			s.count("vinfoad:ts")
		case "1":
			s.count("vinfoad:mp4")
		}
	}
	if vid := q.Get("vid"); vid != "" {
		s.count("vid:" + vid)
	}
	if lt := q.Get("logintoken"); lt != "" {
		s.mu.Lock()
		s.loginToken = lt
		s.mu.Unlock()
	}
}

// checkProxyParams checks what both buids must carry; the reason for a
// refusal, "" if the parameters are right.
func checkProxyParams(buid string, q url.Values) string {
	need := map[string]string{"otype": "ojson", "platform": "10201", "encryptVer": "8.5", "appVer": "1.27.3"}
	if buid == "onlyvkey" {
		need["sdtfrom"] = "v1010"
	}
	for _, k := range []string{"otype", "platform", "encryptVer", "appVer", "sdtfrom"} {
		if want, ok := need[k]; ok && q.Get(k) != want {
			return fmt.Sprintf("%s=%q, want %q", k, q.Get(k), want)
		}
	}
	switch {
	case q.Get("vid") == "":
		return "no vid"
	case !isHex(q.Get("guid"), 16):
		return fmt.Sprintf("guid %q is not 16 hex chars", q.Get("guid"))
	case !flowidRe.MatchString(q.Get("flowid")):
		return fmt.Sprintf("flowid %q is not 32 hex chars", q.Get("flowid"))
	case !tmRe.MatchString(q.Get("tm")):
		return fmt.Sprintf("tm %q is not unix seconds", q.Get("tm"))
	case q.Get("refer") == "" || q.Get("ehost") == "":
		return "no refer or ehost"
	case q.Get("cKey") == "":
		return "no cKey"
	}
	if reason := checkLoginToken(q.Get("logintoken")); reason != "" {
		return reason
	}
	if buid == "vinfoad" {
		if d := q.Get("dtype"); d != "1" && d != "3" {
			return fmt.Sprintf("dtype %q, want 1 (MP4 clips) or 3 (TS)", d)
		}
		return ""
	}
	if _, err := strconv.Atoi(q.Get("format")); err != nil || q.Get("filename") == "" {
		return "onlyvkey without format or filename"
	}
	return ""
}

// checkLoginToken wants the compact JSON of the six cookie values
// (strings, empty when anonymous).
func checkLoginToken(lt string) string {
	var m map[string]any
	if err := json.Unmarshal([]byte(lt), &m); err != nil {
		return fmt.Sprintf("logintoken %q is not a JSON object", lt)
	}
	for _, k := range loginTokenKeys() {
		if _, ok := m[k].(string); !ok {
			return fmt.Sprintf("logintoken has no string %q", k)
		}
	}
	if len(m) != len(loginTokenKeys()) {
		return "logintoken has keys beyond the six cookies"
	}
	return ""
}

// proxyReply wraps a getinfo-shaped JSON as proxyhttp does: a string in
// field ("vinfo" or "vkey").
func (s *Site) proxyReply(w http.ResponseWriter, field, inner string) {
	fmt.Fprintln(w, mustJSON(map[string]any{"errCode": 0, field: inner}))
}

// proxyRefuse answers a refused request, the reason in X-Fakeqq-Ckey (as
// getvinfo's checker does): whole is the reply when set, else the 85.-3
// reply wrapped in field.
func (s *Site) proxyRefuse(w http.ResponseWriter, field, reason, whole string) {
	w.Header().Set("X-Fakeqq-Ckey", reason)
	if whole != "" {
		fmt.Fprint(w, whole)
		return
	}
	s.proxyReply(w, field, badCKey)
}
