// Package download is vdl's pipeline: a page URL is extracted, a format
// selected, its parts fetched (refreshing expired signed URLs) and joined
// into one file under a name that never overwrites another video. The
// command line drives it through Options and an Observer; the package
// prints nothing.
package download

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/time/rate"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/extractors/hls"
	"github.com/vdlproject/vdl/fetch"
	"github.com/vdlproject/vdl/mux"
	"github.com/vdlproject/vdl/request"
)

// Options configure a Downloader. Zero values take fetch's defaults.
type Options struct {
	Client    *request.Client // every request goes through it
	Log       *slog.Logger    // warnings and details; nil discards
	UserAgent string          // for extractors that sign with it
	Playlist  extractors.PlaylistMode
	Observer  Observer // nil: nothing is shown

	Dir    string // folder of automatically named outputs
	Output string // -o: the output file (relative to Dir), "" for automatic names
	Format string // format selector (extractors.Select)
	Force  bool   // replace an existing output, discard unfinished work

	Connections     int
	MaxConnsPerHost int
	MinSplit        int64
	StallTimeout    time.Duration
	LimitRate       int64 // bytes/s in total, 0 = unlimited
	// KeepFragmented leaves an HLS fMP4 download fragmented (--remux
	// fmp4) instead of a regular MP4.
	KeepFragmented bool
	// KeepTS keeps MPEG-TS media as TS (--remux ts) instead of remuxing
	// it into a regular MP4.
	KeepTS bool
	// NoCheckDuration skips the check of a result's length against the
	// site's (--no-check-duration).
	NoCheckDuration bool
	// WriteSubs saves the site's subtitles beside the video, in the
	// languages of SubLangs (empty or "all": every one).
	WriteSubs bool
	SubLangs  []string
	// EmbedSubs writes the chosen subtitles into MP4 outputs as text
	// tracks (tx3g), one per language.
	EmbedSubs bool

	// Sequential runs a list strictly one item at a time, extraction
	// included (the baseline of bench/series.sh).
	Sequential bool

	// StateDir holds vdl's records of finished files (identity.go); ""
	// keeps only the extended attribute.
	StateDir string
}

// Observer sees what a download does, for display. Calls come from the
// goroutine that runs the download.
type Observer interface {
	// Transfer is called as a fetch job starts; end is called once it
	// stops, with its error (nil when complete).
	Transfer(label string, job Progress) (end func(err error))
	// Skipped reports an output that is already this download, complete.
	Skipped(out string)
	// Saved reports a finished output.
	Saved(out string)
}

// Progress is what an observer polls; *fetch.Job satisfies it.
type Progress interface{ Progress() fetch.Progress }

// Downloader runs downloads with one set of options. It is not safe for
// concurrent use.
type Downloader struct {
	opts  Options
	log   *slog.Logger
	obs   Observer
	limit *rate.Limiter     // --limit-rate, shared by every job (items may overlap)
	flows *extractors.Flows // flows whose media the CDN refused in this run
}

// New returns a Downloader; o.Client is required.
func New(o Options) (*Downloader, error) {
	if o.Client == nil {
		return nil, errors.New("download: Options.Client is required")
	}
	d := &Downloader{opts: o, log: o.Log, obs: o.Observer, flows: &extractors.Flows{}}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if d.obs == nil {
		d.obs = quietObserver{}
	}
	if d.opts.Dir == "" {
		d.opts.Dir = "."
	}
	if o.LimitRate > 0 {
		d.limit = fetch.NewLimiter(o.LimitRate)
	}
	return d, nil
}

// Extract resolves a URL with the site that claims it (or the generic
// extractor).
func (d *Downloader) Extract(ctx context.Context, u *url.URL) (*extractors.Result, error) {
	return d.extract(ctx, u, "")
}

