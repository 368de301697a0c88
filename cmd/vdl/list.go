package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/vdlproject/vdl/download"
	"github.com/vdlproject/vdl/extractors"
)

// parseListFlags reads the playlist and batch flags.
func (o *options) parseListFlags(c *cli.Context) error {
	if s := c.String("items"); s != "" {
		items, err := download.ParseItems(s)
		if err != nil {
			return &usageError{"-I: " + err.Error()}
		}
		o.items = items
	}
	o.archive, o.batchFile, o.dryRun = c.String("download-archive"), c.String("batch-file"), c.Bool("dry-run")
	// Written so that NaN (every comparison false) is refused too, as
	// are the infinities.
	if sec := c.Float64("sleep-interval"); !(sec >= 0 && sec <= 86400) {
		return &usageError{fmt.Sprintf("--sleep-interval %v: want 0 to 86400 seconds", sec)}
	}
	o.sleep = time.Duration(c.Float64("sleep-interval") * float64(time.Second))
	switch {
	case c.Bool("yes-playlist") && c.Bool("no-playlist"):
		return &usageError{"--yes-playlist and --no-playlist contradict each other"}
	case c.Bool("yes-playlist"):
		o.playlist = extractors.PlaylistYes
	case c.Bool("no-playlist"):
		o.playlist = extractors.PlaylistNo
	}
	return nil
}

// maxBatchBytes bounds a batch file: a million URLs.
const maxBatchBytes = 64 << 20

// readBatch reads URLs one per line; blank lines and lines starting with
// #, ; or ] are skipped (yt-dlp's rule). "-" is standard input.
func readBatch(path string, stdin io.Reader) ([]string, error) {
	r := stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, &usageError{"--batch-file: " + err.Error()}
		}
		defer f.Close()
		r = f
	}
	lr := &io.LimitedReader{R: r, N: maxBatchBytes + 1}
	sc := bufio.NewScanner(lr)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var urls []string
	for sc.Scan() {
		line := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\uFEFF"))
		if line == "" || strings.ContainsAny(line[:1], "#;]") {
			continue
		}
		urls = append(urls, line)
	}
	if lr.N <= 0 {
		return nil, &usageError{fmt.Sprintf("--batch-file: over %d MiB", maxBatchBytes>>20)}
	}
	if err := sc.Err(); err != nil {
		return nil, &usageError{"--batch-file: " + err.Error()}
	}
	if len(urls) == 0 && path == "-" && isDevNull(stdin) {
		// The Go runtime puts /dev/null in place of a closed descriptor
		// 0, so a closed standard input reads as empty: say what it is,
		// not "no URL".
		return nil, &usageError{"--batch-file -: standard input is closed (or /dev/null): nothing to read"}
	}
	return urls, nil
}

// isDevNull says whether r is the null device (what a closed standard
// input becomes).
func isDevNull(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	if err != nil {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err == nil && os.SameFile(st, null)
}

// partialError is a list run where some items were done and others not.
type partialError struct{ done, refused, failed int }

func (e *partialError) Error() string {
	return fmt.Sprintf("partly done: %d items done, %d refused, %d failed (see the summary above)", e.done, e.refused, e.failed)
}

// listResult decides a list run's result from its report: nil when
// every item is done, a partialError when some are, else the first
// item's error (its own exit code). The summary has been shown.
func listResult(rep *download.Report) error {
	done := rep.Count(download.Downloaded) + rep.Count(download.Skipped) + rep.Count(download.Planned)
	refused, failed := rep.Count(download.Refused), rep.Count(download.Failed)
	switch {
	case len(rep.Items) == 0 && len(rep.Notes) > 0:
		return errSummarised{&usageError{rep.Notes[0]}} // nothing was selected anywhere
	case refused+failed == 0:
		return nil
	case done > 0:
		return &partialError{done, refused, failed}
	}
	return errSummarised{rep.FirstError()}
}

// printSummary ends a list: a dry run's total, the counts, a line per
// item refused or failed (or done with something missing), the notes,
// the journal.
func (o *consoleObserver) printSummary(rep *download.Report) {
	if o.dryRun {
		o.printPlanTotal(rep)
	}
	refused, failed := rep.Count(download.Refused), rep.Count(download.Failed)
	o.con.Printf("vdl: summary: %d downloaded, %d skipped (archive or already on disk), %d refused, %d failed",
		rep.Count(download.Downloaded), rep.Count(download.Skipped), refused, failed)
	for _, it := range rep.Items {
		if it.Outcome == download.Refused || it.Outcome == download.Failed {
			o.con.Printf("vdl:   %s: %s: %s", itemName(it), it.Outcome, it.Reason)
			continue
		}
		for _, n := range it.Notes {
			o.con.Printf("vdl:   %s: %s", itemName(it), n) // done, with what it lacks
		}
	}
	for _, n := range rep.Notes {
		o.con.Printf("vdl:   %s", n)
	}
	if rep.Journal != "" {
		o.con.Printf("vdl: journal: %s", rep.Journal)
	}
}

// errSummarised is a list's error whose items the summary already named:
// only its exit code is left to give.
type errSummarised struct{ err error }

func (e errSummarised) Error() string { return e.err.Error() }
func (e errSummarised) Unwrap() error { return e.err }

// itemName is how the summary names an item: "E06 title", else its title.
func itemName(it download.ItemReport) string {
	if it.Episode > 0 {
		return fmt.Sprintf("E%02d %s", it.Episode, it.Title)
	}
	if it.Title != "" {
		return it.Title
	}
	return fmt.Sprintf("item %d", it.Index)
}

// printPlanTotal ends a dry run: the bytes in all and the free space.
func (o *consoleObserver) printPlanTotal(rep *download.Report) {
	var sum int64
	unknown, approx := 0, false
	for _, it := range rep.Items {
		switch {
		case it.Outcome != download.Planned:
		case it.Bytes < 0:
			unknown++
		default:
			sum += it.Bytes
			approx = approx || it.Approx
		}
	}
	total := humanBytes(sum)
	if approx {
		total = "~" + total
	}
	if unknown > 0 {
		total += fmt.Sprintf(" (and %d of unknown size)", unknown)
	}
	free := "unknown"
	if rep.Free >= 0 {
		free = humanBytes(rep.Free)
	}
	if n := rep.Count(download.Skipped); n > 0 {
		total += fmt.Sprintf(" (%d more skipped: on disk or in the archive)", n)
	}
	fmt.Fprintf(o.stdout, "total: %d items, %s; free space in %s: %s\n", rep.Count(download.Planned), total, o.dir, free)
}
