package qq

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/extractors/hls"
	"github.com/vdlproject/vdl/request"
)

// perQuality asks for every quality the first reply lists but does not
// describe, a few at a time. A quality the site refuses is left out with
// a note (a VIP-only quality is normal); the first reply always counts.
// A network failure (after its retries) fails the extraction, naming the
// quality: a fault must never quietly give a lower quality.
func (x *extractor) perQuality(ctx context.Context, first *vinfo, ask func(context.Context, string) (*vinfo, error)) ([]*vinfo, error) {
	var names []string
	for _, q := range first.qualities {
		if q.name != "" && q.name != first.quality.name {
			names = append(names, q.name)
		}
	}
	got := make([]*vinfo, len(names))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i, name := range names {
		g.Go(func() error {
			v, err := ask(gctx, name)
			switch {
			case err != nil && gctx.Err() != nil:
				return gctx.Err()
			case request.Retryable(err):
				return fmt.Errorf("qq: quality %s: %w", name, err)
			case errors.Is(err, extractors.ErrVIP):
				x.log.Info("quality needs VIP; not listed", "quality", name)
			case err != nil:
				x.log.Warn("quality unavailable; not listed", "quality", name, "err", err)
			default:
				got[i] = v
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	out := []*vinfo{first}
	seen := map[string]bool{first.quality.name: true}
	for _, v := range got {
		if v != nil && !seen[v.quality.name] {
			seen[v.quality.name] = true
			out = append(out, v)
		}
	}
	return out, nil
}

// buildFormats turns each reply into the format of the quality it
// describes, best first. A trial (the media covers only part of the
// video: a VIP episode's free minutes) is never offered as the video;
// if only trials are left, the video is VIP only, unless the user keeps
// previews. A signed playlist or URL refused while extracting (its key
// expired while the client waited) is asked for afresh, a few times:
// a quality is never dropped for it. As in perQuality, a network
// failure fails the whole extraction.
func (x *extractor) buildFormats(ctx context.Context, first *vinfo, vinfos []*vinfo,
	build func(context.Context, *vinfo) (extractors.Format, error), ask func(context.Context, string) (*vinfo, error)) (*resolved, error) {
	res := &resolved{title: first.title, duration: first.duration, subtitles: first.subtitles}
	formats := make([]extractors.Format, len(vinfos))
	trials := make([]time.Duration, len(vinfos))
	errs := make([]error, len(vinfos))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i, v := range vinfos {
		g.Go(func() error {
			formats[i], trials[i], errs[i] = x.buildOne(gctx, v, build, ask)
			switch err := errs[i]; {
			case err != nil && gctx.Err() != nil:
				return gctx.Err()
			case request.Retryable(err):
				return fmt.Errorf("qq: quality %s: %w", v.quality.name, err)
			case signedRefusal(err):
				return fmt.Errorf("qq: quality %s: its URLs are refused even when fresh: %w", v.quality.name, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var firstErr error
	var kept []extractors.Format
	var previews []int
	for i := range vinfos {
		switch {
		case errs[i] != nil && errors.Is(errs[i], errNotInMode):
			x.log.Debug("quality not offered in this flow", "quality", vinfos[i].quality.name, "err", errs[i])
			firstErr = cmp.Or(firstErr, errs[i])
		case errs[i] != nil:
			x.log.Warn("quality left out", "quality", vinfos[i].quality.name, "err", errs[i])
			firstErr = cmp.Or(firstErr, errs[i])
		case trials[i] > 0:
			previews = append(previews, i)
		default:
			kept = append(kept, formats[i])
		}
	}
	switch {
	case len(kept) > 0:
		for _, i := range previews {
			x.log.Info("quality left out: only a preview without VIP", "quality", vinfos[i].quality.name, "plays", trials[i])
		}
	case len(previews) > 0 && x.keepPreviews:
		for _, i := range previews {
			kept = append(kept, formats[i])
		}
		res.preview = true
		x.log.Warn("keeping a preview: the site gives only the free part of this VIP video", "plays", trials[previews[0]],
			"of", first.duration)
	case len(previews) > 0:
		return nil, fmt.Errorf("%w (a %s preview): qq: the site gives only the free part of this %s video; "+
			"--cookies with a VIP login may give the whole; --no-check-duration keeps the preview",
			extractors.ErrVIP, previewLength(trials[previews[0]]), first.duration.Round(time.Second))
	}
	if len(kept) == 0 {
		return nil, firstErr
	}
	res.formats = kept
	extractors.SortBest(res.formats)
	return res, nil
}

// maxFreshAsks bounds how often one quality is asked again because its
// signed URLs were refused during the extraction.
const maxFreshAsks = 3

// buildOne builds one quality; trial > 0 is the length a preview plays.
func (x *extractor) buildOne(ctx context.Context, v *vinfo, build func(context.Context, *vinfo) (extractors.Format, error),
	ask func(context.Context, string) (*vinfo, error)) (f extractors.Format, trial time.Duration, err error) {
	for n := 0; ; n++ {
		if v.drm || v.quality.drm {
			return drmFormat(v), 0, nil
		}
		if t := v.trialLength(); t > 0 {
			return extractors.Format{}, t, nil // known from the reply: no playlist or key asked for
		}
		f, err = build(ctx, v)
		if err == nil || !signedRefusal(err) || n >= maxFreshAsks || ctx.Err() != nil {
			break
		}
		x.log.Info("a signed URL was refused while extracting (its key expired?); asking for fresh ones", "quality", v.quality.name, "err", err)
		fresh, aerr := ask(ctx, v.quality.name)
		if aerr != nil {
			return extractors.Format{}, 0, aerr
		}
		v = fresh
	}
	if err != nil {
		return f, 0, err
	}
	if t := playedLength(f); t > 0 && v.duration > 0 && t+trialSlack(v.duration) < v.duration {
		return f, t, nil // the playlist's EXTINF sum falls short of td
	}
	return f, 0, nil
}

// signedRefusal is a 403 or 410 on a signed URL: an expired key, which a
// fresh request cures.
func signedRefusal(err error) bool {
	var se *request.StatusError
	return errors.As(err, &se) && (se.StatusCode == http.StatusForbidden || se.StatusCode == http.StatusGone)
}

// playedLength is the sum of the first stream's segment durations, 0
// when any is unknown.
func playedLength(f extractors.Format) time.Duration {
	if len(f.Streams) == 0 || len(f.Streams[0].Segments) == 0 {
		return 0
	}
	var t time.Duration
	for _, s := range f.Streams[0].Segments {
		if s.Duration <= 0 {
			return 0
		}
		t += s.Duration
	}
	return t
}

// previewLength says how long a preview plays, as a person says it.
func previewLength(d time.Duration) string {
	if d >= time.Minute {
		return fmt.Sprintf("%d-minute", int((d+30*time.Second)/time.Minute))
	}
	return fmt.Sprintf("%d-second", int((d+time.Second/2)/time.Second))
}

// baseFormat is the part of a format the quality metadata gives.
func baseFormat(v *vinfo) extractors.Format {
	q := v.quality
	f := extractors.Format{ID: q.name, Label: q.label(), Width: v.width, Height: v.height, FPS: q.fps, Size: -1,
		Bitrate: q.bandwidth + q.audioBW}
	if f.Height == 0 {
		f.Height = q.height()
	}
	return f
}

// drmFormat lists a DRM quality; it is never downloaded.
func drmFormat(v *vinfo) extractors.Format {
	f := baseFormat(v)
	f.Container, f.DRM, f.DRMScheme = "mp4", true, "Tencent DRM"
	f.EstSize = max(v.quality.size, v.size)
	return f
}

// streamFormat builds a getvinfo quality: its HLS playlist if a CDN
// prefix offers one, else the progressive MP4 (fn + fvkey) on every
// prefix. Other prefixes become mirrors.
func (x *extractor) streamFormat(ctx context.Context, v *vinfo) (extractors.Format, error) {
	if playlists := v.playlists(); len(playlists) > 0 {
		return x.hlsFormat(ctx, v, playlists)
	}
	prefixes := v.prefixes()
	if v.fn == "" || v.fvkey == "" || len(prefixes) == 0 {
		return extractors.Format{}, fmt.Errorf("%w: qq: unexpected getvinfo reply (no playlist and no fn/fvkey for %s)", extractors.ErrAPIChanged, v.quality.name)
	}
	f := baseFormat(v)
	f.Container = "mp4"
	f.Size = knownSize(v.size)
	seg := extractors.Segment{URL: mediaURL(prefixes[0], v.fn, v.fvkey), Size: f.Size, Duration: v.duration}
	for _, p := range prefixes[1:] {
		seg.Mirrors = append(seg.Mirrors, mediaURL(p, v.fn, v.fvkey))
	}
	f.Streams = []extractors.Stream{{Kind: extractors.KindMuxed, Segments: []extractors.Segment{seg}, Header: x.c.mediaHeader()}}
	return f, nil
}

// knownSize maps an unknown (0) size to -1.
func knownSize(size int64) int64 {
	if size <= 0 {
		return -1
	}
	return size
}

// hlsFormat reads the quality's playlist from the CDN prefixes, the
// first one first and the others as its mirrors; segments under the
// prefix that served it get the same path on the other prefixes as
// mirrors.
func (x *extractor) hlsFormat(ctx context.Context, v *vinfo, playlists []mirror) (extractors.Format, error) {
	loader := &hls.Loader{HTTP: x.c.http, Header: x.c.mediaHeader(), Log: x.log}
	var urls []string
	var usable []mirror
	for _, pl := range playlists {
		if _, err := url.Parse(pl.hls); err == nil {
			urls = append(urls, pl.hls)
			usable = append(usable, pl)
		}
	}
	if len(urls) == 0 {
		return extractors.Format{}, fmt.Errorf("%w: qq: no usable playlist URL for %s", extractors.ErrAPIChanged, v.quality.name)
	}
	fs, dur, served, err := loader.FormatsFrom(ctx, urls)
	if err != nil {
		return extractors.Format{}, err
	}
	pl := usable[served]
	got := fs[0]
	f := baseFormat(v)
	f.Container, f.Size, f.Codecs = got.Container, got.Size, got.Codecs
	f.DRM, f.DRMScheme = got.DRM, got.DRMScheme
	if f.Size < 0 {
		f.EstSize = max(v.quality.size, got.EstSize)
		if f.EstSize == 0 && f.Bitrate > 0 {
			f.EstSize = f.Bitrate / 8 * int64(max(dur, v.duration)/time.Second)
		}
	}
	others := append(append([]mirror{}, usable[:served]...), usable[served+1:]...)
	for si := range got.Streams {
		st := &got.Streams[si]
		st.Header = x.c.mediaHeader()
		if st.Init != nil {
			addMirrors(st.Init, pl.url, others)
		}
		for k := range st.Segments {
			addMirrors(&st.Segments[k], pl.url, others)
		}
	}
	f.Streams = got.Streams
	return f, nil
}

// addMirrors gives a segment under prefix the same path under each other
// prefix.
func addMirrors(s *extractors.Segment, prefix string, others []mirror) {
	rest, ok := strings.CutPrefix(s.URL, prefix)
	if !ok {
		return
	}
	for _, m := range others {
		s.Mirrors = append(s.Mirrors, m.url+rest)
	}
}