// extract is Extract with a flow to try first (see Env.PreferFlow).
func (d *Downloader) extract(ctx context.Context, u *url.URL, prefer string) (*extractors.Result, error) {
	site, ok := extractors.Lookup(u)
	if !ok {
		return nil, fmt.Errorf("%w: %s", extractors.ErrUnsupported, request.RedactURL(u))
	}
	began := time.Now()
	env := extractors.Env{HTTP: d.opts.Client, Log: d.log, UserAgent: d.opts.UserAgent, Playlist: d.opts.Playlist,
		Flows: d.flows, PreferFlow: prefer, KeepPreviews: d.opts.NoCheckDuration}
	res, err := site.New(env).Extract(ctx, u)
	if err == nil {
		d.log.Debug("extracted", "site", site.Name, "took", time.Since(began).Round(time.Millisecond))
	}
	return res, err
}

// Done is what a finished download left: its file, and whether that was
// there already (recognised as this download, complete).
type Done struct {
	File    string
	Skipped bool
	Format  *extractors.Format

	formatID string // the format a failed try chose (a handover keeps it)
}

// Media downloads the selected format of m into its output.
func (d *Downloader) Media(ctx context.Context, m *extractors.Media) (Done, error) {
	return d.media(ctx, m, nil)
}

func (d *Downloader) media(ctx context.Context, m *extractors.Media, e *entryInfo) (Done, error) {
	tried := map[string]bool{}
	wantID, resumed := "", false
	if fl := flowOf(m); fl != "" && d.flows.Refused(m.Site, fl) {
		// Extracted (ahead, for a list) before this flow was refused for
		// another item: ask again rather than pay the refusal once more.
		if next, err := d.reextract(ctx, m, ""); err == nil {
			m = next
		} else if ctx.Err() != nil {
			return Done{}, ctx.Err()
		}
	}
	for {
		done, err := d.mediaOnce(ctx, m, e, wantID, resumed)
		var he *handoverError
		var rf *resumeFlowError
		switch {
		case errors.As(err, &rf) && !resumed:
			// The work folder holds parts of another flow: go back to it,
			// so that nothing is fetched twice.
			d.log.Info("resuming on the flow the unfinished download used", "flow", rf.flow)
			next, xerr := d.reextract(ctx, m, rf.flow)
			if xerr != nil {
				return Done{}, fmt.Errorf("resuming on flow %s: %w", rf.flow, xerr)
			}
			m, wantID, resumed = next, done.formatID, true
		case errors.As(err, &he):
			tried[he.flow] = true
			d.flows.Refuse(m.Site, he.flow)
			d.log.Warn("the CDN refused the media of this flow before any byte; handing the item to the next flow",
				"flow", he.flow, "err", he.err)
			next, xerr := d.reextract(ctx, m, "")
			if xerr != nil {
				return Done{}, fmt.Errorf("after flow %s was refused (%v): %w", he.flow, he.err, xerr)
			}
			if nf := flowOf(next); nf == "" || tried[nf] {
				return Done{}, fmt.Errorf("every flow's media is refused: %w", he)
			}
			m, wantID, resumed = next, done.formatID, true
		default:
			return done, err
		}
	}
}

// mediaOnce downloads one extraction's format: wantID if it lists it
// (the same format after a handover), else the selector's choice.
// otherFlow lets it use a work folder of another flow (its parts are
// then discarded).
func (d *Downloader) mediaOnce(ctx context.Context, m *extractors.Media, e *entryInfo, wantID string, otherFlow bool) (Done, error) {
	f, err := d.choose(m, wantID)
	if err != nil {
		return Done{}, err
	}
	out, skip, err := d.pickOutput(m, f, e)
	if err != nil {
		return Done{}, err
	}
	if skip {
		d.obs.Skipped(out)
		return Done{File: out, Skipped: true, Format: f}, d.writeSubtitles(ctx, m, out)
	}
	if f.Flow != "" {
		d.log.Info("downloading through flow "+f.Flow, "flow", f.Flow, "format", f.ID)
	}
	if err := d.fetchAndJoin(ctx, m, f, out, e, otherFlow); err != nil {
		return Done{formatID: f.ID}, err
	}
	return Done{File: out, Format: f}, d.writeSubtitles(ctx, m, out)
}

