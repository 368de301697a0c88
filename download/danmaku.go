package download

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/vdlproject/vdl/danmaku"
	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/internal/atomicfile"
	"github.com/vdlproject/vdl/mux"
)

// DanmakuOptions are the bullet-comment flags.
type DanmakuOptions struct {
	Write     bool // --write-danmaku: <video>.danmaku.ass beside the video
	Raw       bool // --danmaku-raw: <video>.danmaku.json, the comments as fetched
	Only      bool // --danmaku-only: comments for videos already on disk, no media
	MergeSubs bool // --danmaku-merge-subs: the site's subtitles at the bottom of the ASS
	Render    danmaku.Options
}

// wanted reports whether any comment file is asked for.
func (o DanmakuOptions) wanted() bool { return o.Write || o.Raw || o.Only }

// danmakuSidecar names a comment file beside the video: <stem>.danmaku.<ext>,
// under the same 200-byte rule as subtitles (the one place that names
// sidecars). Jellyfin, Kodi and mpv take <stem>.<anything>.ass as an
// external subtitle of <stem>.mp4.
func danmakuSidecar(video, ext string) string {
	return sidecarPath(video, extractors.Subtitle{Lang: "danmaku", Ext: ext})
}

// commentsFetch is a video's comment fetch, run beside its media so that it
// never delays the episode.
type commentsFetch struct {
	g          errgroup.Group
	cancel     context.CancelFunc
	got        *extractors.Comments
	err        error
	start, end time.Time // of the fetch, for --verbose (bench/qq.sh reads them)
}

// startComments starts fetching m's comments when the options ask for them
// and m's site has them; nil otherwise (a nil fetch does nothing). The
// caller must end it: finishComments, or discard.
func (d *Downloader) startComments(ctx context.Context, m *extractors.Media) *commentsFetch {
	o := d.opts.Danmaku
	if !o.wanted() {
		return nil
	}
	u, err := url.Parse(m.PageURL)
	if err != nil {
		return nil
	}
	site, ok := extractors.Lookup(u)
	if !ok {
		return nil
	}
	c, ok := site.New(d.siteEnv("")).(extractors.Commenter)
	if !ok {
		d.log.Warn("this site has no bullet comments; --write-danmaku does nothing for it", "site", m.Site)
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	cf := &commentsFetch{cancel: cancel, start: time.Now()}
	cf.g.Go(func() error {
		cf.got, cf.err = c.Comments(ctx, m)
		cf.end = time.Now()
		return nil
	})
	return cf
}

// discard stops the fetch (the media failed) and waits for it.
func (cf *commentsFetch) discard() {
	if cf != nil {
		cf.cancel()
		cf.g.Wait()
	}
}

// finishComments waits for the fetch and writes m's comment files beside
// video. A failed fetch is a warning and a note, never the episode's
// failure; the error is an interruption or the disk's.
func (d *Downloader) finishComments(ctx context.Context, cf *commentsFetch, t *task, video string) error {
	if cf == nil {
		return nil
	}
	mediaDone := time.Now()
	cf.g.Wait()
	cf.cancel()
	d.log.Debug("danmaku fetched", "took", cf.end.Sub(cf.start).Round(time.Millisecond),
		"episode_waited", max(0, cf.end.Sub(mediaDone)).Round(time.Millisecond))
	if cf.err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		msg := fmt.Sprintf("no danmaku: %v", cf.err)
		d.log.Warn(msg, "file", filepath.Base(video))
		addNote(ctx, msg)
		return nil
	}
	var subs []mux.Cue
	if d.opts.Danmaku.MergeSubs {
		subs = d.mergedSubtitles(ctx, t.m, video)
	}
	res, err := writeDanmaku(d.opts.Danmaku, cf.got, t.m, t.f, video, subs, d.opts.Force)
	if err != nil {
		return err
	}
	if res.note != "" {
		d.log.Warn(res.note, "file", filepath.Base(video))
		addNote(ctx, res.note)
	}
	if st := res.stats; st.Total > 0 {
		d.log.Info("danmaku laid out", "comments", st.Total, "shown", st.Placed, "crowded", st.Crowded,
			"over density", st.OverDensity, "past the end", st.PastEnd, "filtered", st.Filtered, "duplicates", st.Duplicates, "invalid", st.Invalid)
	}
	for _, p := range res.saved {
		d.emit(Event{Kind: FileSaved, File: p})
	}
	return nil
}

