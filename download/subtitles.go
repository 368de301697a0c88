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
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/internal/atomicfile"
	"github.com/vdlproject/vdl/mux"
	"github.com/vdlproject/vdl/request"
)

// Subtitles are extras: one that cannot be had (refused, missing, junk,
// a bad segment, timings that do not parse) is a warning naming its
// language, never the loss of the video it belongs to. Only an
// interruption, or a sidecar the disk refuses, is the item's error.

// maxSubtitleBytes bounds one caption file: hours of text are a few MB.
const maxSubtitleBytes = 16 << 20

// Bounds of a sidecar name's parts: real language tags are a few bytes
// ("zh-cn", "pt-br"), extensions three; a server's 45-byte "language"
// must not push the name past the 200-byte rule (maxNameBytes) that
// every other name keeps.
const (
	maxLangBytes = 16
	maxExtBytes  = 8
)

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

// sidecarPath is where a subtitle of the video at out goes:
// "<name>.<lang>.<ext>" beside it, within the 200-byte name rule: the
// language and extension are reduced to letters, digits, '-' and '_'
// and bounded, then the name part is cut (on a character boundary) to
// make room.
func sidecarPath(out string, s extractors.Subtitle) string {
	suffix := "." + nameToken(s.Lang, maxLangBytes, "und") + "." + nameToken(s.Ext, maxExtBytes, "sub")
	stem := strings.TrimSuffix(filepath.Base(out), filepath.Ext(out))
	if room := maxNameBytes - len(suffix); len(stem) > room {
		stem = stem[:room]
		for !utf8.ValidString(stem) {
			stem = stem[:len(stem)-1]
		}
	}
	return filepath.Join(filepath.Dir(out), stem+suffix)
}

// nameToken reduces a server's short tag to a bounded name part: its
// letters, digits, '-' and '_', cut on a character boundary; def if
// nothing is left.
func nameToken(tag string, limit int, def string) string {
	var b strings.Builder
	for _, r := range tag {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '_' {
			continue
		}
		if b.Len()+utf8.RuneLen(r) > limit {
			break
		}
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return def
	}
	return b.String()
}

// subtitleUnavailable reports a subtitle that cannot be had, as the
// warning "no <lang> subtitles: <why>" (the language bounded as in a
// sidecar name). It returns the error that must end the item instead:
// the context's, when the run is being interrupted.
func (d *Downloader) subtitleUnavailable(ctx context.Context, s extractors.Subtitle, out string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	msg := fmt.Sprintf("no %s subtitles: %v", nameToken(s.Lang, maxLangBytes, "und"), err)
	d.log.Warn(msg, "file", filepath.Base(out))
	addNote(ctx, msg)
	return nil
}

// notes collects an item's notes for the list's summary. One item's
// download may run goroutines, so it is locked.
type notes struct {
	mu    sync.Mutex
	items []string
}

type notesKey struct{}

// withNotes gives ctx a collector of the item's notes.
func withNotes(ctx context.Context) (context.Context, *notes) {
	n := &notes{}
	return context.WithValue(ctx, notesKey{}, n), n
}

// addNote adds a note to the item whose ctx this is (none outside lists).
func addNote(ctx context.Context, msg string) {
	if n, ok := ctx.Value(notesKey{}).(*notes); ok {
		n.mu.Lock()
		if !slices.Contains(n.items, msg) { // --write-subs and --embed-subs meet the same failure
			n.items = append(n.items, msg)
		}
		n.mu.Unlock()
	}
}

func (n *notes) list() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.items...)
}

// writeSubtitles saves the chosen subtitles beside the video, each as the
// site serves it (byte for byte; an HLS rendition's segments merged),
// through a temp file and a rename. An identical file there is left as
// it is; another file there is kept unless Force. A subtitle that cannot
// be had is a warning; the error is an interruption or the disk's.
func (d *Downloader) writeSubtitles(ctx context.Context, m *extractors.Media, out string) error {
	if !d.opts.WriteSubs {
		return nil
	}
	for _, s := range d.subtitlesFor(m) {
		body, err := d.fetchSubtitle(ctx, s)
		if err != nil {
			if err := d.subtitleUnavailable(ctx, s, out, err); err != nil {
				return err
			}
			continue
		}
		path := sidecarPath(out, s)
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
			return &DiskError{Err: fmt.Errorf("subtitles %s: %w", nameToken(s.Lang, maxLangBytes, "und"), err)}
		}
		d.emit(Event{Kind: FileSaved, File: path})
	}
	return nil
}

// fetchSubtitle reads a subtitle: its file, or for an HLS rendition its
// segments merged into one WebVTT file (mux.MergeWebVTT). An SRT or
// WebVTT file must hold cues: a server's error page saved as one is not
// a subtitle.
func (d *Downloader) fetchSubtitle(ctx context.Context, s extractors.Subtitle) ([]byte, error) {
	if len(s.Segments) == 0 {
		rep, err := d.opts.Client.Read(ctx, request.Spec{URL: s.URL, Header: s.Header, Limit: maxSubtitleBytes})
		if err != nil {
			return nil, err
		}
		if ext := strings.ToLower(s.Ext); ext == "srt" || ext == "vtt" {
			if _, err := mux.ParseCues(rep.Body); err != nil {
				return nil, err
			}
		}
		return rep.Body, nil
	}
	var segs [][]byte
	var total int64
	for _, u := range s.Segments {
		rep, err := d.opts.Client.Read(ctx, request.Spec{URL: u, Header: s.Header, Limit: maxSubtitleBytes})
		if err != nil {
			return nil, err
		}
		if total += int64(len(rep.Body)); total > maxSubtitleBytes {
			return nil, fmt.Errorf("%w: over %d MiB", request.ErrTooBig, maxSubtitleBytes>>20)
		}
		segs = append(segs, rep.Body)
	}
	return mux.MergeWebVTT(segs)
}

// textTracks fetches and parses the chosen subtitles for --embed-subs;
// one that cannot be had is a warning and no track. The error is an
// interruption.
func (d *Downloader) textTracks(ctx context.Context, m *extractors.Media, out string) ([]mux.TextTrack, error) {
	if !d.opts.EmbedSubs {
		return nil, nil
	}
	var tracks []mux.TextTrack
	for _, s := range d.subtitlesFor(m) {
		body, err := d.fetchSubtitle(ctx, s)
		var cues []mux.Cue
		if err == nil {
			cues, err = mux.ParseCues(body)
		}
		if err != nil {
			if err := d.subtitleUnavailable(ctx, s, out, err); err != nil {
				return nil, err
			}
			continue
		}
		tracks = append(tracks, mux.TextTrack{Lang: s.Lang, Cues: cues})
	}
	return tracks, nil
}
