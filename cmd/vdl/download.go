package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/extractors/hls"
	"github.com/vdlproject/vdl/fetch"
	"github.com/vdlproject/vdl/mux"
)

// downloadAll handles each URL in turn and stops at the first failure.
func (a *app) downloadAll(ctx context.Context, urls []string) error {
	for _, raw := range urls {
		if err := a.downloadURL(ctx, raw); err != nil {
			return err
		}
	}
	return nil
}

func (a *app) downloadURL(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return &usageError{fmt.Sprintf("%q is not a URL (want http:// or https://)", raw)}
	}
	site, ok := extractors.Lookup(u)
	if !ok {
		return fmt.Errorf("%w: %s", extractors.ErrUnsupported, raw)
	}
	res, err := a.extract(ctx, site, u)
	if err != nil {
		return err
	}
	if res.Playlist != nil {
		return fmt.Errorf("%w: %s is a playlist; series download is not supported yet", extractors.ErrUnsupported, raw)
	}
	for _, m := range res.Media {
		switch {
		case a.opts.jsonOut:
			if err := a.printJSON(m); err != nil {
				return err
			}
		case a.opts.listFormats:
			if err := a.printFormats(m); err != nil {
				return err
			}
		default:
			if err := a.downloadMedia(ctx, m); err != nil {
				return err
			}
		}
	}
	return nil
}

// extract runs a site's extractor with the app's client and identity.
func (a *app) extract(ctx context.Context, site extractors.Site, u *url.URL) (*extractors.Result, error) {
	began := time.Now()
	res, err := site.New(extractors.Env{HTTP: a.client, Log: a.log, UserAgent: a.opts.client.userAgent()}).Extract(ctx, u)
	if err == nil {
		a.log.Debug("extracted", "site", site.Name, "took", time.Since(began).Round(time.Millisecond))
	}
	return res, err
}

func (a *app) downloadMedia(ctx context.Context, m *extractors.Media) error {
	f, err := extractors.Select(m.Formats, a.opts.format)
	if err != nil {
		return err
	}
	ident := jobKey(m, f)
	knownSize := int64(-1)
	if directFile(f) {
		knownSize = f.Size // a joined file's size is not the sum of its parts
	}
	out, skip, err := a.pickOutput(m, f, ident, knownSize)
	if err != nil || skip {
		if skip && !a.opts.quiet {
			a.con.Printf("vdl: %s is already downloaded; skipping (use --force to download again)", out)
		}
		return err
	}
	work := workDir(out)
	plan, err := planAssembly(f, work)
	if err != nil {
		return err
	}
	if err := plan.checkOutputName(f, out); err != nil {
		return err
	}
	if a.opts.force {
		if st, err := os.Lstat(work); err == nil && !st.IsDir() {
			if err := os.Remove(work); err != nil { // a link there: the link, not its target
				return &diskError{err}
			}
		}
	}
	if err := checkWorkDir(work); err != nil && !a.opts.force {
		return err
	}
	release, err := lockWorkDir(work)
	if err != nil {
		return err
	}
	defer func() {
		release()
		_ = os.Remove(work) // only if nothing was fetched into it
	}()
	if a.opts.force {
		if err := clearDir(work); err != nil { // under the lock: no other run is using it
			return err
		}
	}
	// Keys first: a key that cannot be had makes every segment useless.
	keys, err := a.fetchKeys(ctx, f)
	if err != nil {
		return err
	}
	used := f
	if used, plan, err = a.fetchFormat(ctx, m, f, plan, work, filepath.Base(out)); err != nil {
		return err
	}
	if used != f {
		if keys, err = a.fetchKeys(ctx, used); err != nil { // refreshed URLs: key URIs may be signed too
			return err
		}
	}
	f = used
	if plan.direct {
		if !f.Plain {
			// A site's or a playlist's single segment is media: checked as
			// a join would check it, its bytes kept as served.
			if err := mux.CheckMedia(plan.parts[0].Path, f.Container); err != nil {
				return &joinError{err}
			}
		}
		if err := publish(plan.parts[0].Path, out, work); err != nil {
			return err
		}
	} else {
		a.noteDiscontinuities(f)
		if err := plan.join(ctx, out, work, keys, a.log); err != nil {
			return err
		}
		if err := os.RemoveAll(work); err != nil {
			return &diskError{fmt.Errorf("remove %s: %w", work, err)}
		}
	}
	if err := markIdentity(out, ident); err != nil {
		a.log.Warn("a rerun will not recognise this file as done", "err", err)
	}
	if !a.opts.quiet {
		a.con.Printf("vdl: saved %s", out)
	}
	return nil
}

// jobKey names a download: site, media and format. It keys the resume
// state and tags the finished file.
func jobKey(m *extractors.Media, f *extractors.Format) string {
	return m.Site + ":" + m.ID + ":" + f.ID
}

// pickOutput decides the output file: -o as given (refusing a different
// file in the way), --force the plain name, else a name that does not
// collide with another video's file.
func (a *app) pickOutput(m *extractors.Media, f *extractors.Format, ident string, knownSize int64) (string, bool, error) {
	out := a.outputPath(m, f)
	switch {
	case a.opts.force:
		return out, false, nil
	case a.opts.output != "":
		skip, err := a.skipExisting(out, ident, knownSize)
		return out, skip, err
	}
	return a.chooseOutput(out, ident, knownSize)
}

