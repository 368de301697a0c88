package download

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/fetch"
	"github.com/vdlproject/vdl/request"
)

// listOptions tune a list run (Inputs, with the archive and the journal
// opened).
type listOptions struct {
	Items   Items            // which positions; zero value: all
	Archive *downloadArchive // finished items, skipped before any request about them
	Journal *journal         // one line per item; nil: none
	DryRun  bool             // resolve and plan, write nothing, fetch no media
	// SleepInterval waits between items that asked the site anything.
	SleepInterval time.Duration
	// lacksSidecars, if set, says an archived item's file lacks a library
	// sidecar the run asks for: it is taken again (rerun.go).
	lacksSidecars func(site, id string) bool
}

// list downloads the selected entries of a playlist, numbered after
// num's base (the run's one sequence). An item that is
// refused or fails does not stop the others; items that failed for
// network reasons get one more try at the end. Items overlap: the next
// ones are extracted ahead, and the next one's transfer starts once this
// one's has begun, on the connections this one cannot use (fetch.Slots:
// the earlier item always comes first). The returned error is only a
// cancellation, a local failure that would fail every item (the
// archive or the journal cannot be written), or a NoneSelectedError (the
// -I spec selects no entry; nothing is asked). The report holds the
// items that ended, also with an error.
func (d *Downloader) list(ctx context.Context, pl *extractors.Playlist, lo listOptions, num *numbering) (*Report, error) {
	picked, err := lo.Items.Pick(len(pl.Entries))
	if err != nil {
		return &Report{Title: pl.Title}, err
	}
	lr := &listRun{d: d, pl: pl, lo: lo, picked: picked, slots: fetch.NewSlots(max(d.opts.Connections, 1)),
		base: num.base, total: num.total}
	num.base += len(picked)
	var stop func()
	lr.pf, stop = newPrefetcher(ctx, d)
	defer stop()
	rep := &Report{Title: pl.Title}
	items, err := lr.firstPass(ctx)
	rep.Items = items
	if err != nil {
		return rep, err
	}
	// One more try for what the network failed, now that the rest is done.
	for k, r := range rep.Items {
		if r.Outcome != Failed || !request.Retryable(r.Err) {
			continue
		}
		d.log.Warn("trying again an item that failed for network reasons", "item", r.Index, "err", r.Err)
		again, err := lr.run(ctx, k, false)
		if err != nil {
			return rep, err
		}
		rep.Items[k] = again
	}
	return rep, nil
}

// listRun is one run of List.
type listRun struct {
	d      *Downloader
	pl     *extractors.Playlist
	lo     listOptions
	picked []int // entry indexes, in order
	base   int   // positions of the run taken before the list's
	total  int   // the run's items
	pf     *prefetcher
	slots  *fetch.Slots
	asked  atomic.Bool // some request was made (for --sleep-interval)
}

// maxOverlap bounds the items in flight at once.
const maxOverlap = 2

// firstPass runs every picked item once, overlapping them unless a
// dry run, --sleep-interval or Sequential asks for one at a time.
func (lr *listRun) firstPass(ctx context.Context) ([]ItemReport, error) {
	results := make([]ItemReport, len(lr.picked))
	if lr.lo.DryRun || lr.lo.SleepInterval > 0 || lr.d.opts.Sequential {
		for k := range lr.picked {
			r, err := lr.run(ctx, k, true)
			results[k] = r
			if err != nil {
				return results[:k+1], err
			}
		}
		return results, nil
	}
	g, gctx := errgroup.WithContext(ctx)
	inFlight := make(chan struct{}, maxOverlap)
	prev := closedSignal()
	for k := range lr.picked {
		started := &signal{ch: make(chan struct{})}
		select {
		case <-prev.ch: // the previous item transfers: its connections are taken first
		case <-gctx.Done():
		}
		select {
		case inFlight <- struct{}{}:
		case <-gctx.Done():
		}
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			defer func() { <-inFlight }()
			r, err := lr.runWith(gctx, k, true, started)
			results[k] = r
			return err
		})
		prev = started
	}
	if err := g.Wait(); err != nil {
		return results, err
	}
	return results, ctx.Err()
}

func (lr *listRun) run(ctx context.Context, k int, first bool) (ItemReport, error) {
	return lr.runWith(ctx, k, first, nil)
}

