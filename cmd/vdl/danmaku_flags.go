package main

import (
	"fmt"
	"math"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/vdlproject/vdl/danmaku"
	"github.com/vdlproject/vdl/download"
)

// danmakuFlags are the bullet-comment flags (issue 20), yt-dlp-style
// names; the defaults look like the site's player on the video's frame.
func danmakuFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "write-danmaku", Usage: "save the site's bullet comments beside the video as <name>.danmaku.ass (an external subtitle for mpv, VLC, Jellyfin, Kodi)"},
		&cli.BoolFlag{Name: "danmaku-raw", Usage: "also save the comments as fetched, <name>.danmaku.json (vdl's schema, to render again later)"},
		&cli.BoolFlag{Name: "danmaku-only", Usage: "fetch only the comments (of a URL or a whole series), beside videos already downloaded; no media"},
		&cli.BoolFlag{Name: "danmaku-merge-subs", Usage: "put the site's subtitles (see --sub-langs) at the bottom of the .danmaku.ass, for players that show one track"},
		&cli.StringFlag{Name: "danmaku-font", Usage: "comment `FONT` family", Value: "sans-serif"},
		&cli.Float64Flag{Name: "danmaku-font-size", Usage: "comment font size in `PIXELS` of the video's height (0: height/25)"},
		&cli.Float64Flag{Name: "danmaku-opacity", Usage: "comment opacity, 0.1 to 1", Value: 0.8},
		&cli.DurationFlag{Name: "danmaku-scroll-time", Usage: "time a scrolling comment takes to cross the frame", Value: 8 * time.Second},
		&cli.DurationFlag{Name: "danmaku-static-time", Usage: "time a top or bottom comment stays", Value: 4 * time.Second},
		&cli.Float64Flag{Name: "danmaku-area", Usage: "share of the frame's height comments use, from the top (0.5 keeps the lower half clear)", Value: 1},
		&cli.DurationFlag{Name: "danmaku-offset", Usage: "shift every comment by this much (negative: earlier)"},
		&cli.StringSliceFlag{Name: "danmaku-filter", Usage: "leave out comments matching this regular `EXPR` (repeatable)"},
		&cli.StringFlag{Name: "danmaku-filter-file", Usage: "leave out comments containing any keyword of `FILE` (one a line, # comments)"},
		&cli.IntFlag{Name: "danmaku-max-per-second", Usage: "show at most this many comments a second (0: no cap)"},
		&cli.BoolFlag{Name: "danmaku-no-drop", Usage: "show every comment even when all lanes are full (comments may overlap)"},
	}
}

// danmakuOptions reads the bullet-comment flags.
func danmakuOptions(c *cli.Context) (download.DanmakuOptions, error) {
	o := download.DanmakuOptions{Write: c.Bool("write-danmaku"), Raw: c.Bool("danmaku-raw"), Only: c.Bool("danmaku-only"),
		MergeSubs: c.Bool("danmaku-merge-subs")}
	if o.Only && !o.Raw {
		o.Write = true
	}
	if o.MergeSubs && !o.Write {
		return o, &usageError{"--danmaku-merge-subs needs --write-danmaku"}
	}
	r := danmaku.Options{Font: c.String("danmaku-font"), FontSize: c.Float64("danmaku-font-size"), Opacity: c.Float64("danmaku-opacity"),
		ScrollDuration: c.Duration("danmaku-scroll-time"), StaticDuration: c.Duration("danmaku-static-time"),
		Area: c.Float64("danmaku-area"), Offset: c.Duration("danmaku-offset"), MaxPerSecond: c.Int("danmaku-max-per-second"),
		NoDrop: c.Bool("danmaku-no-drop")}
	switch {
	case badFloat(r.FontSize) || r.FontSize < 0 || r.FontSize > 500:
		return o, &usageError{"--danmaku-font-size: want 0 to 500 pixels"}
	case badFloat(r.Opacity) || r.Opacity < 0.1 || r.Opacity > 1:
		return o, &usageError{"--danmaku-opacity: want 0.1 to 1"}
	case r.ScrollDuration < time.Second || r.ScrollDuration > time.Minute:
		return o, &usageError{"--danmaku-scroll-time: want 1s to 1m"}
	case r.StaticDuration < time.Second || r.StaticDuration > time.Minute:
		return o, &usageError{"--danmaku-static-time: want 1s to 1m"}
	case badFloat(r.Area) || r.Area < 0.1 || r.Area > 1:
		return o, &usageError{"--danmaku-area: want 0.1 to 1"}
	case r.MaxPerSecond < 0:
		return o, &usageError{"--danmaku-max-per-second must be 0 or more"}
	case r.Offset < -24*time.Hour || r.Offset > 24*time.Hour:
		return o, &usageError{"--danmaku-offset: want less than a day"}
	}
	var keywords *os.File
	if p := c.String("danmaku-filter-file"); p != "" {
		f, err := os.Open(p)
		if err != nil {
			return o, &usageError{fmt.Sprintf("--danmaku-filter-file: %v", err)}
		}
		defer f.Close()
		if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
			return o, &usageError{fmt.Sprintf("--danmaku-filter-file %s: not a regular file", p)}
		}
		keywords = f
	}
	if exprs := c.StringSlice("danmaku-filter"); len(exprs) > 0 || keywords != nil {
		var f *danmaku.Filter
		var err error
		if keywords != nil {
			f, err = danmaku.NewFilter(exprs, keywords)
		} else {
			f, err = danmaku.NewFilter(exprs, nil)
		}
		if err != nil {
			return o, &usageError{"--danmaku-filter: " + err.Error()}
		}
		r.Filter = f
	}
	o.Render = r
	return o, nil
}

func badFloat(f float64) bool { return math.IsNaN(f) || math.IsInf(f, 0) }
