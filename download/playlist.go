package download

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/request"
)

// Outcome is how one playlist item ended.
type Outcome string

const (
	Downloaded Outcome = "downloaded"
	Skipped    Outcome = "skipped" // in the archive, or already on disk
	Refused    Outcome = "refused" // the site refuses it: VIP, DRM, region, not found
	Failed     Outcome = "failed"  // after its retries (and one more try at the end)
	Planned    Outcome = "planned" // --dry-run: resolved, nothing fetched
)

// ItemReport is one item of a run, as the journal records it.
type ItemReport struct {
	Index   int     `json:"index"` // 1-based position in its list
	Site    string  `json:"site,omitempty"`
	ID      string  `json:"id,omitempty"`
	Episode int     `json:"episode,omitempty"`
	Title   string  `json:"title,omitempty"`
	Format  string  `json:"format,omitempty"`
	File    string  `json:"file,omitempty"`
	Bytes   int64   `json:"bytes"`            // of the file; for a plan, the format's size (-1 unknown)
	Approx  bool    `json:"approx,omitempty"` // Bytes is an estimate (bitrate x duration)
	Outcome Outcome `json:"outcome"`
	Reason  string  `json:"reason,omitempty"` // why skipped, refused or failed
	Err     error   `json:"-"`
}

// Report is what a playlist run did, item by item.
type Report struct {
	Title string
	Items []ItemReport
}

// Count returns how many items ended with o.
func (r *Report) Count(o Outcome) int {
	n := 0
	for _, it := range r.Items {
		if it.Outcome == o {
			n++
		}
	}
	return n
}

// FirstError is the error of the first item that was refused or failed.
func (r *Report) FirstError() error {
	for _, it := range r.Items {
		if it.Err != nil {
			return it.Err
		}
	}
	return nil
}

// ListOptions tune a playlist run.
type ListOptions struct {
	Items   Items    // which positions; zero value: all
	Archive *Archive // finished items, skipped before any request about them
	Journal *Journal // one line per item; nil: none
	DryRun  bool     // resolve and plan, write nothing, fetch no media
	// SleepInterval waits between items that asked the site anything.
	SleepInterval time.Duration
}

// ListObserver is told of a playlist's items; an Observer that also
// implements it sees them.
type ListObserver interface {
	ItemStart(pos, total int, title string)
	ItemDone(pos, total int, r ItemReport)
}

// List downloads the selected entries of a playlist one after another.
// An item that is refused or fails does not stop the others; items that
// failed for network reasons get one more try at the end. The returned
// error is only a cancellation or a local failure that would fail every
// item (the archive or journal cannot be written).
func (d *Downloader) List(ctx context.Context, pl *extractors.Playlist, lo ListOptions) (*Report, error) {
	rep := &Report{Title: pl.Title}
	var picked []int
	for i := range pl.Entries {
		if lo.Items.Has(i + 1) {
			picked = append(picked, i)
		}
	}
	lobs, _ := d.obs.(ListObserver)
	pf, stop := newPrefetcher(ctx, d)
	defer stop()
	// ahead starts the extraction of the next items while item k runs
	// (not under --sleep-interval, whose point is one request at a time,
	// nor when asked to run strictly in turn).
	ahead := func(k int) {
		if lo.SleepInterval > 0 || d.opts.Sequential {
			return
		}
		for _, i := range picked[k+1 : min(k+1+prefetchAhead, len(picked))] {
			e := pl.Entries[i]
			if e.ID != "" && lo.Archive != nil && lo.Archive.Has(pl.Site, e.ID) {
				continue // never asked about
			}
			if u, err := url.Parse(e.URL); err == nil {
				pf.start(i, u)
			}
		}
	}
	asked := false
	run := func(k, i int, first bool) (ItemReport, error) {
		e := pl.Entries[i]
		if asked && lo.SleepInterval > 0 {
			if err := d.opts.Client.Policy.Wait(ctx, lo.SleepInterval); err != nil {
				return ItemReport{}, err
			}
		}
		if lobs != nil {
			lobs.ItemStart(k+1, len(picked), entryLabel(pl, e))
		}
		if first {
			ahead(k)
		}
		r, didAsk := d.item(ctx, pf, pl, e, i, lo)
		asked = asked || didAsk
		if ctx.Err() != nil {
			return r, ctx.Err()
		}
		if err := d.record(r, lo); err != nil {
			return r, err
		}
		if lobs != nil {
			lobs.ItemDone(k+1, len(picked), r)
		}
		return r, nil
	}
	for k, i := range picked {
		r, err := run(k, i, true)
		if err != nil {
			return rep, err
		}
		rep.Items = append(rep.Items, r)
	}
	// One more try for what the network failed, now that the rest is done.
	for j, r := range rep.Items {
		if r.Outcome != Failed || !request.Retryable(r.Err) {
			continue
		}
		d.log.Warn("trying again an item that failed for network reasons", "item", r.Index, "err", r.Err)
		k := j
		again, err := run(k, picked[j], false)
		if err != nil {
			return rep, err
		}
		rep.Items[j] = again
	}
	return rep, nil
}