// runWith runs picked item k; started (if any) fires when its transfer
// begins, or when it ends without one.
func (lr *listRun) runWith(ctx context.Context, k int, first bool, started *signal) (ItemReport, error) {
	defer started.fire()
	i := lr.picked[k]
	e := lr.pl.Entries[i]
	if lr.asked.Load() && lr.lo.SleepInterval > 0 {
		if err := lr.d.opts.Client.Policy.Wait(ctx, lr.lo.SleepInterval); err != nil {
			return ItemReport{}, err
		}
	}
	pos := lr.base + k + 1
	if !lr.archived(e) {
		// An item in the archive has one line, its outcome.
		lr.d.itemStart(pos, lr.total, entryLabel(lr.pl, e))
	}
	if first {
		lr.ahead(k)
	}
	r, didAsk := lr.d.item(ctx, lr, e, i, started, fmt.Sprintf("[%d/%d] ", pos, lr.total))
	if didAsk {
		lr.asked.Store(true)
	}
	if ctx.Err() != nil {
		return r, ctx.Err()
	}
	if err := lr.d.record(r, lr.lo); err != nil {
		return r, err
	}
	lr.d.itemDone(pos, lr.total, r)
	return r, nil
}

// ahead starts the extraction of the items after k (not under
// --sleep-interval, whose point is one request at a time, nor when asked
// to run strictly in turn).
func (lr *listRun) ahead(k int) {
	if lr.lo.SleepInterval > 0 || lr.d.opts.Sequential {
		return
	}
	for _, i := range lr.picked[k+1 : min(k+1+prefetchAhead, len(lr.picked))] {
		e := lr.pl.Entries[i]
		if lr.archived(e) {
			continue // never asked about
		}
		if u, err := url.Parse(e.URL); err == nil {
			lr.pf.start(i, u)
		}
	}
}

// archived says the archive has the entry, known before any request.
func (lr *listRun) archived(e extractors.Entry) bool {
	return lr.lo.skipsArchived(lr.pl.Site, e.ID)
}

// signal is closed once, by whoever comes first.
type signal struct {
	ch   chan struct{}
	once sync.Once
}

func (s *signal) fire() {
	if s != nil {
		s.once.Do(func() { close(s.ch) })
	}
}

func closedSignal() *signal {
	s := &signal{ch: make(chan struct{})}
	s.fire()
	return s
}

// record writes an item's outcome to the archive and the journal.
func (d *Downloader) record(r ItemReport, lo listOptions) error {
	if lo.Archive != nil && !lo.DryRun && (r.Outcome == Downloaded || r.Outcome == Skipped && r.Reason != InArchive) && r.ID != "" {
		if err := lo.Archive.Add(r.Site, r.ID); err != nil {
			return err
		}
	}
	if lo.Journal != nil && !lo.DryRun {
		return lo.Journal.Add(r)
	}
	return nil
}

// item runs one entry; asked says whether any request was made.
func (d *Downloader) item(ctx context.Context, lr *listRun, e extractors.Entry, i int, started *signal, tag string) (ItemReport, bool) {
	pl, lo, pf := lr.pl, lr.lo, lr.pf
	pos := i + 1
	r := ItemReport{Index: pos, Site: pl.Site, ID: e.ID, Episode: e.Episode, Title: e.Title}
	if lo.skipsArchived(pl.Site, e.ID) {
		r.Outcome, r.Reason = Skipped, InArchive
		return r, false
	}
	u, err := url.Parse(e.URL)
	if err != nil {
		return fail(r, fmt.Errorf("%w: entry URL %q", extractors.ErrUnsupported, request.Redact(e.URL))), false
	}
	res, err := pf.get(ctx, i, u)
	if err != nil {
		return fail(r, err), true
	}
	if len(res.Media) == 0 {
		return fail(r, fmt.Errorf("%w: %s gives no single video", extractors.ErrUnsupported, request.RedactURL(u))), true
	}
	m := res.Media[0]
	if m.Series == "" {
		m.Series = pl.Title
	}
	if numbered(pl) {
		// The list's numbers are the site's (gaps kept); an item it leaves
		// unnumbered (a special) takes none, not its page's position.
		m.Episode = e.Episode
	}
	if m.Title == "" {
		m.Title = e.Title
	}
	t := &task{m: m, series: m.Series, episode: m.Episode, index: pos, special: specialIndex(pl, i), slots: lr.slots, started: started, tag: tag}
	return d.fetchItem(ctx, t, r, lo), true
}

