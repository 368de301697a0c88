package fakeqq

import (
	"fmt"
	"time"
)

// What the CDN checks a media request against: a vkey (MP4 files) or a
// path token (TS segments and playlists, /ts/<token>/svp_50112/...). Both
// remember the flow that issued them, so the CDN can refuse one flow's
// URLs and tests can count per flow.

// vkey is an issued vkey.
type vkey struct {
	flow   string
	file   string // the one file it signs ("": any, as getvinfo's fvkey and getkey's keys)
	served int64  // body bytes served under it (ExpireAfter)
}

// token is an issued TS path token.
type token struct {
	flow    string
	issued  time.Time
	expired bool
}

// flowCode tags keys and tokens so that a URL shows its flow at a glance.
func flowCode(flow string) string {
	switch flow {
	case FlowProxyTS:
		return "PT"
	case FlowProxyMP4:
		return "PM"
	case FlowGetvinfo:
		return "GV"
	case FlowGetinfo:
		return "GI"
	}
	return "XX"
}

// issueKey makes a new vkey the CDN will accept for a flow's URLs; file,
// if set, is the only file it signs.
func (s *Site) issueKey(flow, file string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextKey++
	k := fmt.Sprintf("FAKEVKEY%s%04d", flowCode(flow), s.nextKey)
	s.keys[k] = &vkey{flow: flow, file: file}
	return k
}

// issueToken makes a TS path token, alive for Config.TokenTTL.
func (s *Site) issueToken(flow string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextKey++
	t := fmt.Sprintf("B_%s%05dQ", flowCode(flow), s.nextKey)
	s.tokens[t] = &token{flow: flow, issued: s.now()}
	return t
}

// tokenFlow returns a token's flow and whether it is alive.
func (s *Site) tokenFlow(t string) (flow string, alive bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tk, ok := s.tokens[t]
	if !ok {
		return "", false
	}
	return tk.flow, !tk.expired && s.now().Sub(tk.issued) <= s.cfg.TokenTTL
}

// ExpireTokens expires every TS path token issued so far: requests under
// them answer 403, as after TokenTTL, without waiting for it.
func (s *Site) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		t.expired = true
	}
}

// RefuseFlow makes the CDN answer status to every media request (segment,
// clip or file; not playlists) issued by a flow (FlowProxyTS, ...); status
// 0 serves it again.
func (s *Site) RefuseFlow(flow string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if status == 0 {
		delete(s.refuse, flow)
		return
	}
	s.refuse[flow] = status
}

// RefusePlaylists makes the next n media playlist GETs on the CDN (TS
// mode's link, getvinfo's HLS playlists; not subtitle playlists) answer
// 403, as URLs whose keys expired while the client waited.
func (s *Site) RefusePlaylists(n int) { s.refusePlaylists.Store(int64(n)) }

// takePlaylistRefusal consumes one of RefusePlaylists' refusals.
func (s *Site) takePlaylistRefusal() bool {
	for {
		n := s.refusePlaylists.Load()
		if n <= 0 {
			return false
		}
		if s.refusePlaylists.CompareAndSwap(n, n-1) {
			return true
		}
	}
}

// FlowStatus returns how often the CDN answered status to a request
// issued by a flow. 200 means the request passed the CDN's checks (a
// range request then gets 206 from the media server).
func (s *Site) FlowStatus(flow string, status int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.flowStatus[fmt.Sprintf("%s %d", flow, status)]
}

// LastLoginToken is the logintoken of the last proxyhttp request (vinfoad
// or onlyvkey) that had one: the JSON made from the cookies.
func (s *Site) LastLoginToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loginToken
}