// choose picks the format: wantID when m lists it (a handover keeps the
// user's format), else the selector's choice.
func (d *Downloader) choose(m *extractors.Media, wantID string) (*extractors.Format, error) {
	if wantID != "" {
		for i := range m.Formats {
			if m.Formats[i].ID == wantID && !m.Formats[i].DRM {
				return &m.Formats[i], nil
			}
		}
	}
	return extractors.Select(m.Formats, d.opts.Format)
}

// fetchAndJoin makes out from format f of m.
func (d *Downloader) fetchAndJoin(ctx context.Context, m *extractors.Media, f *extractors.Format, out string, e *entryInfo, otherFlow bool) error {
	ident := jobKey(m, f)
	if err := os.MkdirAll(d.opts.Dir, 0o755); err != nil { // -d is the user's: made as asked
		return &DiskError{Err: err}
	}
	if err := makeParents(d.opts.Dir, out); err != nil {
		return err
	}
	work := workDir(out)
	plan, err := planAssembly(f, work, out)
	if err != nil {
		return err
	}
	if err := plan.checkOutputName(f, d.opts.KeepTS); err != nil {
		return err
	}
	release, err := d.claimWorkDir(work)
	if err != nil {
		return err
	}
	defer func() {
		if !holdsParts(work) {
			_ = os.Remove(filepath.Join(work, flowRecord))
		}
		release()
		_ = os.Remove(work) // only if nothing was fetched into it
	}()
	if err := checkFlowRecord(work, f, otherFlow || d.opts.Force); err != nil {
		return err
	}
	// Keys first: a key that cannot be had makes every segment useless.
	keys, err := d.fetchKeys(ctx, f)
	if err != nil {
		return err
	}
	used := f
	label := filepath.Base(out)
	if e != nil {
		label = e.tag + label
	}
	if used, plan, err = d.fetchFormat(ctx, m, f, plan, work, label, e); err != nil {
		return err
	}
	if used != f {
		if keys, err = d.fetchKeys(ctx, used); err != nil { // refreshed URLs: key URIs may be signed too
			return err
		}
	}
	if err := d.assemble(ctx, m, used, plan, keys, out, work); err != nil {
		return err
	}
	if err := markIdentity(d.opts.StateDir, out, ident); err != nil {
		d.log.Warn("a rerun will not recognise this file as done", "err", err)
	}
	d.obs.Saved(out)
	return nil
}

// claimWorkDir makes the work dir this run's: links in the way refused
// (or, with Force, removed, never followed), locked against another run,
// and with Force emptied under the lock.
func (d *Downloader) claimWorkDir(work string) (release func(), err error) {
	if d.opts.Force {
		if st, err := os.Lstat(work); err == nil && !st.IsDir() {
			if err := os.Remove(work); err != nil { // a link there: the link, not its target
				return nil, &DiskError{Err: err}
			}
		}
	}
	if err := checkWorkDir(work); err != nil && !d.opts.Force {
		return nil, err
	}
	release, err = lockWorkDir(work)
	if err != nil {
		return nil, err
	}
	if d.opts.Force {
		if err := clearDir(work); err != nil { // under the lock: no other run is using it
			release()
			return nil, err
		}
	}
	return release, nil
}

