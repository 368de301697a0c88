package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/vdlproject/vdl/download"
	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/fetch"
	"github.com/vdlproject/vdl/request"
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

// listOptions opens the archive and the journal of a list run. Both are
// checked here, before the list asks anything about an item: an archive
// or a journal that cannot be written (a link, a folder, a file without
// write permission) is one line and exit 5 now, not after the first
// episode has downloaded. A dry run writes neither: the archive is only
// read, and there is no journal.
func (a *app) listOptions() (download.ListOptions, error) {
	lo := download.ListOptions{Items: a.opts.items, DryRun: a.opts.dryRun, SleepInterval: a.opts.sleep}
	if a.opts.archive != "" {
		if !a.opts.dryRun {
			if err := download.CheckAppendable(a.opts.archive, "download archive"); err != nil {
				return lo, err
			}
		}
		arc, err := download.OpenArchive(a.opts.archive)
		if err != nil {
			return lo, err
		}
		lo.Archive = arc
	}
	if !a.opts.dryRun {
		if err := os.MkdirAll(a.opts.dir, 0o755); err != nil {
			return lo, &download.DiskError{Err: err}
		}
		j, err := download.OpenJournal(filepath.Join(a.opts.dir, download.JournalName), time.Now())
		if err != nil {
			return lo, err
		}
		lo.Journal = j
	}
	return lo, nil
}

// runBatch handles several URLs (arguments or a batch file) as one list:
// each URL's media or series in turn, continuing past refusals and
// failures, then the summary.
func (a *app) runBatch(ctx context.Context, urls []string) error {
	lo, err := a.listOptions()
	if err != nil {
		return err
	}
	total := &download.Report{}
	if err := a.batchItems(ctx, urls, lo, total); err != nil {
		return a.stopList(total, lo, err)
	}
	return a.finishList(total, lo)
}

// batchItems runs a batch's URLs in turn, adding each item's report to
// total; the error is one that stops the list (see download.List).
func (a *app) batchItems(ctx context.Context, urls []string, lo download.ListOptions, total *download.Report) error {
	for i, raw := range urls {
		// The line is the user's, and may hold a password: it is shown
		// and recorded redacted, as a URL (also when it does not parse).
		label := request.Redact(raw)
		a.itemStart(i+1, len(urls), label)
		if r, ok, err := a.dl.Archived(raw, i+1, lo); ok {
			// Known from the URL alone: no request about it.
			total.Items = append(total.Items, r)
			if err != nil {
				return err
			}
			a.itemDone(i+1, len(urls), r)
			continue
		}
		res, err := a.extractURL(ctx, raw)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			r, rerr := a.dl.Failure(i+1, label, err, lo)
			total.Items = append(total.Items, r)
			if rerr != nil {
				return rerr
			}
			a.itemDone(i+1, len(urls), r)
			continue
		}
		if res.Playlist != nil {
			rep, err := a.dl.List(ctx, res.Playlist, lo)
			if rep != nil {
				total.Items = append(total.Items, rep.Items...)
			}
			var none *download.NoneSelectedError
			if errors.As(err, &none) {
				// One series of the batch has nothing to take: a line in
				// the summary, and the others go on.
				total.Notes = append(total.Notes, fmt.Sprintf("%s: %v", orDash(res.Playlist.Title), err))
				continue
			}
			if err != nil {
				return err
			}
			continue
		}
		for _, m := range res.Media {
			r, err := a.dl.Item(ctx, m, i+1, lo)
			total.Items = append(total.Items, r) // done even when its record failed
			if err != nil {
				return err
			}
			a.itemDone(i+1, len(urls), r)
		}
	}
	return nil
}

// stopList ends a list that an error stopped (a record that cannot be
// written, an interruption): the summary of what was done first, never a
// list without one; the error then gives the exit code.
func (a *app) stopList(rep *download.Report, lo download.ListOptions, err error) error {
	if rep != nil {
		_ = a.finishList(rep, lo)
	}
	return err
}

