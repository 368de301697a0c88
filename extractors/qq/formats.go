package qq

import (
	"cmp"
	"context"
	"errors"
	"fmt"
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
// describes, best first. A trial (a preview shorter than the video) is
// never offered as the video; if only trials are left, the video is VIP.
// As in perQuality, a network failure fails the whole extraction.
func (x *extractor) buildFormats(ctx context.Context, first *vinfo, vinfos []*vinfo,
	build func(context.Context, *vinfo) (extractors.Format, error)) (*resolved, error) {
	res := &resolved{title: first.title, duration: first.duration, subtitles: first.subtitles}
	formats := make([]extractors.Format, len(vinfos))
	errs := make([]error, len(vinfos))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i, v := range vinfos {
		g.Go(func() error {
			switch {
			case v.drm || v.quality.drm:
				formats[i] = drmFormat(v)
			case v.isTrial():
				errs[i] = fmt.Errorf("%w: qq: quality %s is only a %s preview without VIP", extractors.ErrVIP, v.quality.name, v.preview)
			default:
				formats[i], errs[i] = build(gctx, v)
			}
			switch err := errs[i]; {
			case err != nil && gctx.Err() != nil:
				return gctx.Err()
			case request.Retryable(err):
				return fmt.Errorf("qq: quality %s: %w", v.quality.name, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var firstErr error
	for i := range vinfos {
		if errs[i] != nil {
			x.log.Warn("quality left out", "quality", vinfos[i].quality.name, "err", errs[i])
			firstErr = cmp.Or(firstErr, errs[i])
			continue
		}
		res.formats = append(res.formats, formats[i])
	}
	if len(res.formats) == 0 {
		return nil, firstErr
	}
	extractors.SortBest(res.formats)
	return res, nil
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
