package fakeqq

import (
	"net/http"
	"testing"
)

// TestFaultsReachNewAPIs: faults hit proxyhttp and getPage as every page
// and API host, never the CDN.
func TestFaultsReachNewAPIs(t *testing.T) {
	s := newSite(t, Config{Faults: Faults{Every: 1, Kinds: []string{Fault503}}})
	for _, u := range []string{"https://" + ProxyHost + ProxyPath, "https://" + ProxyHost6 + ProxyPath,
		"https://" + GetPageHost + GetPagePath + "?video_appid=3000010"} {
		if resp := call(t, s, http.MethodPost, u, jsonType, "{}"); resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("%s: %d, want the injected 503", u, resp.StatusCode)
		}
	}
	if status, _ := get(t, s, Poster2026()); status != http.StatusOK {
		t.Errorf("the CDN got a fault: %d", status)
	}
	if s.Injected()[Fault503] != 3 {
		t.Errorf("injected %v", s.Injected())
	}
}
