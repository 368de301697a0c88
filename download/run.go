package download

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/fetch"
	"github.com/vdlproject/vdl/request"
)

// Inputs is what a run downloads, and how a list of it is taken.
type Inputs struct {
	// URLs are the command line's, then a batch file's lines (each a page,
	// a playlist or a media URL).
	URLs []string
	// Batch makes the URLs a list even when there is one (a batch file
	// was given): each in turn, past refusals and failures, a summary.
	Batch bool

	Items         Items         // which positions of a playlist; zero value: all
	Archive       string        // --download-archive: finished items, skipped before any request
	DryRun        bool          // resolve and plan, write nothing, fetch no media
	SleepInterval time.Duration // wait between items that asked the site anything
}

// UsageError is an input the user must change (a line that is no URL,
// -o naming one file for several items). (Exit code 2.)
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Run downloads the inputs: one URL as one download (its error is the
// run's), a playlist or several URLs as a list (items numbered in one
// sequence across the run, a Summary event at the end, Report.List set).
// The error is what stopped the run: a cancellation, an input to
// change, a local failure that would fail every item, or the one
// download's failure; the report holds what ended, also with an error.
func (d *Downloader) Run(ctx context.Context, in Inputs) (*Report, error) {
	if len(in.URLs) > 1 || in.Batch {
		return d.runBatch(ctx, in)
	}
	rep := &Report{}
	err := d.runOne(ctx, in, in.URLs[0], rep)
	rep.Kept = d.state.keptBytes()
	return rep, err
}

// runOne runs a single URL of the command line.
func (d *Downloader) runOne(ctx context.Context, in Inputs, raw string, rep *Report) error {
	if !in.DryRun {
		// The run's own files are checked before the first request,
		// series or not: the archive, and the journal's name (a list
		// writes one; the URL may be a series).
		if in.Archive != "" {
			if err := checkAppendable(in.Archive, "download archive"); err != nil {
				return err
			}
		}
		if err := checkJournal(d.opts.Dir); err != nil {
			return err
		}
	}
	res, err := d.extractLine(ctx, raw)
	if err != nil {
		return err
	}
	if res.Playlist != nil {
		return d.runPlaylist(ctx, in, res.Playlist, rep)
	}
	for _, m := range res.Media {
		if err := d.runMedia(ctx, in, m, rep); err != nil {
			return err
		}
	}
	return nil
}

// runPlaylist runs the series (or any playlist) a single URL gave, as a
// list.
func (d *Downloader) runPlaylist(ctx context.Context, in Inputs, pl *extractors.Playlist, rep *Report) error {
	picked, err := in.Items.Pick(len(pl.Entries))
	if err != nil {
		return fmt.Errorf("%s: %w", orDash(pl.Title), err) // before any file is opened or item asked for
	}
	if d.opts.Output != "" && !isTemplate(d.opts.Output) && len(picked) > 1 {
		return &UsageError{fmt.Sprintf("-o names one file, but %d items of %s are to be downloaded; use -d, or a template such as '%%(series)s/%%(episode)02d %%(title)s.%%(ext)s'",
			len(picked), pl.Title)}
	}
	lo, err := d.openList(in)
	if err != nil {
		return err
	}
	rep.List, rep.Title = true, pl.Title
	lrep, err := d.list(ctx, pl, lo, &numbering{total: len(picked)})
	rep.Items = lrep.Items
	d.summarise(rep, lo, in)
	return err
}

// runMedia downloads one media a single URL gave: its error is the
// run's. With an archive or a dry run it is a list of one (the archive
// and the plan apply), without a summary.
func (d *Downloader) runMedia(ctx context.Context, in Inputs, m *extractors.Media, rep *Report) error {
	if !in.DryRun && in.Archive == "" {
		done, err := d.media(ctx, &task{m: m})
		if err != nil {
			return err
		}
		r := ItemReport{Index: 1, Site: m.Site, ID: m.ID, Title: m.Title, Episode: m.Episode, File: done.File, Outcome: Downloaded}
		if done.Skipped {
			r.Outcome, r.Reason = Skipped, OnDisk
		}
		rep.Items = append(rep.Items, r)
		return nil
	}
	lo, err := d.openList(in)
	if err != nil {
		return err
	}
	r := d.fetchItem(ctx, &task{m: m}, ItemReport{Index: 1}, lo)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	rep.Items = append(rep.Items, r)
	if err := d.record(r, lo); err != nil {
		return err
	}
	d.itemDone(1, 1, r)
	if r.Err != nil {
		return r.Err
	}
	if in.DryRun {
		rep.Free = freeSpace(d.opts.Dir)
	}
	return nil
}

// runBatch handles several URLs (arguments or a batch file) as one list:
// each URL's media or series in turn, continuing past refusals and
// failures, then the summary.
func (d *Downloader) runBatch(ctx context.Context, in Inputs) (*Report, error) {
	rep := &Report{List: true}
	lo, err := d.openList(in)
	if err != nil {
		return rep, err
	}
	err = d.batchItems(ctx, in.URLs, lo, rep)
	d.summarise(rep, lo, in)
	return rep, err
}

// batchItems runs a batch's URLs in turn, adding each item's report to
// rep; the error is one that stops the list (see list). A series of the
// batch takes its place in the run's numbering: its items are items of
// the run.
func (d *Downloader) batchItems(ctx context.Context, urls []string, lo listOptions, rep *Report) error {
	num := &numbering{total: len(urls)}
	for _, raw := range urls {
		if err := d.batchLine(ctx, raw, lo, num, rep); err != nil {
			return err
		}
	}
	return nil
}

// batchLine runs one line of a batch: a media, or a series whose items
// take the line's place in the numbering.
func (d *Downloader) batchLine(ctx context.Context, raw string, lo listOptions, num *numbering, rep *Report) error {
	pos := num.next()
	// The line is the user's, and may hold a password: it is shown and
	// recorded redacted, as a URL (also when it does not parse).
	label := request.Redact(raw)
	if r, ok, err := d.archived(raw, pos, lo); ok {
		// Known from the URL alone: no request about it, and one line,
		// its outcome.
		rep.Items = append(rep.Items, r)
		if err == nil {
			d.itemDone(pos, num.total, r)
		}
		return err
	}
	d.itemStart(pos, num.total, label)
	res, err := d.extractLine(ctx, raw)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r := fail(ItemReport{Index: pos, Title: label}, err)
		rep.Items = append(rep.Items, r)
		if err := d.record(r, lo); err != nil {
			return err
		}
		d.itemDone(pos, num.total, r)
		return nil
	}
	if pl := res.Playlist; pl != nil {
		num.expand(pl, lo.Items)
		lrep, err := d.list(ctx, pl, lo, num)
		rep.Items = append(rep.Items, lrep.Items...)
		var none *NoneSelectedError
		if errors.As(err, &none) {
			// One series of the batch has nothing to take: a line in the
			// summary, and the others go on.
			rep.Notes = append(rep.Notes, fmt.Sprintf("%s: %v", orDash(pl.Title), err))
			return nil
		}
		return err
	}
	for _, m := range res.Media {
		r := d.fetchItem(ctx, &task{m: m}, ItemReport{Index: pos}, lo)
		rep.Items = append(rep.Items, r) // done even when its record failed
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err := d.record(r, lo); err != nil {
			return err
		}
		d.itemDone(pos, num.total, r)
	}
	return nil
}

