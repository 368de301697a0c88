package fakeqq

import (
	"fmt"
	"net/http"
	"path"
	"strings"
)

// serveCDN serves media like Tencent's CDN nodes: MP4 files need a live
// vkey (403 otherwise), TS segments and playlists a live path token,
// getvinfo's HLS of the older catalogue, subtitles and pictures are open.
// DeadMirror makes CDNA refuse everything; ExpireAfter kills each vkey
// after that many bytes; RefuseFlow and RefusePlaylists refuse on demand;
// in the default mode the URLs getvinfo and getinfo give for a 2026
// episode are refused as the real CDN refuses them for long episodes.
func (s *Site) serveCDN(w http.ResponseWriter, r *http.Request, host string) {
	v := s.cdnVerdict(r, host)
	s.noteStatus(host, v.flow, cmpStatus(v.status))
	if v.status != 0 {
		http.Error(w, http.StatusText(v.status), v.status)
		return
	}
	if v.path != r.URL.Path {
		r = r.Clone(r.Context())
		r.URL.Path, r.URL.RawPath = v.path, ""
	}
	s.cdn.ServeHTTP(&keyCounter{ResponseWriter: w, site: s, vkey: v.vkey}, r)
}

// verdict is the CDN's decision on a request: status 0 serves path (the
// file table's name for it) and charges the bytes to vkey.
type verdict struct {
	status int
	flow   string // the flow that issued the URL, "" if not known
	path   string
	vkey   string
}

func cmpStatus(status int) int {
	if status == 0 {
		return http.StatusOK
	}
	return status
}

func (s *Site) cdnVerdict(r *http.Request, host string) verdict {
	p := r.URL.Path
	dead := host == CDNA && s.DeadMirror.Load()
	switch {
	case strings.HasPrefix(p, "/ts/"):
		return s.tsVerdict(p, dead)
	case strings.HasPrefix(p, cdnToken+"hls/"):
		v := verdict{flow: FlowGetvinfo, path: p}
		switch {
		case dead:
			v.status = http.StatusForbidden
		case path.Ext(p) == ".m3u8":
			if s.takePlaylistRefusal() {
				v.status = http.StatusForbidden
			}
		default:
			v.status = s.refusal(FlowGetvinfo)
		}
		return v
	case strings.HasPrefix(p, cdnToken+"subs/") || strings.HasPrefix(p, "/pic/"):
		if dead {
			return verdict{status: http.StatusForbidden, path: p}
		}
		return verdict{path: p}
	}
	key := r.URL.Query().Get("vkey")
	v := verdict{path: p, vkey: key}
	s.mu.Lock()
	vk, ok := s.keys[key]
	if ok {
		v.flow = vk.flow
	}
	refused := s.refuse[v.flow]
	s.mu.Unlock()
	switch {
	case dead || !ok:
		v.status = http.StatusForbidden
	case s.keyExhausted(vk):
		v.status = http.StatusForbidden
	case vk.file != "" && vk.file != path.Base(p):
		v.status = http.StatusForbidden // a key signs its own file only
	case refused != 0:
		v.status = refused
	case vk.flow == FlowGetinfo && !s.cfg.Legacy && s.files26[p] > 1:
		// lux#1401: the legacy flow's first clip plays, the rest are refused.
		v.status = http.StatusForbidden
	}
	return v
}

// tsVerdict decides on /ts/<token>/svp_50112/<file>.
func (s *Site) tsVerdict(p string, dead bool) verdict {
	tok, rest, _ := strings.Cut(strings.TrimPrefix(p, "/ts/"), "/")
	name, ok := strings.CutPrefix("/"+rest, tsSubPath)
	flow, alive := s.tokenFlow(tok)
	v := verdict{flow: flow, path: tsCanon + name}
	switch {
	case !ok || flow == "" || dead || !alive:
		v.status = http.StatusForbidden
	case path.Ext(name) == ".m3u8":
		if s.takePlaylistRefusal() {
			v.status = http.StatusForbidden
		}
	case s.refusal(flow) != 0:
		v.status = s.refusal(flow)
	case flow == FlowGetvinfo && !s.cfg.Legacy:
		// Only 2026 episodes get tokens: yt-dlp#8171, the API answers and
		// the segments of a long episode do not download.
		v.status = 564
	}
	return v
}

// refusal is the status RefuseFlow set for a flow (0: none).
func (s *Site) refusal(flow string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refuse[flow]
}

// keyExhausted says a vkey served its ExpireAfter bytes.
func (s *Site) keyExhausted(vk *vkey) bool {
	limit := s.ExpireAfter.Load()
	if limit <= 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return vk.served >= limit
}

func (s *Site) noteStatus(host, flow string, status int) {
	s.mu.Lock()
	s.status[fmt.Sprintf("%s %d", host, status)]++
	if flow != "" {
		s.flowStatus[fmt.Sprintf("%s %d", flow, status)]++
	}
	s.mu.Unlock()
}

// keyCounter charges the bytes of a response to its vkey, and cuts the
// response when the key expires mid-body (the client sees a short body,
// then a 403 on its next request).
type keyCounter struct {
	http.ResponseWriter
	site *Site
	vkey string
}

func (k *keyCounter) Write(p []byte) (int, error) {
	k.site.mu.Lock()
	vk := k.site.keys[k.vkey]
	if vk == nil {
		k.site.mu.Unlock()
		return k.ResponseWriter.Write(p)
	}
	expired := fmt.Errorf("fakeqq: vkey %s expired", k.vkey)
	cut := false
	if limit := k.site.ExpireAfter.Load(); limit > 0 {
		left := limit - vk.served
		if left <= 0 {
			k.site.mu.Unlock()
			return 0, expired
		}
		if int64(len(p)) > left {
			p, cut = p[:left], true
		}
	}
	vk.served += int64(len(p))
	k.site.mu.Unlock()
	n, err := k.ResponseWriter.Write(p)
	if cut && err == nil {
		err = expired
	}
	return n, err
}
