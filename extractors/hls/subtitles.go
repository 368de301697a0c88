package hls

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/grafov/m3u8"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/request"
)

// subtitlesOf lists a master playlist's subtitle renditions
// (EXT-X-MEDIA TYPE=SUBTITLES), one per language, each with the WebVTT
// segments of its own playlist. A media playlist has none. A rendition
// whose playlist is refused or unreadable is left out with a warning; a
// network failure fails the extraction (a fault must not change it).
func (l *Loader) subtitlesOf(ctx context.Context, data []byte, base *url.URL) ([]extractors.Subtitle, error) {
	pl, kind, _, err := decode(data)
	if err != nil || kind != m3u8.MASTER {
		return nil, nil
	}
	master, ok := pl.(*m3u8.MasterPlaylist)
	if !ok {
		return nil, nil
	}
	b := &builder{base: base}
	seen := map[string]bool{}
	var subs []extractors.Subtitle
	for _, v := range master.Variants {
		if v == nil {
			continue
		}
		for _, a := range v.Alternatives {
			if a == nil || !strings.EqualFold(a.Type, "SUBTITLES") || a.URI == "" {
				continue
			}
			lang := strings.ToLower(strings.TrimSpace(a.Language))
			if lang == "" {
				lang = strings.ToLower(strings.TrimSpace(a.Name))
			}
			if lang == "" || seen[lang] {
				continue
			}
			u, err := b.resolve(a.URI)
			if err != nil {
				return nil, err
			}
			segs, err := l.subtitleSegments(ctx, u)
			switch {
			case err != nil && request.Retryable(err):
				return nil, fmt.Errorf("subtitles %s: %w", lang, err)
			case err != nil:
				if l.Log != nil {
					l.Log.Warn("a subtitle rendition is unreadable; left out", "lang", lang, "err", err)
				}
				continue
			}
			seen[lang] = true
			subs = append(subs, extractors.Subtitle{Lang: lang, Ext: "vtt", URL: u, Segments: segs, Header: l.Header})
		}
	}
	return subs, nil
}

// SubtitleSegments reads a WebVTT subtitle playlist at u (a rendition's,
// or one a site names directly) and returns its segment URLs.
func (l *Loader) SubtitleSegments(ctx context.Context, u string) ([]string, error) {
	return l.subtitleSegments(ctx, u)
}

// subtitleSegments reads a subtitle rendition's playlist.
func (l *Loader) subtitleSegments(ctx context.Context, u string) ([]string, error) {
	data, final, _, err := l.get(ctx, u)
	if err != nil {
		return nil, err
	}
	ml, err := parseMedia(data, final, extractors.KindMuxed)
	if err != nil {
		return nil, err
	}
	var segs []string
	for _, s := range ml.stream.Segments {
		segs = append(segs, s.URL)
	}
	if len(segs) == 0 {
		return nil, fmt.Errorf("%w: the subtitle playlist lists no segment", ErrBadPlaylist)
	}
	return segs, nil
}
