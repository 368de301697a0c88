package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/mattn/go-runewidth"

	"github.com/vdlproject/vdl/internal/fakeqq"
	ms "github.com/vdlproject/vdl/internal/mediaserver"
)

// The console as a user reads it in a real terminal: vdl runs in a tmux
// pane (typed in with send-keys), and the test reads the screen
// (capture-pane) and, for states a redraw replaces, the bytes the
// terminal got (pipe-pane).

// pane is one tmux session of a test, on a server of its own.
type pane struct {
	t      *testing.T
	tmux   string
	socket string
	log    string // everything written to the pane
}

const paneCols, paneRows = 120, 50

func newPane(t *testing.T) *pane {
	t.Helper()
	p := &pane{t: t, tmux: requireTool(t, "tmux"), socket: filepath.Join(t.TempDir(), "tmux.sock")}
	p.log = filepath.Join(t.TempDir(), "pane.log")
	p.run("-f", "/dev/null", "new-session", "-d", "-x", fmt.Sprint(paneCols), "-y", fmt.Sprint(paneRows), "sh")
	t.Cleanup(func() { _ = exec.Command(p.tmux, "-S", p.socket, "kill-server").Run() })
	p.run("pipe-pane", "-o", "cat >> "+p.log)
	return p
}

func (p *pane) run(args ...string) string {
	p.t.Helper()
	out, err := exec.Command(p.tmux, append([]string{"-S", p.socket}, args...)...).CombinedOutput()
	if err != nil {
		p.t.Fatalf("tmux %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// start types a vdl command line; done then waits for it to end.
func (p *pane) start(args ...string) {
	p.t.Helper()
	quoted := []string{shellQuote(vdlBin)}
	for _, a := range args {
		quoted = append(quoted, shellQuote(a))
	}
	// The shell says the exit code and wakes the test (wait-for), so
	// that nothing here waits by the clock.
	line := strings.Join(quoted, " ") + "; echo EXIT=$?; " + shellQuote(p.tmux) + " -S " + shellQuote(p.socket) + " wait-for -S done"
	p.run("send-keys", "-l", line)
	p.run("send-keys", "Enter")
}

// done waits for the command and returns the screen, wrapped lines
// joined, with the scrollback.
func (p *pane) done() string {
	p.t.Helper()
	p.run("wait-for", "done")
	return p.run("capture-pane", "-p", "-J", "-S", "-")
}

// sent is everything the terminal got, raw.
func (p *pane) sent() string {
	b, _ := os.ReadFile(p.log)
	return string(b)
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// TestTerminalProgressLine: on a terminal the progress line is redrawn
// in place (one screen row at the end, not a row per redraw), and a
// download waiting on a retry says so in its label, then finishes.
func TestTerminalProgressLine(t *testing.T) {
	media := ms.Handler(ms.RandomBytes(3<<20), ms.Options{Throttle: 4 << 20})
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 2 { // the transfer's first request; the first is the extractor's look
			w.Header().Set("Retry-After", "2")
			http.Error(w, "busy", http.StatusInternalServerError)
			return
		}
		media.ServeHTTP(w, r)
	}))
	defer srv.Close()
	dir := t.TempDir()
	p := newPane(t)
	p.start("-n", "1", "-d", dir, srv.URL+"/media/file.bin")
	screen := p.done()
	if !strings.Contains(screen, "EXIT=0") {
		t.Fatalf("vdl failed:\n%s", screen)
	}
	var bars []string
	for _, l := range strings.Split(screen, "\n") {
		if strings.HasPrefix(l, "file.bin ") {
			bars = append(bars, l)
		}
	}
	if len(bars) != 1 || !strings.Contains(bars[0], "100.0%") || len(bars[0]) >= paneCols {
		t.Errorf("want one final progress row at 100%% within %d columns, got %q in:\n%s", paneCols, bars, screen)
	}
	if !strings.Contains(screen, "vdl: saved "+filepath.Join(dir, "file.bin")) {
		t.Errorf("no saved line:\n%s", screen)
	}
	if strings.Contains(screen, "retry 1 of") {
		t.Errorf("a wait under a drawn bar printed a line of its own:\n%s", screen)
	}
	if raw := p.sent(); !strings.Contains(raw, "file.bin (retrying in") || !strings.Contains(raw, "attempt 1 of 10 after 500 Internal Server Error") {
		t.Errorf("the bar never said it was waiting on a retry; the terminal got:\n%q", raw)
	}
}

// TestTerminalInterrupt: Ctrl-C says what is true: nothing fetched yet,
// or the items done kept, never "progress is saved" when no part is on
// disk.
func TestTerminalInterrupt(t *testing.T) {
	media := ms.Handler(ms.RandomBytes(64<<10), ms.Options{})
	tests := []struct {
		name string
		urls []string
		want string
	}{
		{"nothing fetched", []string{"/hang.mp4"}, "vdl: interrupted before any media was fetched in this run"},
		{"an item done", []string{"/media/file.bin", "/hang.mp4"}, "vdl: interrupted; the items done are kept"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			asked := make(chan struct{})
			var once sync.Once
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/hang.mp4" {
					media.ServeHTTP(w, r)
					return
				}
				once.Do(func() { close(asked) })
				<-r.Context().Done() // never answers, until vdl leaves
			}))
			defer srv.Close()
			args := []string{"-d", t.TempDir()}
			for _, u := range tt.urls {
				args = append(args, srv.URL+u)
			}
			p := newPane(t)
			p.start(args...)
			<-asked
			p.run("send-keys", "C-c")
			screen := p.done()
			if !strings.Contains(screen, "EXIT=130") || !strings.Contains(screen, tt.want) || strings.Contains(screen, "progress is saved") {
				t.Errorf("after Ctrl-C: want %q:\n%s", tt.want, screen)
			}
		})
	}
}

