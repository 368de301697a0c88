package fakeqq

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestCheckCKey checks the fake's verifier against vector V1 of vqq.md §3
// and proves it refuses a signature of another request.
func TestCheckCKey(t *testing.T) {
	const v1 = "894C74DBB85882F39E4571B11527095B3A532A2E081A631E6A4E405C015BBFF0A76450E6B7C79713F90653335FE1709D637231C2A101F0348348A38B25E2D27DB2D2BA7FDCA6D06F428D3619BA5FEE2F948BEED932EE3EE529AC9E040617AA1152EA7DDD27C668B238885140C0652D34D0DE0191165273CC019031FD8F0B565E728A8C2235785086B4FAAECD89007B561B732749FD0052E38CC5AA94213DAF6974A7A8500CDC18520802BA1AA51419B4CF1E91638D145AD0342EDBD18F9225C3D0FCEF3E1B2EE23B74422E366CD857C5"
	const ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
	good := url.Values{"vid": {"q326831cny0"}, "guid": {"abcdefghij012345"}, "platform": {"10901"}, "appVer": {"3.5.57"}, "cKey": {v1}}
	at := time.Unix(1700000000, 0)
	with := func(k, v string) url.Values {
		q := url.Values{}
		for key, vs := range good {
			q[key] = vs
		}
		q.Set(k, v)
		return q
	}
	tests := []struct {
		name string
		q    url.Values
		ua   string
		now  time.Time
		want string // "" = accepted, else a word of the error
	}{
		{"vector V1", good, ua, at, ""},
		{"other UA on the wire", good, "curl/8.0", at, "User-Agent"},
		{"other vid", with("vid", "o3013za7cse"), ua, at, "vid"},
		{"other guid", with("guid", "zzzzzzzzzzzzzzzz"), ua, at, "guid"},
		{"stale", good, ua, at.Add(time.Hour), "time"},
		{"not hex", with("cKey", "XYZ"), ua, at, "hex"},
		{"tampered", with("cKey", "00"+v1[2:]), ua, at, "cKey"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkCKey(tc.q, tc.ua, tc.now)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("err = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}
