package qq

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/vdlproject/vdl/extractors"
)

// Flows 1 and 2 (docs/vqq.md §2D, §8): the current web player's
// proxyhttp API, in TS mode, then in MP4-clip mode. Both ask once per
// quality, as the player does when the user picks one.

// proxyFlow is proxyhttp in one mode.
type proxyFlow struct {
	x  *extractor
	ts bool // TS segments (dtype=3); else MP4 clips (dtype=1)
}

func (f *proxyFlow) name() string {
	if f.ts {
		return flowProxyTS
	}
	return flowProxyMP4
}

func (f *proxyFlow) resolve(ctx context.Context, ep episode) (*resolved, error) {
	ask := func(ctx context.Context, defn string) (*vinfo, error) { return f.request(ctx, ep, defn) }
	first, err := ask(ctx, "hd")
	if err != nil {
		return nil, err
	}
	vinfos, err := f.x.perQuality(ctx, first, ask)
	if err != nil {
		return nil, err
	}
	build := f.x.tsFormat
	if !f.ts {
		build = func(ctx context.Context, v *vinfo) (extractors.Format, error) { return f.clipFormat(ctx, ep, v) }
	}
	return f.x.buildFormats(ctx, first, vinfos, build, ask)
}

// request asks vinfoad for one quality.
func (f *proxyFlow) request(ctx context.Context, ep episode, defn string) (*vinfo, error) {
	step := f.name() + " vinfoad defn=" + defn
	r, err := f.x.proxyRequest(ctx, step, "vinfoad", "vinfoparam", "vinfo", func() url.Values {
		return f.x.vinfoParam(ep, defn, f.ts)
	})
	if err != nil {
		return nil, err
	}
	v, err := parseVinfo(f.name()+" vinfo", r)
	if err == nil && v.duration <= 0 {
		// Without td no preview can be told from the video: a changed
		// reply, not a video of unknown length.
		return nil, fmt.Errorf("%w: qq: unexpected %s vinfo reply (field vl.vi.0.td missing or not a number)", extractors.ErrAPIChanged, f.name())
	}
	return v, err
}

// clipFormat asks onlyvkey for a key per clip file of the quality and
// lays the clips out as one stream, each on every CDN prefix.
func (f *proxyFlow) clipFormat(ctx context.Context, ep episode, v *vinfo) (extractors.Format, error) {
	if path.Ext(v.fn) != ".mp4" {
		return extractors.Format{}, fmt.Errorf("%w: qq: proxyhttp-mp4 gives %s as %q, not MP4 clips", errNotInMode, v.quality.name, v.fn)
	}
	files, err := clipFiles(v)
	if err != nil {
		return extractors.Format{}, err
	}
	fm, err := f.x.clipsFormat(ctx, v, files, cdnPrefixes(v), func(ctx context.Context, file clipFile) (string, string, error) {
		return f.onlyVKey(ctx, ep, v, file)
	}, func(prefix, name, key string) string {
		return prefix + name + "?sdtfrom=" + proxySdtfrom + "&vkey=" + url.QueryEscape(key)
	})
	if err != nil {
		return fm, err
	}
	if seg := &fm.Streams[0].Segments[0]; len(files) == 1 && (len(v.clips) == 0 || v.clips[0].duration == 0) && !v.hasPreview {
		// A reply without preview and without clip durations: only the
		// file's own header tells a trial (its first minutes) from the
		// video, so read it before any download.
		if d := f.x.probeMP4Duration(ctx, seg.URL); d > 0 {
			seg.Duration = d
		}
	}
	return fm, nil
}

// onlyVKey asks the key of one clip file. The reply may rename the file
// (its filename wins when it is a plain file name).
func (f *proxyFlow) onlyVKey(ctx context.Context, ep episode, v *vinfo, file clipFile) (string, string, error) {
	step := f.name() + " onlyvkey " + file.name
	r, err := f.x.proxyRequest(ctx, step, "onlyvkey", "vkeyparam", "vkey", func() url.Values {
		q := f.x.proxyCommon(ep, f.x.signProxy(ep.vid))
		q.Set("format", file.format)
		q.Set("filename", file.name)
		return q
	})
	if err != nil {
		return "", "", err
	}
	key := r.Get("key").String()
	if key == "" {
		return "", "", fmt.Errorf("%w: qq: unexpected %s reply (field key missing)", extractors.ErrAPIChanged, step)
	}
	name := file.name
	if fn := r.Get("filename").String(); fn != "" && !strings.ContainsAny(fn, "/?#\\") && path.Ext(fn) == ".mp4" {
		name = fn
	}
	return name, key, nil
}
