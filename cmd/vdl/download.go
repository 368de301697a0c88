package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/vdlproject/vdl/download"
	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/request"
)

// downloadAll handles the URLs of the command line and of --batch-file:
// -F and --json print what each extracts; anything else is one
// download.Run, whose report gives the exit code (one URL's error is the
// run's; a list's items decide, see listResult).
func (a *app) downloadAll(ctx context.Context, urls []string) error {
	if a.opts.batchFile != "" {
		more, err := readBatch(a.opts.batchFile, os.Stdin)
		if err != nil {
			return err
		}
		urls = append(urls, more...)
		if len(urls) == 0 {
			return &usageError{"--batch-file: no URL in " + a.opts.batchFile}
		}
	}
	if a.opts.jsonOut || a.opts.listFormats {
		for _, raw := range urls {
			if err := a.printURL(ctx, raw); err != nil {
				return err
			}
		}
		return nil
	}
	rep, err := a.dl.Run(ctx, download.Inputs{URLs: urls, Batch: a.opts.batchFile != "", Items: a.opts.items,
		Archive: a.opts.archive, DryRun: a.opts.dryRun, SleepInterval: a.opts.sleep})
	a.kept, a.saved = rep != nil && rep.Kept, rep != nil && rep.Count(download.Downloaded) > 0
	switch {
	case err != nil:
		return err
	case rep.List:
		return listResult(rep)
	case a.opts.dryRun && len(rep.Items) > 0:
		a.obs.printPlanTotal(rep)
	}
	return nil
}

// printURL is -F or --json of one URL: what it extracts, nothing fetched.
func (a *app) printURL(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return &usageError{fmt.Sprintf("%q is not a URL (want http:// or https://)", request.Redact(raw))}
	}
	res, err := a.dl.Extract(ctx, u)
	if err != nil {
		return err
	}
	if pl := res.Playlist; pl != nil {
		if a.opts.jsonOut {
			return a.printPlaylistJSON(pl)
		}
		return a.printPlaylist(pl)
	}
	for _, m := range res.Media {
		print := a.printFormats
		if a.opts.jsonOut {
			print = a.printJSON
		}
		if err := print(m); err != nil {
			return err
		}
	}
	return nil
}

// printPlaylist is -F of a series: its entries, none extracted.
func (a *app) printPlaylist(pl *extractors.Playlist) error {
	if _, err := fmt.Fprintf(a.stdout, "%s (%s, %d entries)\n", safeText(pl.Title), safeText(pl.Site), len(pl.Entries)); err != nil {
		return err
	}
	rows := [][]string{{"#", "EPISODE", "ID", "TITLE"}}
	for i, e := range pl.Entries {
		ep := "-"
		if e.Episode > 0 {
			ep = strconv.Itoa(e.Episode)
		}
		rows = append(rows, []string{strconv.Itoa(i + 1), ep, e.ID, orDash(e.Title)})
	}
	return writeTable(a.stdout, rows)
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
	// FLOW is the site's way of getting the format (v.qq.com has four,
	// docs/vqq.md §8): what a bug report about a refused download needs.
	rows := [][]string{{"ID", "LABEL", "RESOLUTION", "FPS", "BITRATE", "CODECS", "SIZE", "CONTAINER", "PARTS", "FLOW", "DRM"}}
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
		rows = append(rows, []string{f.ID, orDash(f.Label), res, fps, br, codecs, size, f.Container, strconv.Itoa(parts), orDash(f.Flow), drm})
	}
	if err := writeTable(a.stdout, rows); err != nil {
		return err
	}
	if len(m.Subtitles) > 0 {
		var subs []string
		for _, s := range m.Subtitles {
			subs = append(subs, s.Lang+" ("+s.Ext+")")
		}
		_, err := fmt.Fprintf(a.stdout, "subtitles: %s\n", safeText(strings.Join(subs, ", ")))
		return err
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// printPlaylistJSON is --json of a series: the playlist and its entries.
func (a *app) printPlaylistJSON(pl *extractors.Playlist) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(pl)
}
