// Package hls reads HLS playlists (master and media, RFC 8216) with
// grafov/m3u8 and turns them into vdl's formats: one per variant, each a
// stream of segments (plus a separate audio stream when the variant's
// audio rendition has its own playlist). It is shared by the generic
// extractor (a bare .m3u8 URL) and by every site that serves HLS.
package hls

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/grafov/m3u8"
	"golang.org/x/sync/errgroup"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/request"
)

// maxPlaylistBytes bounds a playlist read: a few hundred KB is a long VOD;
// anything near this is not a playlist.
const maxPlaylistBytes = 16 << 20

// Loader fetches playlists and keys over HTTP.
type Loader struct {
	HTTP   *request.Client
	Header http.Header // extra headers for playlist and key requests (a site's Referer...)
	Log    *slog.Logger
}

// Media loads the playlist at u, master or media, as one Media.
func (l *Loader) Media(ctx context.Context, u *url.URL) (*extractors.Media, error) {
	data, final, _, err := l.get(ctx, u.String())
	if err != nil {
		return nil, err
	}
	formats, dur, err := l.formatsOf(ctx, data, final)
	if err != nil {
		return nil, err
	}
	subs, err := l.subtitlesOf(ctx, data, final)
	if err != nil {
		return nil, err
	}
	id := request.RedactURL(u)
	return &extractors.Media{Site: "hls", ID: id, Title: titleFromURL(u), PageURL: id, Duration: dur, Formats: formats, Subtitles: subs}, nil
}

// Formats loads the playlist at u into formats, best first, and the
// duration of the media.
func (l *Loader) Formats(ctx context.Context, u *url.URL) ([]extractors.Format, time.Duration, error) {
	fs, dur, _, err := l.FormatsFrom(ctx, []string{u.String()})
	return fs, dur, err
}

// FormatsFrom is Formats for a playlist served at several URLs (CDN
// prefixes): the first is asked first, the others are its mirrors.
// served is the index of the URL that answered.
func (l *Loader) FormatsFrom(ctx context.Context, urls []string) (fs []extractors.Format, dur time.Duration, served int, err error) {
	data, final, served, err := l.get(ctx, urls...)
	if err != nil {
		return nil, 0, 0, err
	}
	fs, dur, err = l.formatsOf(ctx, data, final)
	return fs, dur, served, err
}

// FormatsOfText is Formats for a playlist a site handed over as text
// (inside an API reply): its references resolve against base.
func (l *Loader) FormatsOfText(ctx context.Context, data []byte, base *url.URL) ([]extractors.Format, time.Duration, error) {
	return l.formatsOf(ctx, data, base)
}

// formatsOf reads a fetched playlist; final is the URL it came from.
func (l *Loader) formatsOf(ctx context.Context, data []byte, final *url.URL) ([]extractors.Format, time.Duration, error) {
	pl, kind, raw, err := decode(data)
	if err != nil {
		return nil, 0, err
	}
	if kind == m3u8.MASTER {
		master, ok := pl.(*m3u8.MasterPlaylist)
		if !ok {
			return nil, 0, fmt.Errorf("%w: undecodable master playlist", ErrBadPlaylist)
		}
		return l.fromMaster(ctx, master, raw, final)
	}
	ml, err := parseMedia(data, final, extractors.KindMuxed)
	if err != nil {
		return nil, 0, err
	}
	f := extractors.Format{ID: "hls", Label: "media playlist", Container: ml.container, Size: ml.exactSize,
		Streams: []extractors.Stream{ml.stream}}
	markDRM(&f, ml.drm)
	return []extractors.Format{f}, ml.duration, nil
}

