package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"github.com/vdlproject/vdl/download"
)

// consoleObserver shows a download on the console: a progress display
// per transfer and a line per saved or skipped file.
type consoleObserver struct {
	con    *console
	stdout io.Writer // dry-run plans go there
	quiet  bool
}

var (
	_ download.Observer     = (*consoleObserver)(nil)
	_ download.ListObserver = (*consoleObserver)(nil)
)

// ItemStart heads an item of a list: "[3/12] E03 title".
func (o *consoleObserver) ItemStart(pos, total int, title string) {
	if !o.quiet {
		o.con.Printf("[%d/%d] %s", pos, total, title)
	}
}

// ItemDone prints a dry run's plan line, or why an item was not done.
func (o *consoleObserver) ItemDone(pos, total int, r download.ItemReport) {
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
		if !o.quiet && r.Reason == "in the archive" {
			o.con.Printf("vdl: [%d/%d] %s: in the archive; skipping", pos, total, itemName(r))
		}
	}
}

func (o *consoleObserver) Transfer(label string, job download.Progress) func(error) {
	if o.quiet {
		return func(error) {}
	}
	pctx, stop := context.WithCancelCause(context.Background())
	drawn := make(chan struct{})
	go func() {
		defer close(drawn)
		showProgress(pctx, o.con, label, job)
	}()
	return func(err error) {
		if err != nil && !errors.Is(err, context.Canceled) {
			stop(errJobFailed) // the error line says it all: no summary line
		} else {
			stop(nil)
		}
		<-drawn
	}
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
