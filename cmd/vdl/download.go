package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/vdlproject/vdl/download"
	"github.com/vdlproject/vdl/extractors"
)

// downloadAll handles the URLs of the command line and of --batch-file.
// One URL is downloaded as before (its error is the run's); several are
// a list: each in turn, continuing past refusals and failures, with a
// summary.
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
	if len(urls) > 1 && !a.opts.jsonOut && !a.opts.listFormats {
		return a.runBatch(ctx, urls)
	}
	for _, raw := range urls {
		if err := a.downloadURL(ctx, raw); err != nil {
			return err
		}
	}
	return nil
}

func (a *app) downloadURL(ctx context.Context, raw string) error {
	if !a.opts.jsonOut && !a.opts.listFormats && !a.opts.dryRun {
		// The run's own files are checked before the first request,
		// series or not: the archive, and the journal's name (a list
		// writes one; the URL may be a series).
		if a.opts.archive != "" {
			if err := download.CheckAppendable(a.opts.archive, "download archive"); err != nil {
				return err
			}
		}
		if err := download.CheckJournal(a.opts.dir); err != nil {
			return err
		}
	}
	res, err := a.extractURL(ctx, raw)
	if err != nil {
		return err
	}
	if res.Playlist != nil {
		switch {
		case a.opts.jsonOut:
			return a.printPlaylistJSON(res.Playlist)
		case a.opts.listFormats:
			return a.printPlaylist(res.Playlist)
		}
		return a.runPlaylist(ctx, res.Playlist)
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
		case a.opts.dryRun || a.opts.archive != "":
			// One media as a list of one: the archive and the plan apply.
			lo, err := a.listOptions()
			if err != nil {
				return err
			}
			r, err := a.dl.Item(ctx, m, 1, lo)
			if err != nil {
				return err
			}
			a.itemDone(1, 1, r)
			if r.Err != nil {
				return r.Err
			}
			if a.opts.dryRun {
				a.printPlanTotal(&download.Report{Items: []download.ItemReport{r}})
			}
		default:
			if _, err := a.dl.Media(ctx, m); err != nil {
				return err
			}
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
