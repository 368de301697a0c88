package qq

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/extractors/hls"
)

// tsFormat builds a proxyhttp TS-mode quality (docs/vqq.md §2D): from
// ul.m3u8 when the reply has it (the playlist's text, or a link to it:
// its segment durations let a preview be told before any media byte),
// else from fn and the segment count, segment <stem>.<idx>.ts on every
// CDN prefix (the first as URL, the others as mirrors). A reply whose
// fn is not TS does not offer the quality in this mode.
func (x *extractor) tsFormat(ctx context.Context, v *vinfo) (extractors.Format, error) {
	prefixes := cdnPrefixes(v)
	if len(prefixes) == 0 {
		return extractors.Format{}, fmt.Errorf("%w: qq: unexpected proxyhttp-ts reply (no CDN prefix for %s)", extractors.ErrAPIChanged, v.quality.name)
	}
	if v.m3u8 != "" {
		return x.tsFromPlaylist(ctx, v, cutPrefix(v.mirrors[0].url), prefixes)
	}
	stem, isTS := strings.CutSuffix(v.fn, ".ts")
	switch {
	case isTS && v.segments > 0:
	case len(v.playlists()) > 0:
		return x.hlsFormat(ctx, v, v.playlists())
	case !isTS:
		return extractors.Format{}, fmt.Errorf("%w: qq: proxyhttp-ts gives %s as %q, not TS", errNotInMode, v.quality.name, v.fn)
	default:
		return extractors.Format{}, fmt.Errorf("%w: qq: unexpected proxyhttp-ts reply (field vl.vi.0.fc missing for %s)", extractors.ErrAPIChanged, v.quality.name)
	}
	f := baseFormat(v)
	f.Container, f.Size = "ts", -1
	f.EstSize = v.quality.size
	segs := make([]extractors.Segment, v.segments)
	for i := range segs {
		file := stem + "." + strconv.Itoa(i+1) + ".ts?sdtfrom=" + proxySdtfrom
		segs[i] = extractors.Segment{URL: prefixes[0] + file, Size: -1}
		for _, p := range prefixes[1:] {
			segs[i].Mirrors = append(segs[i].Mirrors, p+file)
		}
	}
	f.Streams = []extractors.Stream{{Kind: extractors.KindMuxed, Segments: segs, Header: x.c.mediaHeader()}}
	return f, nil
}

// errNotInMode marks a quality a flow's mode does not offer (TS mode
// answering with an MP4 file): left out of that flow, not a failure.
var errNotInMode = fmt.Errorf("not offered in this mode")

// cdnPrefixes are the CDN prefixes of a proxyhttp reply, each cut back to
// its last "/" (the player's rule), hosts of Tencent's own CDN
// (*.tc.qq.com) first, as the working downloaders prefer them.
func cdnPrefixes(v *vinfo) []string {
	var own, other []string
	seen := map[string]bool{}
	for _, m := range v.mirrors {
		p := cutPrefix(m.url)
		u, err := url.Parse(p)
		if err != nil || u.Host == "" || seen[p] {
			continue
		}
		seen[p] = true
		if strings.HasSuffix(strings.ToLower(u.Hostname()), ".tc.qq.com") {
			own = append(own, p)
		} else {
			other = append(other, p)
		}
	}
	return append(own, other...)
}

// cutPrefix cuts a CDN prefix back to its last "/" (the player's rule:
// some prefixes end with a file name).
func cutPrefix(p string) string {
	if i := strings.LastIndex(p, "/"); i >= len("https://") {
		return p[:i+1]
	}
	return p
}

// tsFromPlaylist reads ul.m3u8: playlist text or a link (absolute, or
// relative), both against the reply's first prefix (ul.ui[0], as the
// player resolves it). Segments under that prefix get the same path
// under the others as mirrors.
func (x *extractor) tsFromPlaylist(ctx context.Context, v *vinfo, first string, prefixes []string) (extractors.Format, error) {
	loader := &hls.Loader{HTTP: x.c.http, Header: x.c.mediaHeader(), Log: x.log}
	base, err := url.Parse(first)
	if err != nil || base.Host == "" {
		return extractors.Format{}, fmt.Errorf("%w: qq: proxyhttp-ts prefix %q", extractors.ErrAPIChanged, first)
	}
	var fs []extractors.Format
	var dur time.Duration
	if strings.HasPrefix(v.m3u8, "#EXTM3U") {
		fs, dur, err = loader.FormatsOfText(ctx, []byte(v.m3u8), base)
	} else {
		link, perr := base.Parse(v.m3u8)
		if perr != nil || link.Scheme != "https" && link.Scheme != "http" || path.Ext(link.Path) != ".m3u8" {
			return extractors.Format{}, fmt.Errorf("%w: qq: proxyhttp-ts field vl.vi.0.ul.m3u8 is neither a playlist nor a link (%s)",
				extractors.ErrAPIChanged, preview([]byte(v.m3u8)))
		}
		fs, dur, _, err = loader.FormatsFrom(ctx, []string{link.String()})
	}
	if err != nil {
		return extractors.Format{}, fmt.Errorf("qq: %s playlist: %w", v.quality.name, err)
	}
	got := fs[0]
	f := baseFormat(v)
	f.Container, f.Size, f.Codecs, f.DRM, f.DRMScheme = got.Container, got.Size, got.Codecs, got.DRM, got.DRMScheme
	if f.Size < 0 {
		f.EstSize = max(v.quality.size, got.EstSize)
		if f.EstSize == 0 && f.Bitrate > 0 {
			f.EstSize = f.Bitrate / 8 * int64(max(dur, v.duration)/time.Second)
		}
	}
	var others []mirror
	for _, p := range prefixes {
		if p != first {
			others = append(others, mirror{url: p})
		}
	}
	for si := range got.Streams {
		st := &got.Streams[si]
		st.Header = x.c.mediaHeader()
		for k := range st.Segments {
			addMirrors(&st.Segments[k], first, others)
		}
	}
	f.Streams = got.Streams
	return f, nil
}