// mergedSubtitles are the cues of the first chosen subtitle, for
// --danmaku-merge-subs; none (with a warning) when it cannot be had.
func (d *Downloader) mergedSubtitles(ctx context.Context, m *extractors.Media, video string) []mux.Cue {
	for _, s := range d.subtitlesFor(m) {
		body, err := d.fetchSubtitle(ctx, s)
		if err == nil {
			var cues []mux.Cue
			if cues, err = mux.ParseCues(body); err == nil {
				return cues
			}
		}
		d.subtitleUnavailable(ctx, s, video, err)
	}
	return nil
}

// danmakuResult is what writing a video's comment files did.
type danmakuResult struct {
	saved []string
	note  string // a warning for the summary ("" when complete)
	stats danmaku.Stats
}

// writeDanmaku writes the comment files of m beside video: the ASS laid
// out for the chosen format's frame and m's duration, subs (the site's
// subtitles, when merging) at its bottom, and the raw JSON when asked. An
// incomplete comment list is written, marked incomplete in both files and
// named in the note; the error is the disk's only.
func writeDanmaku(o DanmakuOptions, got *extractors.Comments, m *extractors.Media, f *extractors.Format, video string, subs []mux.Cue, force bool) (danmakuResult, error) {
	var res danmakuResult
	if !got.Complete() {
		res.note = fmt.Sprintf("danmaku: %d of %d segments", got.Segments.Fetched, got.Segments.Total)
	}
	ro := o.Render
	if f != nil && f.Width > 0 && f.Height > 0 {
		ro.Width, ro.Height = f.Width, f.Height
	}
	ro.Duration, ro.Title, ro.Note = m.Duration, m.Title, res.note
	for _, c := range subs {
		ro.Subtitles = append(ro.Subtitles, danmaku.Cue{Start: c.Start, End: c.End, Text: c.Text})
	}
	if o.Write || o.Only {
		var b bytes.Buffer
		st, err := danmaku.Render(&b, got.List, ro)
		if err != nil {
			return res, err
		}
		res.stats = st
		if err := res.write(danmakuSidecar(video, "ass"), b.Bytes(), force); err != nil {
			return res, err
		}
	}
	if o.Raw {
		var b bytes.Buffer
		if err := danmaku.WriteRaw(&b, danmaku.NewRaw(m.Site, m.ID, m.Title, m.Duration, got.Segments, got.List)); err != nil {
			return res, err
		}
		if err := res.write(danmakuSidecar(video, "json"), b.Bytes(), force); err != nil {
			return res, err
		}
	}
	return res, nil
}

// write puts a comment file in place atomically. A file of vdl's own
// there (an earlier run's rendering of the site's comments) is replaced,
// so a rerun refreshes it; anything else is kept, with a note, unless
// force.
func (res *danmakuResult) write(path string, data []byte, force bool) error {
	if st, err := os.Lstat(path); err == nil {
		if !st.Mode().IsRegular() || !force && !ownDanmakuFile(path) {
			res.note = joinNotes(res.note, fmt.Sprintf("danmaku: kept %s, which vdl did not write (--force replaces it)", filepath.Base(path)))
			return nil
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return &DiskError{Err: err}
	}
	if err := atomicfile.Write(path, data); err != nil {
		return &DiskError{Err: fmt.Errorf("danmaku: %w", err)}
	}
	res.saved = append(res.saved, path)
	return nil
}

// ownDanmakuFile reports whether path starts as vdl's comment files do.
func ownDanmakuFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 256)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	return bytes.HasPrefix(head, []byte(danmaku.ASSSignature)) || bytes.Contains(head, []byte(`"schema": "`+danmaku.RawSchema+`"`))
}

func joinNotes(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}
