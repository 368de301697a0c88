// Package hls reads HLS playlists (master and media, RFC 8216) with
// grafov/m3u8 and turns them into vdl's formats: one per variant, each a
// stream of segments (plus a separate audio stream when the variant's
// audio rendition has its own playlist). It is shared by the generic
// extractor (a bare .m3u8 URL) and by every site that serves HLS.
package hls

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/grafov/m3u8"
	"golang.org/x/sync/errgroup"

	"github.com/vdlproject/vdl/extractors"
)

// maxPlaylistBytes bounds a playlist read: a few hundred KB is a long VOD;
// anything near this is not a playlist.
const maxPlaylistBytes = 16 << 20

// Loader fetches playlists and keys over HTTP.
type Loader struct {
	HTTP   *http.Client
	Header http.Header // extra headers for playlist and key requests (a site's Referer...)
	Log    *slog.Logger
}

// Media loads the playlist at u, master or media, as one Media.
func (l *Loader) Media(ctx context.Context, u *url.URL) (*extractors.Media, error) {
	formats, dur, err := l.Formats(ctx, u)
	if err != nil {
		return nil, err
	}
	id := extractors.Redact(u)
	return &extractors.Media{Site: "hls", ID: id, Title: titleFromURL(u), PageURL: id, Duration: dur, Formats: formats}, nil
}

// Formats loads the playlist at u into formats, best first, and the
// duration of the media.
func (l *Loader) Formats(ctx context.Context, u *url.URL) ([]extractors.Format, time.Duration, error) {
	data, final, err := l.get(ctx, u)
	if err != nil {
		return nil, 0, err
	}
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
// four at a time. A failed one maps to its error; ctx errors abort.
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
			u, err := url.Parse(raw)
			if err != nil {
				results <- result{raw, nil, err}
				return nil
			}
			data, final, err := l.get(gctx, u)
			var ml *mediaList
			if err == nil {
				ml, err = parseMedia(data, final, kind)
			}
			if err != nil && gctx.Err() != nil {
				return gctx.Err()
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

// get fetches a playlist; the URL it came from after redirects is the
// base for its relative URIs.
func (l *Loader) get(ctx context.Context, u *url.URL) ([]byte, *url.URL, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, nil, err
	}
	for k, vs := range l.Header {
		req.Header[k] = append([]string(nil), vs...)
	}
	resp, err := l.HTTP.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, nil, &extractors.HTTPError{Method: "GET", URL: extractors.Redact(u), StatusCode: resp.StatusCode, Status: resp.Status}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxPlaylistBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read playlist %s: %w", extractors.Redact(u), err)
	}
	if len(data) > maxPlaylistBytes {
		return nil, nil, fmt.Errorf("%w: %s is over %d MiB, too big for a playlist", ErrBadPlaylist, extractors.Redact(u), maxPlaylistBytes>>20)
	}
	return data, resp.Request.URL, nil
}

// FetchKeys fetches every distinct AES-128 key of the streams once and
// checks it is 16 bytes. Keys go through the same client and headers as
// the playlists.
func (l *Loader) FetchKeys(ctx context.Context, streams []extractors.Stream) (map[string][]byte, error) {
	keys := map[string][]byte{}
	want := func(s *extractors.Segment) error {
		if s == nil || s.Key == nil || keys[s.Key.URI] != nil {
			return nil
		}
		k, err := l.fetchKey(ctx, s.Key.URI)
		if err != nil {
			return err
		}
		keys[s.Key.URI] = k
		return nil
	}
	for _, st := range streams {
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

func (l *Loader) fetchKey(ctx context.Context, raw string) ([]byte, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return nil, err
	}
	for k, vs := range l.Header {
		req.Header[k] = append([]string(nil), vs...)
	}
	resp, err := l.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch key: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch key: %w", &extractors.HTTPError{Method: "GET", URL: extractors.Redact(u), StatusCode: resp.StatusCode, Status: resp.Status})
	}
	k, err := io.ReadAll(io.LimitReader(resp.Body, 17))
	if err != nil {
		return nil, fmt.Errorf("fetch key %s: %w", extractors.Redact(u), err)
	}
	if len(k) != 16 {
		return nil, fmt.Errorf("%w: the AES-128 key at %s is not 16 bytes", ErrBadKey, extractors.Redact(u))
	}
	return k, nil
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
