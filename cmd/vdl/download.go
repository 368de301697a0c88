package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"

	"github.com/vdlproject/vdl/extractors"
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
	res, err := a.dl.Extract(ctx, u)
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
			if _, err := a.dl.Media(ctx, m); err != nil {
				return err
			}
		}
	}
	return nil
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
