package main

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/vdlproject/vdl/internal/mediaserver"
)

// TestHLSInterruptAndResume stops the binary in the middle of a 40-segment
// playlist with SIGINT and with SIGKILL, reruns the same command, and
// checks the output is identical and that the server did not send the
// finished segments again.
func TestHLSInterruptAndResume(t *testing.T) {
	const (
		nSegs    = 40
		throttle = 256 << 10 // per response: the run takes about 3.5 s at -n 4
		conns    = 4
	)
	segs, _ := plainTS(t)
	files := map[string][]byte{}
	var want []byte
	var pl strings.Builder
	pl.WriteString("#EXTM3U\n#EXT-X-TARGETDURATION:5\n")
	for i := range nSegs {
		name := fmt.Sprintf("s%02d.ts", i)
		files["/long/"+name] = segs[i%4]
		want = append(want, segs[i%4]...)
		pl.WriteString("#EXTINF:4.0,\n" + name + "\n")
	}
	pl.WriteString("#EXT-X-ENDLIST\n")
	files["/long/index.m3u8"] = []byte(pl.String())
	total := int64(len(want))

	for _, tt := range []struct {
		name string
		sig  syscall.Signal
		code int
		from float64 // earliest interruption point; SIGKILL after the first checkpoint
		// slack is the waste allowed: SIGKILL loses up to one checkpoint
		// interval (1 s) of every connection.
		slack int64
	}{
		{"SIGINT", syscall.SIGINT, exitInterrupted, 0.2, 64 << 10},
		{"SIGKILL", syscall.SIGKILL, -1, 0.45, total/20 + conns*throttle},
	} {
		t.Run(tt.name, func(t *testing.T) {
			at := int64(float64(total) * (tt.from + (0.75-tt.from)*rand.Float64()))
			s := mediaserver.StartSite(files, mediaserver.SiteOptions{Throttle: throttle, NotifyAt: at})
			defer s.Close()
			dir := t.TempDir()
			args := []string{"-q", "--remux", "ts", "-n", fmt.Sprint(conns), "-d", dir, s.URL("/long/index.m3u8")}
			if got, _ := interruptVDL(t, s.Reached, tt.sig, args...); got != tt.code {
				t.Errorf("interrupted run: exit %d, want %d", got, tt.code)
			}
			out := filepath.Join(dir, "long.ts")
			if fileExists(out) {
				t.Fatal("an interrupted download left a file under the final name")
			}
			finished := map[string]bool{}
			for i := range nSegs {
				p := fmt.Sprintf("/long/s%02d.ts", i)
				finished[p] = s.SentFor(p) == int64(len(files[p]))
			}
			sentBefore := s.TotalSent()

			r := runVDL(t, nil, args...)
			if r.code != 0 {
				t.Fatalf("rerun: exit %d, stderr %s", r.code, r.stderr)
			}
			if sha(t, out) != sha256Of(want) {
				t.Fatal("resumed output differs from the segments")
			}
			playlist := int64(len(files["/long/index.m3u8"]))
			waste := s.TotalSent() - total - 2*playlist
			t.Logf("interrupted after %d bytes; %d segments were complete; rerun fetched %d; waste %d bytes",
				sentBefore, countTrue(finished), s.TotalSent()-sentBefore, waste)
			if waste > tt.slack {
				t.Errorf("server sent %d bytes more than the segments (limit %d): finished ranges were fetched again", waste, tt.slack)
			}
			if tt.sig == syscall.SIGINT {
				for p, done := range finished {
					if done && s.SentFor(p) > int64(len(files[p]))+16<<10 {
						t.Errorf("%s was complete before the interruption but was sent again (%d bytes in all)", p, s.SentFor(p))
					}
				}
			}
		})
	}
}

func countTrue(m map[string]bool) int {
	n := 0
	for _, v := range m {
		if v {
			n++
		}
	}
	return n
}
