package qq

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/vdlproject/vdl/extractors"
)

// Flow 4 (docs/vqq.md §2A): legacy getinfo per quality, then one getkey per
// clip file. Platforms are tried in order while the API answers "cannot
// play outside" (you-get's and ykdl's fallbacks, merged).
var legacyPlatforms = []string{"11", "4100201", "2", "1"}

type legacyFlow struct{ x *extractor }

func (f *legacyFlow) name() string { return flowLegacy }

func (f *legacyFlow) resolve(ctx context.Context, ep episode) (*resolved, error) {
	var first *vinfo
	var platform string
	var err error
	for _, platform = range legacyPlatforms {
		first, err = f.getinfo(ctx, ep.vid, "shd", platform)
		if !errors.Is(err, ErrCannotPlayOutside) {
			break
		}
		f.x.log.Info("platform refused; trying the next", "platform", platform)
	}
	if err != nil {
		return nil, err
	}
	ask := func(ctx context.Context, defn string) (*vinfo, error) { return f.getinfo(ctx, ep.vid, defn, platform) }
	vinfos, err := f.x.perQuality(ctx, first, ask)
	if err != nil {
		return nil, err
	}
	return f.x.buildFormats(ctx, first, vinfos, func(ctx context.Context, v *vinfo) (extractors.Format, error) {
		return f.clipFormat(ctx, v, platform)
	}, ask)
}

func (f *legacyFlow) getinfo(ctx context.Context, vid, defn, platform string) (*vinfo, error) {
	r, err := f.x.c.reply(ctx, "getinfo", func() string { return getinfoURL(vid, defn, platform) })
	if err != nil {
		return nil, err
	}
	return parseVinfo("getinfo", r)
}

// clipFormat asks a vkey for each clip file of the quality (the files
// named by the reply: fn and cl.ci keyids) and lays the clips out as one
// stream, each clip with the other CDN prefixes as mirrors.
func (f *legacyFlow) clipFormat(ctx context.Context, v *vinfo, platform string) (extractors.Format, error) {
	if playlists := v.playlists(); len(playlists) > 0 {
		return f.x.hlsFormat(ctx, v, playlists) // some videos answer with HLS here too
	}
	files, err := clipFiles(v)
	if err != nil {
		return extractors.Format{}, err
	}
	prefixes := v.prefixes()
	if len(prefixes) == 0 {
		return extractors.Format{}, fmt.Errorf("%w: qq: unexpected getinfo reply (no MP4 CDN prefix for %s)", extractors.ErrAPIChanged, v.quality.name)
	}
	keys := make([]string, len(files))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8) // one round trip for most episodes; the player asks per clip too
	for i, file := range files {
		g.Go(func() error {
			k, err := f.getkey(gctx, v, platform, file)
			keys[i] = k
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return extractors.Format{}, err
	}
	fm := baseFormat(v)
	fm.Container = "mp4"
	fm.Size = 0
	segs := make([]extractors.Segment, len(files))
	for i, file := range files {
		segs[i] = extractors.Segment{URL: mediaURL(prefixes[0], file.name, keys[i]), Size: knownSize(file.size)}
		if i < len(v.clips) {
			segs[i].Duration = v.clips[i].duration
		}
		for _, p := range prefixes[1:] {
			segs[i].Mirrors = append(segs[i].Mirrors, mediaURL(p, file.name, keys[i]))
		}
		if fm.Size >= 0 && segs[i].Size >= 0 {
			fm.Size += segs[i].Size
		} else {
			fm.Size = -1
		}
	}
	if len(files) == 1 && segs[0].Duration == 0 {
		segs[0].Duration = v.duration
	}
	fm.Streams = []extractors.Stream{{Kind: extractors.KindMuxed, Segments: segs, Header: f.x.c.mediaHeader()}}
	return fm, nil
}

// getkey returns the vkey of one file. A reply without a key falls back
// to the quality's fvkey (lux, ykdl); a refusal fails the quality.
func (f *legacyFlow) getkey(ctx context.Context, v *vinfo, platform string, file clipFile) (string, error) {
	r, err := f.x.c.reply(ctx, "getkey", func() string { return getkeyURL(v.vid, platform, file) })
	if err != nil {
		return "", fmt.Errorf("%s: %w", file.name, err)
	}
	if k := r.Get("key").String(); k != "" {
		return k, nil
	}
	if v.fvkey == "" {
		return "", fmt.Errorf("%w: qq: unexpected getkey reply for %s (field key missing, no fvkey)", extractors.ErrAPIChanged, file.name)
	}
	return v.fvkey, nil
}
