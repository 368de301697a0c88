package fakeqq

import (
	"fmt"
	"net/http"
	"strings"
)

// serveCDN serves media like Tencent's CDN nodes: MP4 files need a live
// vkey (403 otherwise), HLS paths are open. DeadMirror makes CDNA refuse
// everything; ExpireAfter kills each vkey after that many bytes.
func (s *Site) serveCDN(w http.ResponseWriter, r *http.Request, host string) {
	status := s.cdnVerdict(r, host)
	if status != 0 {
		s.noteStatus(host, status)
		http.Error(w, http.StatusText(status), status)
		return
	}
	s.noteStatus(host, http.StatusOK)
	vkey := r.URL.Query().Get("vkey")
	s.cdn.ServeHTTP(&keyCounter{ResponseWriter: w, site: s, vkey: vkey}, r)
}

func (s *Site) cdnVerdict(r *http.Request, host string) int {
	if host == CDNA && s.DeadMirror.Load() {
		return http.StatusForbidden
	}
	if strings.HasPrefix(r.URL.Path, cdnToken+"hls/") || strings.HasPrefix(r.URL.Path, cdnToken+"subs/") {
		return 0
	}
	vkey := r.URL.Query().Get("vkey")
	s.mu.Lock()
	defer s.mu.Unlock()
	served, ok := s.keys[vkey]
	if !ok {
		return http.StatusForbidden
	}
	if limit := s.ExpireAfter.Load(); limit > 0 && served >= limit {
		return http.StatusForbidden
	}
	return 0
}

func (s *Site) noteStatus(host string, status int) {
	s.mu.Lock()
	s.status[fmt.Sprintf("%s %d", host, status)]++
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
	if k.vkey == "" {
		return k.ResponseWriter.Write(p)
	}
	expired := fmt.Errorf("fakeqq: vkey %s expired", k.vkey)
	cut := false
	k.site.mu.Lock()
	if limit := k.site.ExpireAfter.Load(); limit > 0 {
		left := limit - k.site.keys[k.vkey]
		if left <= 0 {
			k.site.mu.Unlock()
			return 0, expired
		}
		if int64(len(p)) > left {
			p, cut = p[:left], true
		}
	}
	k.site.keys[k.vkey] += int64(len(p))
	k.site.mu.Unlock()
	n, err := k.ResponseWriter.Write(p)
	if cut && err == nil {
		err = expired
	}
	return n, err
}
