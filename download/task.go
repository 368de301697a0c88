package download

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sync/errgroup"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/extractors/hls"
	"github.com/vdlproject/vdl/fetch"
	"github.com/vdlproject/vdl/mux"
)

// task is one download: the media and the format chosen, where it goes,
// and what a list knows of it. The stages (choose, name, fetch, join) fill
// it in turn instead of passing a growing list of parameters.
type task struct {
	m *extractors.Media
	f *extractors.Format // the chosen format; refreshed URLs replace it

	// Naming: the list's view of the item (zero outside a list).
	series  string
	episode int
	index   int // 1-based position in the playlist, for %(playlist_index)s
	special int // 1-based among the list's unnumbered items (a library's Season 00)

	// Scheduling: the connection budget the list's items share (nil: the
	// job's own -n), and the signal the next item waits on (nil: none),
	// fired once this item's transfer begins or it ends without one.
	slots   *fetch.Slots
	started *signal
	tag     string // "[3/12] ": the item's place in the run, for its progress line

	out, work string
	plan      *assembly
	keys      map[string][]byte // AES keys by URI
	otherFlow bool              // the work folder may hold another flow's parts (discarded)
	// keysReady waits for the keys fetched beside the transfer (nil: none).
	keysReady func() error
}

// transferring marks the item's transfer as begun.
func (t *task) transferring() { t.started.fire() }

// label is the task's name on the progress line.
func (t *task) label() string { return t.tag + filepath.Base(t.out) }

// media runs t, handing it to the site's next flow when the CDN refuses
// its flow's media (handover.go), and going back to the flow an
// unfinished download used.
func (d *Downloader) media(ctx context.Context, t *task) (mediaDone, error) {
	tried := map[string]bool{}
	wantID, resumed := "", false
	if fl := flowOf(t.m); fl != "" && d.flows.Refused(t.m.Site, fl) {
		// Extracted (ahead, for a list) before this flow was refused for
		// another item: ask again rather than pay the refusal once more.
		if next, err := d.reextract(ctx, t.m, ""); err == nil {
			t.m = next
		} else if ctx.Err() != nil {
			return mediaDone{}, ctx.Err()
		}
	}
	cf := d.startComments(ctx, t.m) // beside the media, so it never delays the episode
	defer cf.discard()
	for {
		t.otherFlow = resumed
		done, err := d.mediaOnce(ctx, t, wantID)
		var he *handoverError
		var rf *resumeFlowError
		switch {
		case errors.As(err, &rf) && !resumed:
			// The work folder holds parts of another flow: go back to it,
			// so that nothing is fetched twice.
			d.log.Info("resuming on the flow the unfinished download used", "flow", rf.flow)
			next, xerr := d.reextract(ctx, t.m, rf.flow)
			if xerr != nil {
				return mediaDone{}, fmt.Errorf("resuming on flow %s: %w", rf.flow, xerr)
			}
			t.m, wantID, resumed = next, done.formatID, true
		case errors.As(err, &he):
			tried[he.flow] = true
			d.flows.Refuse(t.m.Site, he.flow)
			d.log.Warn("the CDN refused the media of this flow before any byte; handing the item to the next flow",
				"flow", he.flow, "err", he.err)
			next, xerr := d.reextract(ctx, t.m, "")
			if xerr != nil {
				return mediaDone{}, fmt.Errorf("after flow %s was refused (%v): %w", he.flow, he.err, xerr)
			}
			if nf := flowOf(next); nf == "" || tried[nf] {
				return mediaDone{}, fmt.Errorf("every flow's media is refused: %w", he)
			}
			t.m, wantID, resumed = next, done.formatID, true
		default:
			if err == nil && done.File != "" {
				err = d.finishComments(ctx, cf, t, done.File)
			}
			if err == nil && done.File != "" && !done.commentsOnly {
				err = d.writeLibrary(ctx, t, done.File)
			}
			return done, err
		}
	}
}