// numbering is the run's one sequence of item positions: a batch's
// lines, a series' picked items in place of its line.
type numbering struct {
	base  int // positions taken before the current list
	total int
}

// next takes the next position.
func (n *numbering) next() int {
	n.base++
	return n.base
}

// expand puts a series' picked items in place of its batch line (whose
// position next has taken); a series none of whose items is picked keeps
// its line's position.
func (n *numbering) expand(pl *extractors.Playlist, items Items) {
	if picked, err := items.Pick(len(pl.Entries)); err == nil {
		n.total += len(picked) - 1
		n.base--
	}
}

// extractLine checks a URL of the input and extracts it.
func (d *Downloader) extractLine(ctx context.Context, raw string) (*extractors.Result, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, &UsageError{fmt.Sprintf("%q is not a URL (want http:// or https://)", request.Redact(raw))}
	}
	return d.Extract(ctx, u)
}

// openList opens the archive and the journal of a list run. Both are
// checked here, before the list asks anything about an item: an archive
// or a journal that cannot be written (a link, a folder, a file without
// write permission) is one line and exit 5 now, not after the first
// episode has downloaded. A dry run writes neither: the archive is only
// read, and there is no journal.
func (d *Downloader) openList(in Inputs) (listOptions, error) {
	lo := listOptions{Items: in.Items, DryRun: in.DryRun, SleepInterval: in.SleepInterval}
	if in.Archive != "" && !d.opts.Danmaku.Only { // comments only: archived items too, and nothing recorded
		if !in.DryRun {
			if err := checkAppendable(in.Archive, "download archive"); err != nil {
				return lo, err
			}
		}
		arc, err := openArchive(in.Archive)
		if err != nil {
			return lo, err
		}
		lo.Archive = arc
	}
	if lo.Archive != nil && (d.opts.Library.NFO || d.opts.Library.InfoJSON) {
		lo.lacksSidecars = d.lacksSidecars(journalFiles(filepath.Join(d.opts.Dir, journalName)))
	}
	if !in.DryRun {
		if err := os.MkdirAll(d.opts.Dir, 0o755); err != nil {
			return lo, &DiskError{Err: err}
		}
		j, err := openJournal(filepath.Join(d.opts.Dir, journalName), time.Now())
		if err != nil {
			return lo, err
		}
		lo.Journal = j
	}
	return lo, nil
}

// summarise keeps in rep only the items that ended (not begun, or
// stopped by an interruption: neither done nor failed, the rerun resumes
// them), adds what the summary shows, and tells the observer.
func (d *Downloader) summarise(rep *Report, lo listOptions, in Inputs) {
	kept := rep.Items[:0:0]
	for _, it := range rep.Items {
		if it.Outcome == "" || errors.Is(it.Err, context.Canceled) {
			continue
		}
		kept = append(kept, it)
	}
	rep.Items = kept
	if lo.Journal != nil && len(rep.Items) > 0 {
		rep.Journal = lo.Journal.Path()
	}
	if in.DryRun {
		rep.Free = freeSpace(d.opts.Dir)
	}
	rep.Kept = d.state.keptBytes()
	d.emit(Event{Kind: Summary, Report: rep})
}

// freeSpace is the free space of dir, -1 when unknown.
func freeSpace(dir string) int64 {
	if n, ok := fetch.FreeSpace(dir); ok {
		return n
	}
	return -1
}

// itemStart reports an item's start, with how far the list has come.
func (d *Downloader) itemStart(pos, total int, label string) {
	done, bytes := d.listBegins(total)
	d.emit(Event{Kind: ItemStarted, Pos: pos, Total: total, Label: label, Done: done, DoneBytes: bytes})
}

// itemDone reports an item's end, with the list's figures kept.
func (d *Downloader) itemDone(pos, total int, r ItemReport) {
	d.itemEnded(r)
	d.emit(Event{Kind: ItemEnded, Pos: pos, Total: total, Item: &r})
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
