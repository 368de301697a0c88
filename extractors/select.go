package extractors

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// SortBest orders formats best first, as Select expects them: taller,
// then higher bitrate, then bigger; equals keep their order.
func SortBest(fs []Format) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Height != b.Height {
			return a.Height > b.Height
		}
		if a.Bitrate != b.Bitrate {
			return a.Bitrate > b.Bitrate
		}
		return max(a.Size, a.EstSize) > max(b.Size, b.EstSize)
	})
}

// Select picks a format from formats (best first) by a preference:
//
//	"" or "best"   the first format without DRM
//	"worst"        the last format without DRM
//	"720p"         the best format 720 pixels high
//	"<id>"         the format with that ID (case-insensitive)
//	"a/b/c"        the first alternative that matches
//
// DRM formats are never chosen; naming one returns ErrDRM.
func Select(formats []Format, pref string) (*Format, error) {
	pref = strings.TrimSpace(pref)
	if pref == "" {
		pref = "best"
	}
	var drmHit *Format
	for _, alt := range strings.Split(pref, "/") {
		f, drm := selectOne(formats, strings.TrimSpace(alt))
		if f != nil {
			return f, nil
		}
		if drm != nil && drmHit == nil {
			drmHit = drm
		}
	}
	if drmHit != nil {
		if drmHit.DRMScheme != "" {
			return nil, fmt.Errorf("format %s: %w: %s; vdl does not download DRM content", drmHit.ID, ErrDRM, drmHit.DRMScheme)
		}
		return nil, fmt.Errorf("format %s: %w; vdl does not download DRM content", drmHit.ID, ErrDRM)
	}
	return nil, fmt.Errorf("%w %q (have: %s)", ErrNoFormat, pref, formatIDs(formats))
}

// selectOne returns the match for one alternative, or the DRM format the
// alternative named (so the error can say why).
func selectOne(formats []Format, alt string) (match, drm *Format) {
	lower := strings.ToLower(alt)
	pick := func(i int) (*Format, *Format) {
		if formats[i].DRM {
			return nil, &formats[i]
		}
		return &formats[i], nil
	}
	switch {
	case lower == "best":
		for i := range formats {
			if !formats[i].DRM {
				return &formats[i], nil
			}
		}
		return nil, firstDRM(formats)
	case lower == "worst":
		for i := len(formats) - 1; i >= 0; i-- {
			if !formats[i].DRM {
				return &formats[i], nil
			}
		}
		return nil, firstDRM(formats)
	}
	for i := range formats {
		if strings.EqualFold(formats[i].ID, alt) {
			return pick(i)
		}
	}
	if h, ok := strings.CutSuffix(lower, "p"); ok {
		if height, err := strconv.Atoi(h); err == nil {
			for i := range formats {
				if formats[i].Height == height && !formats[i].DRM {
					return &formats[i], nil
				}
			}
			for i := range formats {
				if formats[i].Height == height {
					return pick(i)
				}
			}
		}
	}
	return nil, nil
}

// firstDRM returns the first format, which then can only be a DRM one, so
// that "best" on an all-DRM list says DRM rather than "no format".
func firstDRM(formats []Format) *Format {
	if len(formats) > 0 && formats[0].DRM {
		return &formats[0]
	}
	return nil
}

func formatIDs(formats []Format) string {
	ids := make([]string, len(formats))
	for i, f := range formats {
		ids[i] = f.ID
	}
	return strings.Join(ids, ", ")
}
