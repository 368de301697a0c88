package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/vdlproject/vdl/download"
)

// consoleObserver shows a run on the console: an item's start and
// outcome in one line each, a progress line while transfers run (the
// run's one summed download.Progress), a line per saved or skipped
// file, the waits before retries, the summary. Events come one at a time
// (download.Observer's contract); the lock guards what the drawing
// goroutine shares.
type consoleObserver struct {
	con      *console
	stdout   io.Writer // dry-run plans go there
	dir      string    // the download folder, for a dry run's total
	quiet    bool
	dryRun   bool // skipped items are lines of the plan
	verbose  bool // waits name the request's URL, not only its host
	progress func() download.Progress

	mu       sync.Mutex
	stopDraw func(cause error) // ends the line's drawing; nil when none
}

var _ download.Observer = (*consoleObserver)(nil)

// Event renders one event of the run.
func (o *consoleObserver) Event(e download.Event) {
	switch e.Kind {
	case download.ItemStarted:
		o.itemStart(e)
	case download.ItemEnded:
		o.itemDone(e.Pos, e.Total, *e.Item)
	case download.TransferStarted:
		if e.Active == 1 {
			o.startLine()
		}
	case download.TransferEnded:
		if e.Active == 0 {
			o.endLine(e.Err)
		}
	case download.FileSkipped:
		if !o.quiet {
			o.con.Printf("vdl: %s is already downloaded; skipping (use --force to download again)", e.File)
		}
	case download.FileSaved:
		if !o.quiet {
			o.con.Printf("vdl: saved %s", e.File)
		}
	case download.Waiting:
		o.waiting(e.Wait)
	case download.Summary:
		o.printSummary(e.Report)
	}
}

// itemStart heads an item of a list: "[3/12] E03 title", and how far
// the list has come.
func (o *consoleObserver) itemStart(e download.Event) {
	if o.quiet {
		return
	}
	if e.Done == 0 {
		o.con.Printf("[%d/%d] %s", e.Pos, e.Total, e.Label)
		return
	}
	o.con.Printf("[%d/%d] %s   (%d of %d done, %s so far)", e.Pos, e.Total, e.Label, e.Done, e.Total, humanBytes(e.DoneBytes))
}

// itemDone prints a dry run's plan line, or why an item was not done.
func (o *consoleObserver) itemDone(pos, total int, r download.ItemReport) {
	switch r.Outcome {
	case download.Planned:
		size := "size unknown"
		if r.Bytes >= 0 {
			size = humanBytes(r.Bytes)
			if r.Approx {
				size = "~" + size
			}
		}
		fmt.Fprintf(o.stdout, "[%d/%d] %s  format %s  %s  -> %s\n", pos, total, safeText(itemName(r)), safeText(r.Format), size, safeText(r.File))
	case download.Refused, download.Failed:
		o.con.Printf("vdl: [%d/%d] %s: %s: %s", pos, total, itemName(r), r.Outcome, r.Reason)
	case download.Skipped:
		switch {
		case o.dryRun:
			// The plan says what the run would skip, by the run's own
			// checks: "skip, on disk" for an episode already complete.
			why := "on disk"
			if r.Reason == download.InArchive {
				why = "in the archive"
			}
			line := fmt.Sprintf("[%d/%d] %s  skip, %s", pos, total, itemName(r), why)
			if r.File != "" {
				line += "  -> " + r.File
			}
			fmt.Fprintln(o.stdout, safeText(line))
		case !o.quiet && r.Reason == download.InArchive:
			o.con.Printf("vdl: [%d/%d] %s: in the archive; skipping", pos, total, itemName(r))
		}
	}
}

// startLine begins drawing the progress line. Jobs that overlap (a
// series' next episode starting on the connections the current one
// leaves) share it: download.Progress sums them.
func (o *consoleObserver) startLine() {
	if o.quiet {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.stopDraw != nil {
		return
	}
	pctx, stop := context.WithCancelCause(context.Background())
	drawn := make(chan struct{})
	go func() {
		defer close(drawn)
		showProgress(pctx, o.con, o.progress)
	}()
	o.stopDraw = func(cause error) {
		stop(cause)
		<-drawn
	}
}

// endLine draws the line's final state once the last job stopped.
func (o *consoleObserver) endLine(err error) {
	o.mu.Lock()
	stopDraw := o.stopDraw
	o.stopDraw = nil
	o.mu.Unlock()
	if stopDraw == nil {
		return
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		stopDraw(errJobFailed) // the error line says it all: no summary line
	} else {
		stopDraw(nil)
	}
}

// drawing says a progress line is being drawn.
func (o *consoleObserver) drawing() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.stopDraw != nil
}

// waiting says that a request waits before its next try: on a terminal
// whose progress line is drawn, the line says it; otherwise one line per
// wait: what failed, which try comes, when. The server is named by its
// host; the whole request (redacted) only with --verbose.
func (o *consoleObserver) waiting(w *download.Wait) {
	if o.quiet || o.con.tty && o.drawing() {
		return
	}
	who := w.Host
	if o.verbose && w.URL != "" || who == "" {
		who = w.URL
	}
	if who != "" {
		who += ": "
	}
	o.con.Printf("vdl: %s%s; retry %d of %d in %s", who, w.Reason, w.Attempt, w.Of, roundWait(w.Delay))
}

// roundWait shows a wait to a tenth of a second below 10 s.
func roundWait(d time.Duration) time.Duration {
	if d < 10*time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Second)
}

// errJobFailed tells the progress display that the job failed.
var errJobFailed = errors.New("job failed")

// stateDir is vdl's own folder for such records: $VDL_STATE_DIR, else the
// platform's state (or config) folder. "" when there is none.
func defaultStateDir() string {
	if d := os.Getenv("VDL_STATE_DIR"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "vdl")
	}
	if runtime.GOOS == "linux" || runtime.GOOS == "freebsd" || runtime.GOOS == "openbsd" {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, ".local", "state", "vdl")
		}
		return ""
	}
	if d, err := os.UserConfigDir(); err == nil {
		return filepath.Join(d, "vdl")
	}
	return ""
}