// assemble turns the fetched parts into out: a single file is checked
// and renamed, anything else joined.
func (d *Downloader) assemble(ctx context.Context, m *extractors.Media, f *extractors.Format, plan *assembly, keys map[string][]byte, out, work string) error {
	opts := mux.MP4Options{Log: d.log, KeepFragmented: d.opts.KeepFragmented, Tags: mediaTags(m)}
	if mux.MP4Name(out) {
		subs, err := d.textTracks(ctx, m, out)
		if err != nil {
			return err
		}
		opts.Subtitles = subs
	} else if d.opts.EmbedSubs && len(m.Subtitles) > 0 {
		d.log.Warn("subtitles can be embedded into MP4 outputs only; use --write-subs for sidecar files", "file", out)
	}
	joined := filepath.Join(work, "joined"+filepath.Ext(out))
	if plan.direct && !f.Plain && f.Container == "mp4" {
		// A site's single MP4 is rewritten, as a one-clip join: checked by
		// the parse, moov first, tagged.
		if _, err := mux.JoinMP4(ctx, joined, []string{plan.parts[0].Path}, opts); err != nil {
			return &JoinError{Err: err}
		}
		if err := d.checkDuration(m, f, joined); err != nil {
			os.Remove(joined)
			return err
		}
		return publish(joined, out, work)
	}
	if plan.direct && plan.remux {
		// One TS file named .mp4: remuxed like a playlist of one segment.
		if _, err := mux.RemuxTS(ctx, joined, work, [][]mux.Segment{{{Path: plan.parts[0].Path}}}, opts); err != nil {
			return &JoinError{Err: err}
		}
		if err := d.checkDuration(m, f, joined); err != nil {
			os.Remove(joined)
			return err
		}
		return publish(joined, out, work)
	}
	if plan.direct {
		path := plan.parts[0].Path
		if !f.Plain {
			// A site's or a playlist's single segment is media: checked as
			// a join would check it, its bytes kept as served.
			if err := mux.CheckMedia(path, f.Container); err != nil {
				return &JoinError{Err: err}
			}
			if err := d.checkDuration(m, f, path); err != nil {
				return err
			}
		}
		return publish(path, out, work)
	}
	d.noteDiscontinuities(f)
	// Joined inside the work dir, checked, then moved into place: a file
	// that fails the check never takes the name, and the parts stay.
	if err := plan.join(ctx, joined, work, keys, opts); err != nil {
		return err
	}
	if err := d.checkDuration(m, f, joined); err != nil {
		os.Remove(joined)
		return err
	}
	return publish(joined, out, work)
}

// mediaTags are the MP4 tags of a download: its title, for an episode of
// a series the show, season (v.qq.com has one per cover: 1) and episode,
// and the page it came from.
func mediaTags(m *extractors.Media) *mux.Tags {
	t := &mux.Tags{Title: m.Title, Comment: m.PageURL}
	if m.Series != "" {
		t.Show = m.Series
		if m.Episode > 0 {
			t.Season, t.Episode, t.EpisodeID = 1, m.Episode, fmt.Sprintf("E%02d", m.Episode)
		}
	}
	return t
}

// roundingSlack allows for a playlist whose segment durations are whole
// seconds (HLS before version 3 must round them; many servers round
// anyway): up to a second each may be rounding, not missing media.
func roundingSlack(f *extractors.Format) time.Duration {
	if len(f.Streams) == 0 {
		return 0
	}
	segs := f.Streams[0].Segments
	for _, s := range segs {
		if s.Duration <= 0 || s.Duration%time.Second != 0 {
			return 0
		}
	}
	return time.Duration(len(segs)) * time.Second
}

// Bounds of checkDuration. A result is refused as too long only when it
// is both over twice the length the site or the playlist gave and more
// than a minute over it: rounding, a longer last segment, an ad or an
// intro the site leaves out of its length stay well inside, while a
// server's absurd timestamps (a cue at 999 h, hours of empty edit) do
// not. Audio and video start within a few frames of each other (encoder
// delay, priming); a start gap over maxStartGap, the same 10 s past
// which the remux stitches over a timestamp jump, is timestamps of no
// one timeline, not a video.
const (
	maxLongFactor = 2
	maxLongExcess = time.Minute
	maxStartGap   = 10 * time.Second
)