// specialIndex is entry i's place (1-based) among the unnumbered entries
// of a numbered list; 0 for a numbered one.
func specialIndex(pl *extractors.Playlist, i int) int {
	if !numbered(pl) || pl.Entries[i].Episode > 0 {
		return 0
	}
	n := 0
	for _, e := range pl.Entries[:i+1] {
		if e.Episode <= 0 {
			n++
		}
	}
	return n
}

// numbered says a list numbers its items (any of them).
func numbered(pl *extractors.Playlist) bool {
	for _, e := range pl.Entries {
		if e.Episode > 0 {
			return true
		}
	}
	return false
}

// fetchItem downloads (or, in a dry run, plans) an extracted item.
func (d *Downloader) fetchItem(ctx context.Context, t *task, r ItemReport, lo listOptions) ItemReport {
	m := t.m
	r.Site, r.ID, r.Title, r.Episode = m.Site, m.ID, m.Title, m.Episode
	switch {
	case lo.skipsArchived(m.Site, m.ID):
		r.Outcome, r.Reason = Skipped, InArchive
		return r
	case lo.DryRun:
		return d.plan(t, r)
	}
	ctx, notes := withNotes(ctx)
	done, err := d.media(ctx, t)
	r.Notes = notes.list()
	if err != nil {
		return fail(r, err)
	}
	r.Format, r.File, r.Outcome = done.Format.ID, done.File, Downloaded
	if st, err := os.Stat(done.File); err == nil {
		r.Bytes = st.Size()
	}
	if done.Skipped {
		r.Outcome, r.Reason = Skipped, OnDisk
		if done.commentsOnly {
			r.Reason = CommentsOnly
		}
	}
	return r
}

// archived reports a batch line whose archive record is known from its
// URL alone (extractors.KnownIDs) as an item skipped, before any request
// about it, recorded in the journal as any item; ok is false when the
// line must be extracted to tell.
func (d *Downloader) archived(raw string, pos int, lo listOptions) (r ItemReport, ok bool, err error) {
	if lo.Archive == nil {
		return ItemReport{}, false, nil
	}
	u, perr := url.Parse(raw)
	if perr != nil || u.Host == "" {
		return ItemReport{}, false, nil
	}
	site, found := extractors.Lookup(u)
	if !found {
		return ItemReport{}, false, nil
	}
	k, known := site.New(d.siteEnv("")).(extractors.KnownIDs)
	if !known {
		return ItemReport{}, false, nil
	}
	for _, key := range k.KnownIDs(u) {
		if lo.skipsArchived(key.Site, key.ID) {
			r := ItemReport{Index: pos, Site: key.Site, ID: key.ID, Title: request.Redact(raw), Outcome: Skipped, Reason: InArchive}
			return r, true, d.record(r, lo)
		}
	}
	return ItemReport{}, false, nil
}

// plan resolves what a dry run would do with m: the output the real run
// would choose, by the same check (pickOutput, which only reads the
// disk), so that an item already complete there is a skip, not a plan.
func (d *Downloader) plan(t *task, r ItemReport) ItemReport {
	f, err := extractors.Select(t.m.Formats, d.opts.Format)
	if err != nil {
		return fail(r, err)
	}
	t.f = f
	skip, err := d.pickOutput(t)
	if err != nil {
		return fail(r, err)
	}
	out := t.out
	if skip {
		r.Format, r.File, r.Outcome, r.Reason = f.ID, out, Skipped, OnDisk
		if st, err := os.Stat(out); err == nil {
			r.Bytes = st.Size()
		}
		return r
	}
	r.Format, r.File, r.Bytes, r.Outcome = f.ID, out, f.Size, Planned
	if f.Size < 0 && f.EstSize > 0 {
		r.Bytes, r.Approx = f.EstSize, true
	}
	return r
}

// entryLabel is how an item is shown: "E06 title" for a series' episode;
// an entry without a title shows its URL, redacted.
func entryLabel(pl *extractors.Playlist, e extractors.Entry) string {
	t := e.Title
	if t == "" {
		t = request.Redact(e.URL)
	}
	if e.Episode > 0 {
		return fmt.Sprintf("E%02d %s", e.Episode, t)
	}
	return t
}