// mediaOnce downloads one extraction's format: wantID if it lists it
// (the same format after a handover), else the selector's choice.
func (d *Downloader) mediaOnce(ctx context.Context, t *task, wantID string) (mediaDone, error) {
	f, err := d.choose(t.m, wantID)
	if err != nil {
		return mediaDone{}, err
	}
	t.f = f
	skip, err := d.pickOutput(t)
	if err != nil {
		return mediaDone{}, err
	}
	if d.opts.Danmaku.Only {
		// Comments for a video already downloaded: found by its identity
		// under the name this run gives it. Without one, they go where
		// the video would go, and the note says so.
		if !skip {
			addNote(ctx, "danmaku only: no download of this video on disk; comments written where it would go")
		}
		return mediaDone{File: t.out, Skipped: true, Format: f, commentsOnly: true}, nil
	}
	if skip {
		d.emit(Event{Kind: FileSkipped, File: t.out})
		return mediaDone{File: t.out, Skipped: true, Format: f}, d.writeSubtitles(ctx, t.m, t.out)
	}
	if f.Flow != "" {
		d.log.Info("downloading through flow "+f.Flow, "flow", f.Flow, "format", f.ID)
	}
	if err := d.fetchAndJoin(ctx, t); err != nil {
		return mediaDone{formatID: f.ID}, err
	}
	return mediaDone{File: t.out, Format: t.f}, d.writeSubtitles(ctx, t.m, t.out)
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

// fetchWithKeys runs t's transfer and fetches its AES keys beside it
// (the join needs them, the segments do not): one round trip fewer
// before the first byte. A key that cannot be had makes every segment
// useless: it cancels the transfer, and its error is the one reported;
// the transfer is shown as ended only once the keys are in.
func (d *Downloader) fetchWithKeys(ctx context.Context, t *task) error {
	chosen := t.f
	g, gctx := errgroup.WithContext(ctx)
	var keys map[string][]byte
	keysDone := make(chan error, 1)
	g.Go(func() error {
		var err error
		keys, err = d.fetchKeys(gctx, chosen)
		keysDone <- err
		return err
	})
	var keyErr error
	gotKeys := false
	t.keysReady = func() error {
		if !gotKeys {
			keyErr, gotKeys = <-keysDone, true
		}
		return keyErr
	}
	g.Go(func() error { return d.fetchFormat(gctx, t) })
	err := g.Wait()
	t.keysReady = nil
	if err != nil {
		return err
	}
	t.keys = keys
	return nil
}

// fetchAndJoin makes t.out from t.f.
func (d *Downloader) fetchAndJoin(ctx context.Context, t *task) error {
	ident := jobKey(t.m, t.f)
	if err := os.MkdirAll(d.opts.Dir, 0o755); err != nil { // -d is the user's: made as asked
		return &DiskError{Err: err}
	}
	if err := makeParents(d.opts.Dir, t.out); err != nil {
		return err
	}
	t.work = workDir(t.out)
	plan, err := planAssembly(t.f, t.work, t.out)
	if err != nil {
		return err
	}
	t.plan = plan
	if err := plan.checkOutputName(t.f, d.opts.KeepTS); err != nil {
		return err
	}
	release, err := d.claimWorkDir(t.work)
	if err != nil {
		return err
	}
	defer func() {
		if holdsParts(t.work) {
			d.state.keepParts() // not published: a rerun resumes from them
		} else {
			_ = os.Remove(filepath.Join(t.work, flowRecord))
		}
		release()
		_ = os.Remove(t.work) // only if nothing was fetched into it
	}()
	if err := checkFlowRecord(t.work, t.f, t.otherFlow || d.opts.Force); err != nil {
		return err
	}
	chosen := t.f
	if err := d.fetchWithKeys(ctx, t); err != nil {
		return err
	}
	if t.f != chosen {
		if t.keys, err = d.fetchKeys(ctx, t.f); err != nil { // refreshed URLs: key URIs may be signed too
			return err
		}
	}
	if err := d.assemble(ctx, t); err != nil {
		return err
	}
	if err := markIdentity(d.opts.StateDir, t.out, ident); err != nil {
		d.log.Warn("a rerun will not recognise this file as done", "err", err)
	}
	d.emit(Event{Kind: FileSaved, File: t.out})
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

// assemble turns the fetched parts into t.out, the one way for every
// layout: join (unless the one file is kept as served), check the
// result's length, publish it. A file that fails the check never takes
// the name, and the parts stay.
func (d *Downloader) assemble(ctx context.Context, t *task) error {
	opts := mux.MP4Options{Log: d.log, KeepFragmented: d.opts.KeepFragmented, Tags: d.mediaTags(ctx, t)}
	if mux.MP4Name(t.out) {
		subs, err := d.textTracks(ctx, t.m, t.out)
		if err != nil {
			return err
		}
		opts.Subtitles = subs
	} else if d.opts.EmbedSubs && len(t.m.Subtitles) > 0 {
		d.log.Warn("subtitles can be embedded into MP4 outputs only; use --write-subs for sidecar files", "file", t.out)
	}
	plan, f := t.plan, t.f
	result := plan.parts[0].Path
	switch {
	case plan.keptAsServed(f):
		if f.Plain {
			return publish(result, t.out, t.work) // the server's bytes, as they are
		}
		// A site's or a playlist's single segment is media: checked as
		// a join would check it, its bytes kept as served.
		if err := mux.CheckMedia(result, f.Container); err != nil {
			return &JoinError{Err: err}
		}
	default:
		d.noteDiscontinuities(f)
		result = filepath.Join(t.work, "joined"+filepath.Ext(t.out))
		if err := plan.join(ctx, result, t.work, t.keys, opts); err != nil {
			return err
		}
	}
	if err := d.checkDuration(t.m, f, result); err != nil {
		if result != plan.parts[0].Path {
			os.Remove(result)
		}
		return err
	}
	return publish(result, t.out, t.work)
}

// jobKey names a download: site, media and format. It keys the resume
// state and tags the finished file.
func jobKey(m *extractors.Media, f *extractors.Format) string {
	return m.Site + ":" + m.ID + ":" + f.ID
}

// pickOutput decides t.out: -o as given (refusing a different file in
// the way), Force the plain name, else (a made name, from the title or a
// template) a name that does not collide with another video's file.
// skip says the output is already this download, complete.
func (d *Downloader) pickOutput(t *task) (skip bool, err error) {
	ident := jobKey(t.m, t.f)
	knownSize := int64(-1)
	if directFile(t.f) {
		knownSize = t.f.Size // a joined file's size is not the sum of its parts
	}
	out, templated, err := d.outputPath(t)
	switch {
	case err != nil:
		return false, err
	case d.opts.Force:
		t.out = out
		return false, nil
	case !templated:
		t.out = out
		return d.skipExisting(out, ident, knownSize)
	}
	t.out, skip, err = d.chooseOutput(out, ident, knownSize)
	if err == nil && !skip && d.opts.Output == "" {
		// Downloaded before the library layout: left where it is.
		if rel, ok := legacyName(t, safeExt(t.f, d.opts.KeepTS)); ok {
			if old := filepath.Join(d.opts.Dir, rel); old != t.out && d.provenFile(old, ident, knownSize) {
				d.noteLegacy()
				t.out = old
				return true, nil
			}
		}
	}
	return skip, err
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
