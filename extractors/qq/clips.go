package qq

import (
	"context"
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/vdlproject/vdl/extractors"
)

// clipsFormat is the one way a quality of MP4 clips becomes a format,
// for the legacy getkey flow and proxyhttp's clip mode: a key per clip
// file (asked a few at a time: the player asks per clip too; key may
// also rename the file), the clips laid out as one stream, each on every
// CDN prefix (the first as URL, the others as mirrors). mediaURL names a
// file with its key on a prefix.
func (x *extractor) clipsFormat(ctx context.Context, v *vinfo, files []clipFile, prefixes []string,
	key func(context.Context, clipFile) (name, key string, err error), mediaURL func(prefix, name, key string) string) (extractors.Format, error) {
	if len(prefixes) == 0 {
		return extractors.Format{}, fmt.Errorf("%w: qq: unexpected reply (no MP4 CDN prefix for %s)", extractors.ErrAPIChanged, v.quality.name)
	}
	keys := make([]string, len(files))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8) // one round trip for most episodes
	for i := range files {
		g.Go(func() error {
			name, k, err := key(gctx, files[i])
			files[i].name, keys[i] = name, k
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return extractors.Format{}, err
	}
	fm := baseFormat(v)
	fm.Container, fm.Size = "mp4", 0
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
	fm.Streams = []extractors.Stream{{Kind: extractors.KindMuxed, Segments: segs, Header: x.c.mediaHeader()}}
	return fm, nil
}
