package qq

import (
	"context"
	"errors"
	"fmt"

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
	return f.x.clipsFormat(ctx, v, files, v.prefixes(), func(ctx context.Context, file clipFile) (string, string, error) {
		k, err := f.getkey(ctx, v, platform, file)
		return file.name, k, err
	}, mediaURL)
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
