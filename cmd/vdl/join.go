package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/vdlproject/vdl/download"
	"github.com/vdlproject/vdl/mux"
)

func joinCommand(ctx context.Context, con *console) *cli.Command {
	return &cli.Command{
		Name:      "join",
		Usage:     "join parts you already have into one file: MP4 clips, .ts segments, or an fMP4 init + .m4s segments",
		UsageText: "vdl join -o OUT PART...",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "output `FILE` (its container follows the parts)"},
			&cli.StringFlag{Name: "ffmpeg", Usage: "join with ffmpeg instead: a `PATH`, or \"auto\" to search PATH"},
			&cli.BoolFlag{Name: "co64", Usage: "write 64-bit chunk offsets even for small files"},
			&cli.StringFlag{Name: "remux", Usage: "`KIND` fmp4 keeps an init + fragments join fragmented; ts keeps .ts parts as TS (default: a regular MP4 when -o says .mp4)"},
			&cli.BoolFlag{Name: "force", Usage: "replace an existing output"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print nothing on success"},
		},
		Action: func(c *cli.Context) error {
			return runJoin(ctx, c, con)
		},
		OnUsageError: func(_ *cli.Context, err error, _ bool) error { return &usageError{err.Error()} },
	}
}

func runJoin(ctx context.Context, c *cli.Context, con *console) error {
	out, parts := c.String("output"), c.Args().Slice()
	switch {
	case out == "":
		return &usageError{"join: -o OUT is required"}
	case len(parts) == 0:
		return &usageError{"join: no parts given"}
	}
	outInfo, err := os.Lstat(out) // a link, even a dangling one, is in the way
	if err == nil && !c.Bool("force") {
		return &download.DiskError{Err: fmt.Errorf("join: %s exists (use --force to replace it)", out)}
	}
	for _, p := range parts {
		if pi, perr := os.Stat(p); p == out || err == nil && perr == nil && os.SameFile(pi, outInfo) {
			return &usageError{fmt.Sprintf("join: %s is both a part and the output", p)}
		}
	}
	if choice := c.String("ffmpeg"); choice != "" {
		ff, err := mux.FindFFmpeg(choice)
		if err != nil {
			return &usageError{"join: " + err.Error()}
		}
		if err := mux.FFmpegJoin(ctx, ff, out, parts); err != nil {
			return &download.JoinError{Err: err}
		}
		if !c.Bool("quiet") {
			con.Printf("vdl: joined %s into %s with %s", plural(len(parts), "part"), out, ff)
		}
		return nil
	}
	log := slog.New(&logHandler{con: con, level: slog.LevelWarn}) // what the join dropped or bridged
	switch c.String("remux") {
	case "", "mp4", "fmp4", "ts":
	default:
		return &usageError{fmt.Sprintf("join: --remux %q: want mp4, fmp4 or ts", c.String("remux"))}
	}
	if ext := strings.ToLower(filepath.Ext(out)); c.String("remux") == "ts" && ext != ".ts" && ext != ".m2ts" {
		return &usageError{fmt.Sprintf("join: --remux ts writes MPEG-TS, but -o %s does not end in .ts", out)}
	}
	kind, rep, err := mux.Join(ctx, out, mux.Files(parts), mux.JoinOptions{MP4Options: mux.MP4Options{ForceCo64: c.Bool("co64"), Log: log, KeepFragmented: c.String("remux") == "fmp4"}})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &download.JoinError{Err: err}
	}
	if !c.Bool("quiet") {
		con.Printf("vdl: joined %s (%s) into %s%s", plural(len(parts), "part"), kind, out, describeReport(rep))
	}
	return nil
}

// plural is "1 part", "2 parts".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// describeReport summarises what a join did: sample counts per kind, and
// any samples dropped or gaps bridged at the joins.
func describeReport(rep *mux.Report) string {
	if rep == nil {
		return ""
	}
	names := map[string]string{"vide": "video", "soun": "audio"}
	var kinds []string
	for k := range rep.Samples {
		kinds = append(kinds, k)
	}
	sort.Sort(sort.Reverse(sort.StringSlice(kinds))) // video first
	var parts []string
	for _, k := range kinds {
		s := plural(rep.Samples[k], names[k]+" sample")
		if d := rep.Dropped[k]; d > 0 {
			s += ", " + plural(d, "priming sample") + " dropped at joins"
		}
		parts = append(parts, s)
	}
	if rep.Gaps > 0 {
		parts = append(parts, plural(rep.Gaps, "gap")+" bridged")
	}
	return " (" + strings.Join(parts, "; ") + ")"
}
