package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/vdlproject/vdl/extractors"
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
	res, err := site.New(extractors.Env{HTTP: a.client, Log: a.log}).Extract(ctx, u)
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
	if len(f.Streams) != 1 || len(f.Streams[0].Segments) != 1 || f.Streams[0].Init != nil {
		return fmt.Errorf("%w: format %s has %d streams; joining parts is not supported yet", extractors.ErrUnsupported, f.ID, len(f.Streams))
	}
	skip, err := a.skipExisting(out, f.Size)
	if err != nil || skip {
		if skip && !a.opts.quiet {
			a.con.Printf("vdl: %s is already downloaded; skipping (use --force to download again)", out)
		}
		return err
	}
	work := workDir(out)
	if a.opts.force {
		if err := os.RemoveAll(work); err != nil {
			return &diskError{err}
		}
	}
	st := f.Streams[0]
	seg := st.Segments[0]
	data := filepath.Join(work, "data")
	job, err := fetch.New([]fetch.Part{{URL: seg.URL, Header: st.Header, Size: seg.Size, Path: data}}, a.fetchOptions(work, m, f))
	if err != nil {
		return err
	}
	if err := a.runJob(ctx, job, filepath.Base(out)); err != nil {
		return err
	}
	if err := publish(data, out, work); err != nil {
		return err
	}
	if !a.opts.quiet {
		a.con.Printf("vdl: saved %s", out)
	}
	return nil
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
	pctx, stop := context.WithCancel(context.Background())
	drawn := make(chan struct{})
	go func() {
		defer close(drawn)
		showProgress(pctx, a.con, label, job)
	}()
	err := job.Run(ctx)
	stop()
	<-drawn
	if p := job.Progress(); p.Resumed > 0 && err == nil {
		a.log.Info("resumed", "bytes_reused", p.Resumed)
	}
	return wrapFetchErr(err)
}

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
	fmt.Fprintln(tw, "ID\tLABEL\tRESOLUTION\tBITRATE\tSIZE\tCONTAINER\tPARTS\tDRM")
	for _, f := range m.Formats {
		res, br, size, drm := "-", "-", "?", ""
		if f.Height > 0 {
			res = fmt.Sprintf("%dx%d", f.Width, f.Height)
		}
		if f.Bitrate > 0 {
			br = fmt.Sprintf("%dk", f.Bitrate/1000)
		}
		if f.Size >= 0 {
			size = humanBytes(f.Size)
		}
		if f.DRM {
			drm = "DRM"
		}
		parts := 0
		for _, s := range f.Streams {
			parts += len(s.Segments)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", f.ID, f.Label, res, br, size, f.Container, parts, drm)
	}
	tw.Flush()
}