// loadMediaLists fetches and parses the media playlists at urls, at most
// four at a time. A refused or unreadable one maps to its error; a network
// failure or ctx error aborts.
func (l *Loader) loadMediaLists(ctx context.Context, urls map[string]extractors.Kind) (map[string]*mediaList, map[string]error, error) {
	lists := make(map[string]*mediaList, len(urls))
	errs := map[string]error{}
	type result struct {
		url string
		ml  *mediaList
		err error
	}
	results := make(chan result, len(urls))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for raw, kind := range urls {
		g.Go(func() error {
			data, final, _, err := l.get(gctx, raw)
			var ml *mediaList
			if err == nil {
				ml, err = parseMedia(data, final, kind)
			}
			switch {
			case err != nil && gctx.Err() != nil:
				return gctx.Err()
			case request.Retryable(err):
				// A fault after its retries: dropping the variant would
				// quietly change which one -f picks.
				return err
			}
			results <- result{raw, ml, err}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	close(results)
	for r := range results {
		if r.err != nil {
			errs[r.url] = r.err
		} else {
			lists[r.url] = r.ml
		}
	}
	return lists, errs, nil
}

// get fetches a playlist from the first of urls (the others are its
// mirrors). The URL it came from after redirects is the base for its
// relative URIs; served is the index of the URL that answered.
func (l *Loader) get(ctx context.Context, urls ...string) (data []byte, final *url.URL, served int, err error) {
	rep, err := l.HTTP.Read(ctx, request.Spec{URL: urls[0], Mirrors: urls[1:], Header: l.Header, Limit: maxPlaylistBytes})
	if errors.Is(err, request.ErrTooBig) {
		return nil, nil, 0, fmt.Errorf("%w: %s is over %d MiB, too big for a playlist", ErrBadPlaylist, request.Redact(urls[0]), maxPlaylistBytes>>20)
	}
	if err != nil {
		return nil, nil, 0, err
	}
	return rep.Body, rep.URL, rep.Mirror, nil
}

// FetchKeys fetches every distinct AES-128 key of the streams once and
// checks it is 16 bytes. Keys go through the same client as the
// playlists, each with the headers of its own stream.
func (l *Loader) FetchKeys(ctx context.Context, streams []extractors.Stream) (map[string][]byte, error) {
	keys := map[string][]byte{}
	for _, st := range streams {
		want := func(s *extractors.Segment) error {
			if s == nil || s.Key == nil || keys[s.Key.URI] != nil {
				return nil
			}
			h := st.Header
			if h == nil {
				h = l.Header
			}
			k, err := l.fetchKey(ctx, s.Key.URI, h)
			if err != nil {
				return err
			}
			keys[s.Key.URI] = k
			return nil
		}
		if err := want(st.Init); err != nil {
			return nil, err
		}
		for i := range st.Segments {
			if err := want(&st.Segments[i]); err != nil {
				return nil, err
			}
		}
	}
	return keys, nil
}

func (l *Loader) fetchKey(ctx context.Context, raw string, h http.Header) ([]byte, error) {
	rep, err := l.HTTP.Read(ctx, request.Spec{URL: raw, Header: h, Limit: 16})
	switch {
	case errors.Is(err, request.ErrTooBig):
		return nil, fmt.Errorf("%w: the AES-128 key at %s is not 16 bytes", ErrBadKey, request.Redact(raw))
	case err != nil:
		return nil, fmt.Errorf("fetch key: %w", err)
	case len(rep.Body) != 16:
		return nil, fmt.Errorf("%w: the AES-128 key at %s is not 16 bytes", ErrBadKey, request.Redact(raw))
	}
	return rep.Body, nil
}

// titleFromURL names the media after the playlist, or after its folder
// when the file has a generic name (index.m3u8, master.m3u8...).
func titleFromURL(u *url.URL) string {
	base := strings.TrimSuffix(path.Base(u.Path), path.Ext(u.Path))
	switch strings.ToLower(base) {
	case "", ".", "/", "index", "master", "playlist", "prog_index", "main", "chunklist", "stream", "video", "manifest":
		if dir := path.Base(path.Dir(u.Path)); dir != "" && dir != "." && dir != "/" {
			return dir
		}
		return u.Hostname()
	}
	return base
}