// fetchKeys gets the AES keys of a format's segments, if any.
func (a *app) fetchKeys(ctx context.Context, f *extractors.Format) (map[string][]byte, error) {
	if !keyedStreams(f) {
		return nil, nil
	}
	loader := &hls.Loader{HTTP: a.client, Log: a.log} // each stream's keys carry that stream's headers
	return loader.FetchKeys(ctx, f.Streams)
}

// fetchFormat downloads the parts of a format. When signed URLs expire
// (403/410), it asks the site for fresh ones and carries on from the
// bytes on disk, as long as each refresh is followed by progress. It
// returns the format and plan last used.
func (a *app) fetchFormat(ctx context.Context, m *extractors.Media, f *extractors.Format, plan *assembly, work, label string) (*extractors.Format, *assembly, error) {
	for refreshes := 0; ; refreshes++ {
		job, err := fetch.New(plan.parts, a.fetchOptions(work, m, f))
		if err != nil {
			return nil, nil, err
		}
		err = a.runJob(ctx, job, label)
		if err == nil || ctx.Err() != nil || !m.SignedURLs || !urlsExpired(err) {
			return f, plan, err
		}
		if p := job.Progress(); refreshes >= maxRefreshes || refreshes > 0 && p.Done == p.Resumed {
			return nil, nil, fmt.Errorf("media URLs keep expiring even when fresh: %w", err)
		}
		a.log.Warn("media URLs expired; asking the site for fresh ones", "err", err)
		if f, err = a.refreshFormat(ctx, m, f); err != nil {
			return nil, nil, err
		}
		if plan, err = planAssembly(f, work); err != nil {
			return nil, nil, err
		}
	}
}

// noteDiscontinuities warns that the joined file may have timestamp jumps.
func (a *app) noteDiscontinuities(f *extractors.Format) {
	n := 0
	for _, st := range f.Streams {
		for _, s := range st.Segments {
			if s.Discontinuity {
				n++
			}
		}
	}
	if n > 0 {
		a.log.Warn("the playlist has discontinuities (ads or stitched content); timestamps may jump there", "count", n)
	}
}

func (a *app) fetchOptions(work string, m *extractors.Media, f *extractors.Format) fetch.Options {
	o := fetch.Options{
		Client:          a.client,
		Connections:     a.opts.conns,
		MinSplit:        a.opts.minSplit,
		StallTimeout:    a.opts.stall,
		MaxConnsPerHost: a.opts.maxPerHost,
		Logger:          a.log,
		StatePath:       filepath.Join(work, "state.json"),
		Key:             jobKey(m, f),
	}
	if a.opts.limitRate > 0 {
		o.Limiter = fetch.NewLimiter(a.opts.limitRate)
	}
	return o
}

// runJob runs a fetch job while the progress display polls it.
func (a *app) runJob(ctx context.Context, job *fetch.Job, label string) error {
	if a.opts.quiet {
		return wrapFetchErr(job.Run(ctx))
	}
	pctx, stop := context.WithCancelCause(context.Background())
	drawn := make(chan struct{})
	go func() {
		defer close(drawn)
		showProgress(pctx, a.con, label, job)
	}()
	err := job.Run(ctx)
	if err != nil && ctx.Err() == nil {
		stop(errJobFailed) // the error line says it all: no summary line
	} else {
		stop(nil)
	}
	<-drawn
	if p := job.Progress(); p.Resumed > 0 && err == nil {
		a.log.Info("resumed", "bytes_reused", p.Resumed)
	}
	return wrapFetchErr(err)
}

// errJobFailed tells the progress display that the job failed.
var errJobFailed = errors.New("job failed")

// wrapFetchErr marks local file failures so they get the disk exit code.
func wrapFetchErr(err error) error {
	var pe *os.PathError
	if err != nil && errors.As(err, &pe) {
		return &diskError{err}
	}
	return err
}

func (a *app) printJSON(m *extractors.Media) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(m)
}

func (a *app) printFormats(m *extractors.Media) error {
	if _, err := fmt.Fprintf(a.stdout, "%s (%s)\n", safeText(m.Title), safeText(m.Site)); err != nil {
		return err
	}
	rows := [][]string{{"ID", "LABEL", "RESOLUTION", "FPS", "BITRATE", "CODECS", "SIZE", "CONTAINER", "PARTS", "DRM"}}
	for _, f := range m.Formats {
		res, fps, br, size, codecs, drm := "-", "-", "-", "?", "-", ""
		if f.Height > 0 {
			res = fmt.Sprintf("%dx%d", f.Width, f.Height)
		}
		if f.FPS > 0 {
			fps = strconv.FormatFloat(f.FPS, 'f', -1, 64)
		}
		if f.Bitrate > 0 {
			br = fmt.Sprintf("%dk", f.Bitrate/1000)
		}
		switch {
		case f.Size >= 0:
			size = humanBytes(f.Size)
		case f.EstSize > 0:
			size = "~" + humanBytes(f.EstSize)
		}
		if f.Codecs != "" {
			codecs = f.Codecs
		}
		if f.DRM {
			drm = "DRM"
			if f.DRMScheme != "" {
				drm += " (" + f.DRMScheme + ")"
			}
		}
		parts := 0
		for _, s := range f.Streams {
			parts += len(s.Segments)
			if s.Init != nil {
				parts++
			}
		}
		rows = append(rows, []string{f.ID, orDash(f.Label), res, fps, br, codecs, size, f.Container, strconv.Itoa(parts), drm})
	}
	return writeTable(a.stdout, rows)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