// record writes an item's outcome to the archive and the journal.
func (d *Downloader) record(r ItemReport, lo ListOptions) error {
	if lo.Archive != nil && !lo.DryRun && (r.Outcome == Downloaded || r.Outcome == Skipped && r.Reason != "in the archive") && r.ID != "" {
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
func (d *Downloader) item(ctx context.Context, pf *prefetcher, pl *extractors.Playlist, e extractors.Entry, i int, lo ListOptions) (ItemReport, bool) {
	pos := i + 1
	r := ItemReport{Index: pos, Site: pl.Site, ID: e.ID, Episode: e.Episode, Title: e.Title}
	if e.ID != "" && lo.Archive != nil && lo.Archive.Has(pl.Site, e.ID) {
		r.Outcome, r.Reason = Skipped, "in the archive"
		return r, false
	}
	u, err := url.Parse(e.URL)
	if err != nil {
		return fail(r, fmt.Errorf("%w: entry URL %q", extractors.ErrUnsupported, e.URL)), false
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
	if e.Episode > 0 {
		m.Episode = e.Episode // the list's numbering: trailers do not count
	}
	if m.Title == "" {
		m.Title = e.Title
	}
	return d.fetchItem(ctx, m, &entryInfo{series: m.Series, episode: m.Episode, index: pos}, r, lo), true
}

// fetchItem downloads (or, in a dry run, plans) an extracted item.
func (d *Downloader) fetchItem(ctx context.Context, m *extractors.Media, info *entryInfo, r ItemReport, lo ListOptions) ItemReport {
	r.Site, r.ID, r.Title, r.Episode = m.Site, m.ID, m.Title, m.Episode
	switch {
	case lo.Archive != nil && lo.Archive.Has(m.Site, m.ID):
		r.Outcome, r.Reason = Skipped, "in the archive"
		return r
	case lo.DryRun:
		return d.plan(m, info, r)
	}
	done, err := d.media(ctx, m, info)
	if err != nil {
		return fail(r, err)
	}
	r.Format, r.File, r.Outcome = done.Format.ID, done.File, Downloaded
	if st, err := os.Stat(done.File); err == nil {
		r.Bytes = st.Size()
	}
	if done.Skipped {
		r.Outcome, r.Reason = Skipped, "already on disk"
	}
	return r
}

// Item runs one already extracted media as an item of a list (a batch
// of URLs): archive, dry run, continue-on-error classification and the
// records, as List does for a playlist's entries.
func (d *Downloader) Item(ctx context.Context, m *extractors.Media, pos int, lo ListOptions) (ItemReport, error) {
	r := d.fetchItem(ctx, m, nil, ItemReport{Index: pos}, lo)
	if ctx.Err() != nil {
		return r, ctx.Err()
	}
	return r, d.record(r, lo)
}

// Failure is the report of an item that failed before it was a media
// (its URL did not extract), recorded like any other.
func (d *Downloader) Failure(pos int, title string, err error, lo ListOptions) (ItemReport, error) {
	r := fail(ItemReport{Index: pos, Title: title}, err)
	return r, d.record(r, lo)
}

// plan resolves what a dry run would do with m.
func (d *Downloader) plan(m *extractors.Media, info *entryInfo, r ItemReport) ItemReport {
	f, err := extractors.Select(m.Formats, d.opts.Format)
	if err != nil {
		return fail(r, err)
	}
	out, _, err := d.outputPath(m, f, info)
	if err != nil {
		return fail(r, err)
	}
	r.Format, r.File, r.Bytes, r.Outcome = f.ID, out, f.Size, Planned
	if f.Size < 0 && f.EstSize > 0 {
		r.Bytes, r.Approx = f.EstSize, true
	}
	return r
}

// fail classifies an item's error: the site's refusal, or a failure.
func fail(r ItemReport, err error) ItemReport {
	r.Err, r.Outcome, r.Reason = err, Failed, err.Error()
	for _, c := range []struct {
		target error
		reason string
	}{
		{extractors.ErrVIP, "VIP only"}, {extractors.ErrDRM, "DRM"}, {extractors.ErrGeo, "not available in this region"},
		{extractors.ErrNotFound, "not found"}, {extractors.ErrNoFormat, "no such format"}, {extractors.ErrUnsupported, "unsupported"},
	} {
		if errors.Is(err, c.target) {
			r.Outcome, r.Reason = Refused, c.reason
			break
		}
	}
	return r
}

// entryLabel is how an item is shown: "E06 title" for a series' episode.
func entryLabel(pl *extractors.Playlist, e extractors.Entry) string {
	t := e.Title
	if t == "" {
		t = e.URL
	}
	if e.Episode > 0 {
		return fmt.Sprintf("E%02d %s", e.Episode, t)
	}
	return t
}