// checkDuration compares a file's timing (from its own sample tables,
// edit lists or timestamps) with the length the site gave: a shortfall
// of more than 2 % (at least 1 s) is a preview or a truncated download;
// a result far longer (see maxLongFactor), or whose audio and video
// start far apart (maxStartGap, checked even when the site gives no
// length), is broken or hostile timestamps. Either is not the video;
// --no-check-duration (NoCheckDuration) skips the check.
func (d *Downloader) checkDuration(m *extractors.Media, f *extractors.Format, path string) error {
	if d.opts.NoCheckDuration {
		return nil
	}
	refuse := func(err error, what string, args ...any) error {
		return &JoinError{Err: fmt.Errorf("%w: "+what+"; the parts are kept in %s; --no-check-duration saves it anyway",
			append(append([]any{err}, args...), filepath.Dir(path))...)}
	}
	t, err := mux.TimingOf(path)
	if err != nil {
		if m.Duration <= 0 {
			return nil // nothing to compare with; the join has checked the file
		}
		return &JoinError{Err: err}
	}
	if t.StartGap > maxStartGap {
		return refuse(mux.ErrCorrupt, "its audio and video start %s apart (more than %s: timestamps of no one timeline)",
			t.StartGap.Round(time.Millisecond), maxStartGap)
	}
	if m.Duration <= 0 {
		return nil
	}
	got, want := t.Duration, m.Duration
	allowed := max(time.Second, want/50) + roundingSlack(f)
	switch {
	case want-got > allowed:
		return refuse(ErrTooShort, "the result lasts %s, but the site says %s (a preview, or a truncated download?)",
			got.Round(time.Millisecond), want.Round(time.Millisecond))
	case got > maxLongFactor*want && got-want > maxLongExcess:
		return refuse(mux.ErrCorrupt, "the result lasts %s, far longer than the %s the site or its playlist gives (broken or hostile timestamps?)",
			got.Round(time.Millisecond), want.Round(time.Millisecond))
	}
	return nil
}

// jobKey names a download: site, media and format. It keys the resume
// state and tags the finished file.
func jobKey(m *extractors.Media, f *extractors.Format) string {
	return m.Site + ":" + m.ID + ":" + f.ID
}

// pickOutput decides the output file: -o as given (refusing a different
// file in the way), Force the plain name, else (a made name, from the
// title or a template) a name that does not collide with another video's
// file.
func (d *Downloader) pickOutput(m *extractors.Media, f *extractors.Format, e *entryInfo) (string, bool, error) {
	ident := jobKey(m, f)
	knownSize := int64(-1)
	if directFile(f) {
		knownSize = f.Size // a joined file's size is not the sum of its parts
	}
	out, templated, err := d.outputPath(m, f, e)
	switch {
	case err != nil:
		return "", false, err
	case d.opts.Force:
		return out, false, nil
	case !templated:
		skip, err := d.skipExisting(out, ident, knownSize)
		return out, skip, err
	}
	return d.chooseOutput(out, ident, knownSize)
}

// fetchKeys gets the AES keys of a format's segments, if any.
func (d *Downloader) fetchKeys(ctx context.Context, f *extractors.Format) (map[string][]byte, error) {
	if !keyedStreams(f) {
		return nil, nil
	}
	loader := &hls.Loader{HTTP: d.opts.Client, Log: d.log} // each stream's keys carry that stream's headers
	return loader.FetchKeys(ctx, f.Streams)
}

// noteDiscontinuities warns that the joined file may have timestamp jumps.
func (d *Downloader) noteDiscontinuities(f *extractors.Format) {
	n := 0
	for _, st := range f.Streams {
		for _, s := range st.Segments {
			if s.Discontinuity {
				n++
			}
		}
	}
	if n > 0 {
		d.log.Warn("the playlist has discontinuities (ads or stitched content); timestamps may jump there", "count", n)
	}
}

type quietObserver struct{}

func (quietObserver) Transfer(string, Progress) func(error) { return func(error) {} }
func (quietObserver) Skipped(string)                        {}
func (quietObserver) Saved(string)                          {}
