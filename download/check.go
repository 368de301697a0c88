package download

import (
	"cmp"
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/library"
	"github.com/vdlproject/vdl/mux"
)

// mediaTags are the MP4 tags of a download: its title, plot, air date and
// genres, for an episode of a show the show, season and episode (as the
// library layout names them) and the media kind, the page it came from,
// and with --embed-thumbnail the cover art.
func (d *Downloader) mediaTags(ctx context.Context, t *task) *mux.Tags {
	m := t.m
	tags := &mux.Tags{Title: m.Title, Comment: m.PageURL, Description: m.Description, Date: m.AirDate}
	p, inShow := d.placeOf(t)
	if s := m.Show; s != nil {
		tags.Description = cmp.Or(tags.Description, s.Description)
		tags.Genre = strings.Join(s.Genres, "/")
		if tags.Date == "" && s.Year > 0 {
			tags.Date = strconv.Itoa(s.Year)
		}
	}
	switch {
	case inShow && p.movie:
		tags.Kind = mux.KindMovie
	case inShow:
		tags.Show, tags.Kind = p.show, mux.KindTVShow
		tags.Season, tags.Episode, tags.EpisodeID = p.season, p.episode, fmt.Sprintf("S%02dE%02d", p.season, p.episode)
	}
	if d.opts.Library.EmbedThumbnail && mux.MP4Name(t.out) { // only an MP4 carries cover art
		tags.Cover, tags.CoverPNG = d.coverArt(ctx, t)
	}
	return tags
}

// coverArt is the still (or the show's poster) as MP4 cover art: JPEG
// or PNG, a WebP converted to PNG; nothing, with a note, when it cannot
// be had.
func (d *Downloader) coverArt(ctx context.Context, t *task) ([]byte, bool) {
	m := t.m
	urls := []string{m.Thumbnail}
	if m.Show != nil {
		urls = append(urls, m.Show.Poster)
	}
	var last error
	for _, u := range urls {
		if u == "" {
			continue
		}
		data, err := d.fetchImage(ctx, m, u)
		if err == nil {
			var cover []byte
			var isPNG bool
			if cover, isPNG, err = library.Cover(data); err == nil {
				return cover, isPNG
			}
		}
		last = err
	}
	if last != nil && ctx.Err() == nil {
		msg := fmt.Sprintf("no cover art: %v", last)
		d.log.Warn(msg)
		addNote(ctx, msg)
	}
	return nil, false
}

// roundingSlack allows for a playlist whose segment durations are whole
// seconds (HLS before version 3 must round them; many servers round
// anyway): up to a second each may be rounding, not missing media.
func roundingSlack(f *extractors.Format) time.Duration {
	if len(f.Streams) == 0 {
		return 0
	}
	segs := f.Streams[0].Segments
	for _, s := range segs {
		if s.Duration <= 0 || s.Duration%time.Second != 0 {
			return 0
		}
	}
	return time.Duration(len(segs)) * time.Second
}

// Bounds of checkDuration. A result is refused as too long only when it
// is both over twice the length the site or the playlist gave and more
// than a minute over it: rounding, a longer last segment, an ad or an
// intro the site leaves out of its length stay well inside, while a
// server's absurd timestamps (a cue at 999 h, hours of empty edit) do
// not. Audio and video start within a few frames of each other (encoder
// delay, priming); a start gap over maxStartGap, the same 10 s past
// which the remux stitches over a timestamp jump, is timestamps of no
// one timeline, not a video.
const (
	maxLongFactor = 2
	maxLongExcess = time.Minute
	maxStartGap   = 10 * time.Second
)

// checkDuration compares a file's timing (from its own sample tables,
// edit lists or timestamps) with the length the site gave: a shortfall
// of more than 2 % (at least 1 s) is a preview or a truncated download;
// a result far longer (see maxLongFactor), or whose audio and video
// start far apart (maxStartGap, checked even when the site gives no
// length), is broken or hostile timestamps. Either is not the video;
// --no-check-duration (NoCheckDuration) skips the check.
func (d *Downloader) checkDuration(m *extractors.Media, f *extractors.Format, path string) error {
	if d.opts.NoCheckDuration {
		return nil
	}
	refuse := func(err error, what string, args ...any) error {
		return &JoinError{Err: fmt.Errorf("%w: "+what+"; the parts are kept in %s; --no-check-duration saves it anyway",
			append(append([]any{err}, args...), filepath.Dir(path))...)}
	}
	t, err := mux.TimingOf(path)
	if err != nil {
		if m.Duration <= 0 {
			return nil // nothing to compare with; the join has checked the file
		}
		return &JoinError{Err: err}
	}
	if t.StartGap > maxStartGap {
		return refuse(mux.ErrCorrupt, "its audio and video start %s apart (more than %s: timestamps of no one timeline)",
			t.StartGap.Round(time.Millisecond), maxStartGap)
	}
	if m.Duration <= 0 {
		return nil
	}
	got, want := t.Duration, m.Duration
	allowed := max(time.Second, want/50) + roundingSlack(f)
	switch {
	case want-got > allowed:
		return refuse(ErrTooShort, "the result lasts %s, but the site says %s (a preview, or a truncated download?)",
			got.Round(time.Millisecond), want.Round(time.Millisecond))
	case got > maxLongFactor*want && got-want > maxLongExcess:
		return refuse(mux.ErrCorrupt, "the result lasts %s, far longer than the %s the site or its playlist gives (broken or hostile timestamps?)",
			got.Round(time.Millisecond), want.Round(time.Millisecond))
	}
	return nil
}
