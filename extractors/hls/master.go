package hls

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/grafov/m3u8"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/request"
)

// variant is one EXT-X-STREAM-INF with its URIs resolved.
type variant struct {
	params   *m3u8.VariantParams
	url      string
	audioURL string // the audio rendition's own playlist, "" when audio is muxed in
	audio    *m3u8.Alternative
}

// fromMaster loads each variant's media playlist (and audio rendition)
// and builds one format per variant. A variant whose playlist is refused
// or unreadable is dropped with a warning (a network failure fails the
// whole playlist); if all fail, the first error is returned.
func (l *Loader) fromMaster(ctx context.Context, p *m3u8.MasterPlaylist, raw rawFacts, base *url.URL) ([]extractors.Format, time.Duration, error) {
	b := &builder{base: base}
	var vs []variant
	want := map[string]extractors.Kind{}
	for _, v := range p.Variants {
		if v == nil || v.Iframe || v.URI == "" {
			continue
		}
		u, err := b.resolve(v.URI)
		if err != nil {
			return nil, 0, err
		}
		vr := variant{params: &v.VariantParams, url: u}
		if alt := audioRendition(v); alt != nil && alt.URI != "" {
			if vr.audioURL, err = b.resolve(alt.URI); err != nil {
				return nil, 0, err
			}
			vr.audio = alt
			want[vr.audioURL] = extractors.KindAudio
		}
		if _, seen := want[u]; !seen || want[u] != extractors.KindAudio {
			want[u] = variantKind(vr)
		}
		vs = append(vs, vr)
	}
	if len(vs) == 0 {
		return nil, 0, fmt.Errorf("%w: the master playlist lists no variants", ErrBadPlaylist)
	}
	lists, errs, err := l.loadMediaLists(ctx, want)
	if err != nil {
		return nil, 0, err
	}
	var (
		formats  []extractors.Format
		firstErr error
		dur      time.Duration
	)
	for _, v := range vs {
		f, d, err := variantFormat(v, lists, errs)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			if l.Log != nil {
				l.Log.Warn("skipping a variant whose playlist failed", "bandwidth", v.params.Bandwidth, "err", err)
			}
			continue
		}
		if len(raw.drm) > 0 {
			markDRM(&f, raw.drm[0]) // EXT-X-SESSION-KEY covers every variant
		}
		formats = append(formats, f)
		dur = max(dur, d)
	}
	if len(formats) == 0 {
		return nil, 0, firstErr
	}
	extractors.SortBest(formats)
	uniqueIDs(formats)
	return formats, dur, nil
}

// audioRendition picks the variant's audio: the DEFAULT=YES rendition of
// its group, else the first one.
func audioRendition(v *m3u8.Variant) *m3u8.Alternative {
	var first *m3u8.Alternative
	for _, a := range v.Alternatives {
		if a == nil || !strings.EqualFold(a.Type, "AUDIO") || a.GroupId != v.Audio {
			continue
		}
		if a.Default {
			return a
		}
		if first == nil {
			first = a
		}
	}
	return first
}

func variantKind(v variant) extractors.Kind {
	if v.audioURL != "" {
		return extractors.KindVideo
	}
	return extractors.KindMuxed
}

func variantFormat(v variant, lists map[string]*mediaList, errs map[string]error) (extractors.Format, time.Duration, error) {
	ml := lists[v.url]
	if ml == nil {
		return extractors.Format{}, 0, fmt.Errorf("variant playlist %s: %w", request.Redact(v.url), errs[v.url])
	}
	p := v.params
	f := extractors.Format{
		ID:        "hls-" + strconv.FormatUint(uint64(bandwidthOf(p))/1000, 10),
		Label:     p.Name,
		Container: ml.container,
		Bitrate:   int64(bandwidthOf(p)),
		Codecs:    p.Codecs,
		FPS:       p.FrameRate,
		Size:      ml.exactSize,
		Streams:   []extractors.Stream{ml.stream},
	}
	if p.Bandwidth == 0 {
		f.ID = "hls"
	}
	f.Width, f.Height = parseResolution(p.Resolution)
	markDRM(&f, ml.drm)
	if v.audioURL != "" {
		al := lists[v.audioURL]
		if al == nil {
			return f, 0, fmt.Errorf("audio playlist %s: %w", request.Redact(v.audioURL), errs[v.audioURL])
		}
		al.stream.Kind = extractors.KindAudio
		f.Streams[0].Kind = extractors.KindVideo
		f.Streams = append(f.Streams, al.stream)
		markDRM(&f, al.drm)
		if f.Size >= 0 && al.exactSize >= 0 {
			f.Size += al.exactSize
		} else {
			f.Size = -1
		}
		if al.container != ml.container {
			f.Container = ml.container + "+" + al.container
		}
		if f.Label == "" && v.audio.Name != "" {
			f.Label = "audio: " + v.audio.Name
		}
	}
	if f.Size < 0 && f.Bitrate > 0 {
		f.EstSize = int64(float64(f.Bitrate) / 8 * ml.duration.Seconds())
	}
	return f, ml.duration, nil
}

// bandwidthOf prefers AVERAGE-BANDWIDTH, the better size estimate.
func bandwidthOf(p *m3u8.VariantParams) uint32 {
	if p.AverageBandwidth > 0 {
		return p.AverageBandwidth
	}
	return p.Bandwidth
}

func parseResolution(s string) (w, h int) {
	a, b, ok := strings.Cut(strings.ToLower(s), "x")
	if !ok {
		return 0, 0
	}
	w, err1 := strconv.Atoi(a)
	h, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || w < 0 || h < 0 {
		return 0, 0
	}
	return w, h
}

func markDRM(f *extractors.Format, scheme string) {
	if scheme != "" && !f.DRM {
		f.DRM, f.DRMScheme = true, scheme
	}
}

// uniqueIDs suffixes repeated IDs (two variants of one bandwidth) so that
// every format can be named with -f.
func uniqueIDs(fs []extractors.Format) {
	seen := map[string]int{}
	for i := range fs {
		id := fs[i].ID
		seen[id]++
		if n := seen[id]; n > 1 {
			fs[i].ID = fmt.Sprintf("%s-%d", id, n)
		}
	}
}
