package main

import (
	"io"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// TestHugePlaylistIsRefusedInBoundedMemory: a playlist of a million
// segments (13 MB) is refused with one line and exit 4, before its
// parse costs memory in proportion; one just under the bound lists.
func TestHugePlaylistIsRefusedInBoundedMemory(t *testing.T) {
	playlist := func(n int) string {
		var b strings.Builder
		b.WriteString("#EXTM3U\n#EXT-X-TARGETDURATION:1\n")
		for range n {
			b.WriteString("#EXTINF:1,\ns\n")
		}
		b.WriteString("#EXT-X-ENDLIST\n")
		return b.String()
	}
	huge, big := playlist(1_000_000), playlist(100_000)
	s := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "huge") {
			io.WriteString(w, huge)
		} else {
			io.WriteString(w, big)
		}
	})
	for _, tt := range []struct {
		name   string
		code   int
		maxRSS int64 // KiB
	}{{"huge", exitRefused, 150 << 10}, {"big", 0, 250 << 10}} {
		cmd := exec.Command(vdlBin, "-F", s.URL+"/"+tt.name+".m3u8")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		if code != tt.code {
			t.Fatalf("%s: exit %d, want %d: %s", tt.name, code, tt.code, stderr.String())
		}
		if tt.code != 0 {
			oneErrorLine(t, stderr.String(), "at most")
		}
		if rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss; rss > tt.maxRSS {
			t.Errorf("%s: peak memory %d MiB, over %d MiB", tt.name, rss>>10, tt.maxRSS>>10)
		}
	}
}