// runPlaylist downloads a series (or any playlist) and sums it up.
func (a *app) runPlaylist(ctx context.Context, pl *extractors.Playlist) error {
	picked, err := a.opts.items.Pick(len(pl.Entries))
	if err != nil {
		return fmt.Errorf("%s: %w", orDash(pl.Title), err) // before any file is opened or item asked for
	}
	if a.opts.output != "" && !strings.Contains(a.opts.output, "%(") && len(picked) > 1 {
		return &usageError{fmt.Sprintf("-o names one file, but %d items of %s are to be downloaded; use -d, or a template such as '%%(series)s/%%(episode)02d %%(title)s.%%(ext)s'",
			len(picked), safeText(pl.Title))}
	}
	lo, err := a.listOptions()
	if err != nil {
		return err
	}
	rep, err := a.dl.List(ctx, pl, lo)
	if err != nil {
		return a.stopList(rep, lo, err)
	}
	return a.finishList(rep, lo)
}

// extractURL checks a URL and extracts it.
func (a *app) extractURL(ctx context.Context, raw string) (*extractors.Result, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, &usageError{fmt.Sprintf("%q is not a URL (want http:// or https://)", request.Redact(raw))}
	}
	return a.dl.Extract(ctx, u)
}

// partialError is a list run where some items were done and others not.
type partialError struct{ done, refused, failed int }

func (e *partialError) Error() string {
	return fmt.Sprintf("partly done: %d items done, %d refused, %d failed (see the summary above)", e.done, e.refused, e.failed)
}

// finishList prints the summary and decides the run's result: nil when
// every item is done, a partialError when some are, else the first
// item's error (its own exit code).
func (a *app) finishList(rep *download.Report, lo download.ListOptions) error {
	rep = ended(rep)
	done := rep.Count(download.Downloaded) + rep.Count(download.Skipped) + rep.Count(download.Planned)
	refused, failed := rep.Count(download.Refused), rep.Count(download.Failed)
	if a.opts.dryRun {
		a.printPlanTotal(rep)
	}
	a.con.Printf("vdl: summary: %d downloaded, %d skipped (archive or already on disk), %d refused, %d failed",
		rep.Count(download.Downloaded), rep.Count(download.Skipped), refused, failed)
	for _, it := range rep.Items {
		if it.Outcome == download.Refused || it.Outcome == download.Failed {
			a.con.Printf("vdl:   %s: %s: %s", itemName(it), it.Outcome, it.Reason)
		}
		if it.Outcome != download.Refused && it.Outcome != download.Failed {
			for _, n := range it.Notes {
				a.con.Printf("vdl:   %s: %s", itemName(it), n) // done, with what it lacks
			}
		}
	}
	for _, n := range rep.Notes {
		a.con.Printf("vdl:   %s", n)
	}
	if lo.Journal != nil && len(rep.Items) > 0 {
		a.con.Printf("vdl: journal: %s", lo.Journal.Path())
	}
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

// ended is rep without the items that did not end: not begun, or
// stopped by an interruption (neither done nor failed; the rerun
// resumes them).
func ended(rep *download.Report) *download.Report {
	out := &download.Report{Title: rep.Title, Notes: rep.Notes}
	for _, it := range rep.Items {
		if it.Outcome == "" || errors.Is(it.Err, context.Canceled) {
			continue
		}
		out.Items = append(out.Items, it)
	}
	return out
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
func (a *app) printPlanTotal(rep *download.Report) {
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
	if n, ok := fetch.FreeSpace(a.opts.dir); ok {
		free = humanBytes(n)
	}
	if n := rep.Count(download.Skipped); n > 0 {
		total += fmt.Sprintf(" (%d more skipped: on disk or in the archive)", n)
	}
	fmt.Fprintf(a.stdout, "total: %d items, %s; free space in %s: %s\n", rep.Count(download.Planned), total, a.opts.dir, free)
}

// itemStart and itemDone show a batch's items as List shows a playlist's.
func (a *app) itemStart(pos, total int, title string)         { a.obs.ItemStart(pos, total, title) }
func (a *app) itemDone(pos, total int, r download.ItemReport) { a.obs.ItemDone(pos, total, r) }