// TestTerminalSeries: a series on a terminal: one line per item start
// and outcome, an archived item in one line, the items numbered once,
// the summary.
func TestTerminalSeries(t *testing.T) {
	_, proxy := startFakeQQ(t, fakeqq.Config{})
	dir := t.TempDir()
	archive := filepath.Join(t.TempDir(), "archive.txt")
	if err := os.WriteFile(archive, []byte("qq "+fakeqq.LongSeriesVid(1)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := newPane(t)
	p.start("--proxy", proxy.URL, "-d", dir, "--download-archive", archive, "-I", "1-3,6", qqLongSeries)
	screen := p.done()
	if !strings.Contains(screen, "EXIT=7") {
		t.Fatalf("want exit 7 (E06 is VIP only):\n%s", screen)
	}
	rows := strings.Split(screen, "\n")
	count := func(sub string) int {
		n := 0
		for _, r := range rows {
			if strings.Contains(r, sub) {
				n++
			}
		}
		return n
	}
	for _, tt := range []struct {
		sub  string
		want int
	}{
		{"[1/4] E01", 1}, // archived: its outcome alone
		{"in the archive; skipping", 1},
		{"[2/4] E02", 1}, // its start (the progress line names the file)
		{"[3/4] E03", 1},
		{"vdl: saved ", 2},
		{"[4/4] E06", 2}, // its start and its refusal
		{"VIP only", 2},  // the refusal and the summary's line
		{"vdl: summary: 2 downloaded, 1 skipped (archive or already on disk), 1 refused, 0 failed", 1},
	} {
		if got := count(tt.sub); got != tt.want {
			t.Errorf("%d rows with %q, want %d:\n%s", got, tt.sub, tt.want, screen)
		}
	}
	for _, r := range rows {
		if len([]rune(r)) > paneCols && !strings.Contains(r, vdlBin) { // the command line typed in wraps
			t.Errorf("a row wider than the pane: %q", r)
		}
	}
}

// TestTerminalFormatTable: -F of an episode whose labels are Chinese:
// on screen every column starts at the same cell in every row (a CJK
// character takes two cells).
func TestTerminalFormatTable(t *testing.T) {
	_, proxy := startFakeQQ(t, fakeqq.Config{})
	p := newPane(t)
	p.start("--proxy", proxy.URL, "-F", qqLegacyEp)
	screen := p.done()
	if !strings.Contains(screen, "EXIT=0") {
		t.Fatalf("-F failed:\n%s", screen)
	}
	var header string
	var rows []string
	for _, r := range strings.Split(screen, "\n") {
		switch {
		case strings.HasPrefix(r, "ID "):
			header = r
		case header != "" && strings.Contains(r, "清"):
			rows = append(rows, r)
		}
	}
	col := runewidth.StringWidth(header[:strings.Index(header, "RESOLUTION")])
	if len(rows) == 0 {
		t.Fatalf("no format rows with a Chinese label:\n%s", screen)
	}
	for _, r := range rows {
		// The cell where RESOLUTION's column starts holds a resolution.
		if cut := runewidth.Truncate(r, col, ""); runewidth.StringWidth(cut) != col || !strings.HasSuffix(cut, " ") {
			t.Errorf("row %q: its RESOLUTION column does not start at cell %d", r, col)
		} else if rest := strings.TrimPrefix(r, cut); rest == "" || rest[0] < '0' || rest[0] > '9' && rest[0] != '-' {
			t.Errorf("row %q: cell %d starts %q, not a resolution", r, col, rest)
		}
	}
}
