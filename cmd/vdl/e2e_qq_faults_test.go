package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vdlproject/vdl/internal/fakeqq"
)

// TestQQFaultsDoNotChangeTheResult: with every Nth page or API request
// failing (a 503 with Retry-After, a reset before the headers, a 502, a
// request accepted and never answered), each episode comes out under the
// same name with the same bytes as without faults: the same flow, the
// same quality. No hung request is waited on much beyond --timeout.
func TestQQFaultsDoNotChangeTheResult(t *testing.T) {
	const timeout = time.Second
	episodes := []struct {
		name, url string
		args      []string
		every     int
	}{
		{name: "legacy clips", url: qqLegacyEp, every: 2},
		{name: "getvinfo best", url: qqHLSEp, every: 3},
		{name: "getvinfo HLS fMP4", url: qqHLSEp, args: []string{"-f", "hd"}, every: 2},
		{name: "getvinfo HLS TS remuxed to MP4", url: qqHLSEp, args: []string{"-f", "270p"}, every: 2},
		{name: "proxyhttp TS mode (2026)", url: qq2026Ep(2), every: 2},
		{name: "proxyhttp TS mode, playlist link (2026)", url: qq2026Ep(1), args: []string{"-f", "hd"}, every: 3},
	}
	injected := map[string]int{}
	for _, ep := range episodes {
		t.Run(ep.name, func(t *testing.T) {
			_, want := downloadQQEpisode(t, fakeqq.Config{}, ep.url, ep.args, timeout)
			site, got := downloadQQEpisode(t, fakeqq.Config{Faults: fakeqq.Faults{Every: ep.every}}, ep.url, ep.args, timeout)
			if got.name != want.name || got.sum != want.sum {
				t.Errorf("with faults: %s (sha %x...), without: %s (sha %x...)", got.name, got.sum[:4], want.name, want.sum[:4])
			}
			// With --verbose both runs say which flow served and what they
			// left out: a fault must change none of it.
			for _, mark := range []string{"left out", "not listed", "to the next flow", "API flow failed", "downloading through flow"} {
				if g, w := strings.Count(got.stderr, mark), strings.Count(want.stderr, mark); g != w {
					t.Errorf("a fault changed the extraction (%q %d times, %d without faults): %s", mark, g, w, got.stderr)
				}
			}
			if flowUsed(got.stderr) == "" || flowUsed(got.stderr) != flowUsed(want.stderr) {
				t.Errorf("flow %q with faults, %q without", flowUsed(got.stderr), flowUsed(want.stderr))
			}
			faults := 0
			for k, n := range site.Injected() {
				injected[k] += n
				faults += n
			}
			if faults == 0 {
				t.Errorf("no fault was injected into this episode's requests: the case proves nothing")
			}
			for _, held := range site.Held() {
				if held > timeout+3*time.Second {
					t.Errorf("a hung request was held %v with --timeout %v", held, timeout)
				}
			}
		})
	}
	for _, k := range fakeqq.AllFaults {
		if injected[k] == 0 {
			t.Errorf("no %s fault was injected (injected: %v): the test proves less than it says", k, injected)
		}
	}
}

type qqOutcome struct {
	name, stderr string
	sum          [32]byte
}

// downloadQQEpisode downloads one episode from a fresh fake and returns the
// fake and the single file it produced.
func downloadQQEpisode(t *testing.T, cfg fakeqq.Config, url string, args []string, timeout time.Duration) (*fakeqq.Site, qqOutcome) {
	t.Helper()
	site, proxy := startFakeQQ(t, cfg)
	dir := t.TempDir()
	r := runVDL(t, nil, append([]string{"--verbose", "--proxy", proxy.URL, "--timeout", timeout.String(), "-d", dir, url}, args...)...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Fatalf("output dir holds %v (%v), want one file", entries, err)
	}
	name := entries[0].Name()
	return site, qqOutcome{name: name, stderr: r.stderr, sum: sha(t, filepath.Join(dir, name))}
}

// flowUsed is the flow a --verbose run says it downloaded through.
func flowUsed(stderr string) string {
	const mark = "downloading through flow "
	i := strings.LastIndex(stderr, mark)
	if i < 0 {
		return ""
	}
	rest := stderr[i+len(mark):]
	if j := strings.IndexAny(rest, " \n"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}
