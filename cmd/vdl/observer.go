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
	"github.com/vdlproject/vdl/fetch"
)

// consoleObserver shows a download on the console: a progress display
// per transfer and a line per saved or skipped file.
type consoleObserver struct {
	con    *console
	stdout io.Writer // dry-run plans go there
	quiet  bool
	dryRun bool // skipped items are lines of the plan

	mu       sync.Mutex
	active   []*activeTransfer // jobs on the progress line, earliest first
	finished fetch.Progress    // jobs that ended while others stayed on the line
	stopDraw func(cause error) // ends the line's drawing; nil when none
	last     string            // the label of the job that ended the line

	itemsDone  int       // items of the list that ended
	itemsSized int       // of them, the downloaded or skipped: their bytes count
	itemBytes  int64     // the bytes of their files
	listTotal  int       // items in the list (0: not a list)
	listStart  time.Time // when its first item began
}

var (
	_ download.Observer     = (*consoleObserver)(nil)
	_ download.ListObserver = (*consoleObserver)(nil)
)

// ItemStart heads an item of a list: "[3/12] E03 title", and how far
// the list has come.
func (o *consoleObserver) ItemStart(pos, total int, title string) {
	if o.quiet {
		return
	}
	o.mu.Lock()
	done, bytes := o.itemsDone, o.itemBytes
	if o.listTotal == 0 {
		o.listStart = time.Now()
	}
	o.listTotal = total
	o.mu.Unlock()
	if done == 0 {
		o.con.Printf("[%d/%d] %s", pos, total, title)
		return
	}
	o.con.Printf("[%d/%d] %s   (%d of %d done, %s so far)", pos, total, title, done, total, humanBytes(bytes))
}

// ItemDone prints a dry run's plan line, or why an item was not done.
func (o *consoleObserver) ItemDone(pos, total int, r download.ItemReport) {
	o.mu.Lock()
	o.itemsDone++
	if r.Outcome == download.Downloaded || r.Outcome == download.Skipped {
		o.itemBytes += max(r.Bytes, 0)
		o.itemsSized++
	}
	o.mu.Unlock()
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

// Transfer shows a job. Jobs that overlap (a series' next episode
// starting on the connections the current one leaves) share one line:
// the earliest one's label, their bytes summed.
func (o *consoleObserver) Transfer(label string, job download.Progress) func(error) {
	if o.quiet {
		return func(error) {}
	}
	t := &activeTransfer{label: label, job: job}
	o.mu.Lock()
	o.active = append(o.active, t)
	if o.stopDraw == nil {
		pctx, stop := context.WithCancelCause(context.Background())
		drawn := make(chan struct{})
		go func() {
			defer close(drawn)
			showProgress(pctx, o.con, o.label, o, o.listProgress)
		}()
		o.stopDraw = func(cause error) {
			stop(cause)
			<-drawn
		}
	}
	o.mu.Unlock()
	return func(err error) {
		o.mu.Lock()
		for i, x := range o.active {
			if x == t {
				o.active = append(o.active[:i], o.active[i+1:]...)
				break
			}
		}
		o.finished = addProgress(o.finished, job.Progress()) // the line's bytes keep adding up
		if len(o.active) > 0 {
			o.mu.Unlock()
			return
		}
		o.last = label // the final line's
		stopDraw := o.stopDraw
		o.stopDraw = nil
		o.mu.Unlock()
		if err != nil && !errors.Is(err, context.Canceled) {
			stopDraw(errJobFailed) // the error line says it all: no summary line
		} else {
			stopDraw(nil)
		}
		o.mu.Lock()
		o.finished = fetch.Progress{}
		o.mu.Unlock()
	}
}

// activeTransfer is a job being shown.
type activeTransfer struct {
	label string
	job   download.Progress
}

// Progress sums the jobs on the line.
func (o *consoleObserver) Progress() fetch.Progress {
	o.mu.Lock()
	defer o.mu.Unlock()
	p := o.finished
	for _, t := range o.active {
		p = addProgress(p, t.job.Progress())
	}
	return p
}

// label is the earliest job's, and how many more share the line.
func (o *consoleObserver) label() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var l string
	switch len(o.active) {
	case 0:
		return o.last
	case 1:
		l = o.active[0].label
	default:
		l = fmt.Sprintf("%s (+%d)", o.active[0].label, len(o.active)-1)
	}
	return l
}

// listProgress is listProgressLocked under the lock.
func (o *consoleObserver) listProgress() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.listProgressLocked()
}

// listProgressLocked estimates the list's progress: the bytes of the
// items done and in flight, and for the items not begun the mean size of
// those known ("~": an estimate, sizes are known only once an item is
// extracted).
func (o *consoleObserver) listProgressLocked() string {
	if o.listTotal < 2 || len(o.active) == 0 {
		return "" // not a list, or the line's final state: its items are counted elsewhere
	}
	known, done, sized := o.itemBytes, o.itemBytes, o.itemsSized
	for _, t := range o.active {
		p := t.job.Progress()
		if p.Total < 0 {
			return ""
		}
		known += p.Total
		done += p.Done
		sized++
	}
	left := o.listTotal - o.itemsDone - len(o.active)
	if sized == 0 || left < 0 {
		return ""
	}
	est := known + known/int64(sized)*int64(left)
	s := fmt.Sprintf("  | list ~%.0f%%", 100*float64(done)/float64(max(est, 1)))
	if el := time.Since(o.listStart).Seconds(); el > 1 && done > 0 && est > done {
		s += "  ~ETA " + formatETA(time.Duration(float64(est-done)/(float64(done)/el)*float64(time.Second)))
	}
	return s
}

func addProgress(a, b fetch.Progress) fetch.Progress {
	total := a.Total + b.Total
	if a.Total < 0 || b.Total < 0 {
		total = -1
	}
	return fetch.Progress{Done: a.Done + b.Done, Resumed: a.Resumed + b.Resumed, Total: total,
		PartsDone: a.PartsDone + b.PartsDone, Parts: a.Parts + b.Parts, Conns: a.Conns + b.Conns, Refused: a.Refused + b.Refused}
}

func (o *consoleObserver) Skipped(out string) {
	if !o.quiet {
		o.con.Printf("vdl: %s is already downloaded; skipping (use --force to download again)", out)
	}
}

func (o *consoleObserver) Saved(out string) {
	if !o.quiet {
		o.con.Printf("vdl: saved %s", out)
	}
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
