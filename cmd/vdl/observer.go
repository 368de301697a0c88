package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"

	"github.com/vdlproject/vdl/download"
)

// consoleObserver shows a download on the console: a progress display
// per transfer and a line per saved or skipped file.
type consoleObserver struct {
	con   *console
	quiet bool
}

var _ download.Observer = (*consoleObserver)(nil)

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
