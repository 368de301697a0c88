package main

import (
	"bufio"
	"context"
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
	sec := c.Float64("sleep-interval")
	if sec < 0 || sec > 86400 {
		return &usageError{"--sleep-interval: want 0 to 86400 seconds"}
	}
	o.sleep = time.Duration(sec * float64(time.Second))
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
	return urls, nil
}

// listOptions opens the archive and the journal of a list run.
func (a *app) listOptions() (download.ListOptions, error) {
	lo := download.ListOptions{Items: a.opts.items, DryRun: a.opts.dryRun, SleepInterval: a.opts.sleep}
	if a.opts.archive != "" {
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
		lo.Journal = download.OpenJournal(filepath.Join(a.opts.dir, download.JournalName), time.Now())
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
	for i, raw := range urls {
		a.itemStart(i+1, len(urls), raw)
		res, err := a.extractURL(ctx, raw)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			r, rerr := a.dl.Failure(i+1, raw, err, lo)
			if rerr != nil {
				return rerr
			}
			a.itemDone(i+1, len(urls), r)
			total.Items = append(total.Items, r)
			continue
		}
		if res.Playlist != nil {
			rep, err := a.dl.List(ctx, res.Playlist, lo)
			if rep != nil {
				total.Items = append(total.Items, rep.Items...)
			}
			if err != nil {
				return err
			}
			continue
		}
		for _, m := range res.Media {
			r, err := a.dl.Item(ctx, m, i+1, lo)
			if err != nil {
				return err
			}
			a.itemDone(i+1, len(urls), r)
			total.Items = append(total.Items, r)
		}
	}
	return a.finishList(total, lo)
}

// runPlaylist downloads a series (or any playlist) and sums it up.
func (a *app) runPlaylist(ctx context.Context, pl *extractors.Playlist) error {
	picked := 0
	for i := range pl.Entries {
		if a.opts.items.Has(i + 1) {
			picked++
		}
	}
	if a.opts.output != "" && !strings.Contains(a.opts.output, "%(") && picked > 1 {
		return &usageError{fmt.Sprintf("-o names one file, but %d items of %s are to be downloaded; use -d, or a template such as '%%(series)s/%%(episode)02d %%(title)s.%%(ext)s'",
			picked, safeText(pl.Title))}
	}
	lo, err := a.listOptions()
	if err != nil {
		return err
	}
	rep, err := a.dl.List(ctx, pl, lo)
	if err != nil {
		return err
	}
	return a.finishList(rep, lo)
}

// extractURL checks a URL and extracts it.
func (a *app) extractURL(ctx context.Context, raw string) (*extractors.Result, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, &usageError{fmt.Sprintf("%q is not a URL (want http:// or https://)", raw)}
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
	}
	if lo.Journal != nil && len(rep.Items) > 0 {
		a.con.Printf("vdl: journal: %s", lo.Journal.Path())
	}
	switch {
	case refused+failed == 0:
		return nil
	case done > 0:
		return &partialError{done, refused, failed}
	}
	return errSummarised{rep.FirstError()}
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
	fmt.Fprintf(a.stdout, "total: %d items, %s; free space in %s: %s\n", rep.Count(download.Planned), total, a.opts.dir, free)
}

// itemStart and itemDone show a batch's items as List shows a playlist's.
func (a *app) itemStart(pos, total int, title string)         { a.obs.ItemStart(pos, total, title) }
func (a *app) itemDone(pos, total int, r download.ItemReport) { a.obs.ItemDone(pos, total, r) }
