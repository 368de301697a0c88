package download

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/internal/atomicfile"
	"github.com/vdlproject/vdl/mux"
	"github.com/vdlproject/vdl/request"
)

// maxSubtitleBytes bounds one caption file: hours of text are a few MB.
const maxSubtitleBytes = 16 << 20

// subtitlesFor picks the subtitles of m that the options ask for: none
// without WriteSubs, every language with SubLangs empty or "all".
func (d *Downloader) subtitlesFor(m *extractors.Media) []extractors.Subtitle {
	if !d.opts.WriteSubs && !d.opts.EmbedSubs {
		return nil
	}
	var out []extractors.Subtitle
	for _, s := range m.Subtitles {
		if len(d.opts.SubLangs) == 0 || slices.Contains(d.opts.SubLangs, "all") || slices.Contains(d.opts.SubLangs, s.Lang) {
			out = append(out, s)
		}
	}
	return out
}

// SidecarPath is where a subtitle of the video at out goes:
// "<name>.<lang>.<ext>" beside it.
func SidecarPath(out string, s extractors.Subtitle) string {
	stem := strings.TrimSuffix(out, filepath.Ext(out))
	return stem + "." + sanitizeName(s.Lang) + "." + sanitizeName(s.Ext)
}

// writeSubtitles saves the chosen subtitles beside the video, each as the
// site serves it (byte for byte), through a temp file and a rename. An
// identical file there is left as it is; another file there is kept
// unless Force.
func (d *Downloader) writeSubtitles(ctx context.Context, m *extractors.Media, out string) error {
	if !d.opts.WriteSubs {
		return nil
	}
	for _, s := range d.subtitlesFor(m) {
		body, err := d.fetchSubtitle(ctx, s)
		if err != nil {
			return err
		}
		path := SidecarPath(out, s)
		if st, err := os.Lstat(path); err == nil && !d.opts.Force {
			if st.Mode().IsRegular() {
				if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, body) {
					continue // this very file, from a run before
				}
			}
			d.log.Warn("something else has the subtitle's name; kept (use --force to replace it)", "file", path)
			continue
		} else if err != nil && !errors.Is(err, os.ErrNotExist) {
			return &DiskError{Err: err}
		}
		if err := atomicfile.Write(path, body); err != nil {
			return &DiskError{Err: fmt.Errorf("subtitles %s: %w", s.Lang, err)}
		}
		d.obs.Saved(path)
	}
	return nil
}

// fetchSubtitle reads a subtitle: its file, or for an HLS rendition its
// segments merged into one WebVTT file (mux.MergeWebVTT).
func (d *Downloader) fetchSubtitle(ctx context.Context, s extractors.Subtitle) ([]byte, error) {
	if len(s.Segments) == 0 {
		rep, err := d.opts.Client.Read(ctx, request.Spec{URL: s.URL, Header: s.Header, Limit: maxSubtitleBytes})
		if err != nil {
			return nil, fmt.Errorf("subtitles %s: %w", s.Lang, err)
		}
		return rep.Body, nil
	}
	var segs [][]byte
	var total int64
	for _, u := range s.Segments {
		rep, err := d.opts.Client.Read(ctx, request.Spec{URL: u, Header: s.Header, Limit: maxSubtitleBytes})
		if err != nil {
			return nil, fmt.Errorf("subtitles %s: %w", s.Lang, err)
		}
		if total += int64(len(rep.Body)); total > maxSubtitleBytes {
			return nil, fmt.Errorf("subtitles %s: %w: over %d MiB", s.Lang, request.ErrTooBig, maxSubtitleBytes>>20)
		}
		segs = append(segs, rep.Body)
	}
	merged, err := mux.MergeWebVTT(segs)
	if err != nil {
		return nil, fmt.Errorf("subtitles %s: %w", s.Lang, err)
	}
	return merged, nil
}

// textTracks fetches and parses the chosen subtitles for --embed-subs.
func (d *Downloader) textTracks(ctx context.Context, m *extractors.Media) ([]mux.TextTrack, error) {
	if !d.opts.EmbedSubs {
		return nil, nil
	}
	var tracks []mux.TextTrack
	for _, s := range d.subtitlesFor(m) {
		body, err := d.fetchSubtitle(ctx, s)
		if err != nil {
			return nil, err
		}
		cues, err := mux.ParseCues(body)
		if err != nil {
			return nil, fmt.Errorf("subtitles %s: %w", s.Lang, err)
		}
		tracks = append(tracks, mux.TextTrack{Lang: s.Lang, Cues: cues})
	}
	return tracks, nil
}
