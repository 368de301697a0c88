package qq

import (
	"context"
	"fmt"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/extractors/hls"
	"github.com/vdlproject/vdl/request"
)

// loadSubtitlePlaylists reads the subtitles that are HLS playlists (an
// sfl URL ending .m3u8, such as "....vtt.m3u8": WebVTT segments, as
// yt-dlp's m3u8_native subtitles), so that the sidecar is made of their
// cues (X-TIMESTAMP-MAP applied by the writer), never of the playlist
// text. A playlist the CDN refuses or that does not parse leaves that
// language out with a warning; a network failure after its retries
// fails the extraction, as any other (a fault must not change the
// result).
func (x *extractor) loadSubtitlePlaylists(ctx context.Context, subs []extractors.Subtitle) ([]extractors.Subtitle, error) {
	loader := &hls.Loader{HTTP: x.c.http, Header: x.c.mediaHeader(), Log: x.log}
	out := subs[:0:0]
	for _, s := range subs {
		if !isPlaylistURL(s.URL) {
			out = append(out, s)
			continue
		}
		segs, err := loader.SubtitleSegments(ctx, s.URL)
		switch {
		case err != nil && request.Retryable(err):
			return nil, fmt.Errorf("qq: subtitles %s: %w", s.Lang, err)
		case err != nil:
			x.log.Warn("a subtitle playlist is unreadable; left out", "lang", s.Lang, "err", err)
			continue
		}
		s.Ext, s.Segments = "vtt", segs
		out = append(out, s)
	}
	return out, nil
}
