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
	"text/tabwriter"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/extractors/hls"
	"github.com/vdlproject/vdl/fetch"
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
	res, err := site.New(extractors.Env{HTTP: a.client, Log: a.log, UserAgent: a.opts.client.userAgent()}).Extract(ctx, u)
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
			a.printFormats(m)
		default:
			if err := a.downloadMedia(ctx, m); err != nil {
				return err
			}
		}
	}
	return nil
}

func (a *app) downloadMedia(ctx context.Context, m *extractors.Media) error {
	f, err := extractors.Select(m.Formats, a.opts.format)
	if err != nil {
		return err
	}
	out := a.outputPath(m, f)
	work := workDir(out)
	plan, err := planAssembly(f, work)
	if err != nil {
		return err
	}
	if err := plan.checkOutputName(f, out); err != nil {
		return err
	}
	knownSize := int64(-1)
	if plan.direct {
		knownSize = f.Size // a joined file's size is not the sum of its parts
	}
	skip, err := a.skipExisting(out, knownSize)
	if err != nil || skip {
		if skip && !a.opts.quiet {
			a.con.Printf("vdl: %s is already downloaded; skipping (use --force to download again)", out)
		}
		return err
	}
	if a.opts.force {
		if err := os.RemoveAll(work); err != nil {
			return &diskError{err}
		}
	}
	var keys map[string][]byte
	if keyedStreams(f) {
		// Keys first: a key that cannot be had makes every segment useless.
		loader := &hls.Loader{HTTP: a.client, Header: f.Streams[0].Header, Log: a.log}
		if keys, err = loader.FetchKeys(ctx, f.Streams); err != nil {
			return err
		}
	}
	job, err := fetch.New(plan.parts, a.fetchOptions(work, m, f))
	if err != nil {
		return err
	}
	if err := a.runJob(ctx, job, filepath.Base(out)); err != nil {
		return err
	}
	if plan.direct {
		if err := publish(plan.parts[0].Path, out, work); err != nil {
			return err
		}
	} else {
		a.noteDiscontinuities(f)
		if err := plan.join(ctx, out, work, keys); err != nil {
			return err
		}
		if err := os.RemoveAll(work); err != nil {
			return &diskError{fmt.Errorf("remove %s: %w", work, err)}
		}
	}
	if !a.opts.quiet {
		a.con.Printf("vdl: saved %s", out)
	}
	return nil
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
		Client:       a.client,
		Connections:  a.opts.conns,
		MinSplit:     a.opts.minSplit,
		Retries:      a.opts.retries,
		StallTimeout: a.opts.stall,
		Logger:       a.log,
		StatePath:    filepath.Join(work, "state.json"),
		Key:          m.Site + ":" + m.ID + ":" + f.ID,
	}
	if o.Retries == 0 {
		o.Retries = -1 // fetch reads 0 as "default"
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

func (a *app) printFormats(m *extractors.Media) {
	fmt.Fprintf(a.stdout, "%s (%s)\n", m.Title, m.Site)
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tLABEL\tRESOLUTION\tFPS\tBITRATE\tCODECS\tSIZE\tCONTAINER\tPARTS\tDRM")
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
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", f.ID, orDash(f.Label), res, fps, br, codecs, size, f.Container, parts, drm)
	}
	tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
