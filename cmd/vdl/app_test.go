package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
	"github.com/urfave/cli/v2"

	"github.com/vdlproject/vdl/download"
	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/mux"
	"github.com/vdlproject/vdl/request"
)

func TestPermuteArgs(t *testing.T) {
	app := newCLI(nil, nil, nil)
	app.Commands = []*cli.Command{joinCommand(context.Background(), nil)}
	tests := []struct{ in, want []string }{
		{[]string{"vdl", "URL", "-o", "x.mp4", "-q"}, []string{"vdl", "-o", "x.mp4", "-q", "--", "URL"}},
		{[]string{"vdl", "-n", "16", "URL"}, []string{"vdl", "-n", "16", "--", "URL"}},
		{[]string{"vdl", "--proxy=socks5://h:1", "A", "B"}, []string{"vdl", "--proxy=socks5://h:1", "--", "A", "B"}},
		{[]string{"vdl", "A", "--", "-weird-name"}, []string{"vdl", "--", "A", "-weird-name"}},
		{[]string{"vdl", "-F", "URL", "-f", "720p"}, []string{"vdl", "-F", "-f", "720p", "--", "URL"}},
		{[]string{"vdl"}, []string{"vdl"}},
		{[]string{"vdl", "join", "a.mp4", "b.mp4", "-o", "x.mp4"}, []string{"vdl", "join", "-o", "x.mp4", "--", "a.mp4", "b.mp4"}},
		{[]string{"vdl", "-q", "join", "a.ts", "--force", "-o", "x.ts"}, []string{"vdl", "-q", "join", "--force", "-o", "x.ts", "--", "a.ts"}},
	}
	for _, tt := range tests {
		if got := permuteArgs(tt.in, app); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("permuteArgs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"2M", 2 << 20, true}, {"500k", 500 << 10, true}, {"1.5G", 3 << 29, true}, {"4096", 4096, true},
		{"2MiB", 2 << 20, true}, {"10MB", 10 << 20, true},
		{"", 0, false}, {"fast", 0, false}, {"-1M", 0, false}, {"0", 0, false},
	}
	for _, tt := range tests {
		got, err := parseSize(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestProgressLine(t *testing.T) {
	p := download.Progress{Label: "movie.mp4", Done: 50 << 20, Total: 100 << 20, Parts: 1, Conns: 8, ListPercent: -1}
	line := progressLine(p, float64(10<<20), true)
	for _, want := range []string{"movie.mp4", "50.0%", "50.0 MiB/100.0 MiB", "10.0 MiB/s", "ETA 0:05", "conns 8"} {
		if !strings.Contains(line, want) {
			t.Errorf("progress line %q lacks %q", line, want)
		}
	}
	unknown := progressLine(download.Progress{Label: "live", Done: 1 << 20, Total: -1, ListPercent: -1}, 0, true)
	if strings.Contains(unknown, "%") || strings.Contains(unknown, "ETA") {
		t.Errorf("unknown total rendered a percentage or ETA: %q", unknown)
	}
	if formatETA(3725*time.Second) != "1:02:05" {
		t.Errorf("formatETA = %s", formatETA(3725*time.Second))
	}
}

// TestProgressOverflow: done past total for a moment must not panic and
// shows a full bar.
func TestProgressOverflow(t *testing.T) {
	for _, p := range []download.Progress{{Label: "x", Done: 120, Total: 100}, {Label: "x", Done: -5, Total: 100}} {
		line := progressLine(p, 1, true)
		if !strings.Contains(line, "[") {
			t.Errorf("progress line %q has no bar", line)
		}
	}
}

// TestBarWidthInColumns: a CJK title is cut by display columns, on a
// character boundary, so the bar never wraps a terminal line.
func TestBarWidthInColumns(t *testing.T) {
	var buf bytes.Buffer
	c := &console{w: &buf, tty: true, width: 40}
	title := strings.Repeat("鸡毛飞上天", 10) // 50 characters, 100 columns
	c.Bar(progressLine(download.Progress{Label: title, Done: 1, Total: 2, Parts: 1}, 1, true))
	line := strings.TrimSuffix(strings.TrimPrefix(buf.String(), "\r"), "\x1b[K")
	if !utf8.ValidString(line) {
		t.Fatalf("bar cut inside a character: %q", line)
	}
	if w := runewidth.StringWidth(line); w > 39 || w < 38 {
		t.Errorf("bar is %d columns wide on a 40-column terminal: %q", w, line)
	}
}

func TestOneLine(t *testing.T) {
	err := errors.New("part 0: Get \"http://h/x.mp4\": dial tcp 127.0.0.1:1:\n connection refused")
	if got := oneLine(err); got != "part 0: GET http://h/x.mp4: dial tcp 127.0.0.1:1: connection refused" {
		t.Errorf("oneLine = %q", got)
	}
}

func TestParseHeaders(t *testing.T) {
	h, err := parseHeaders([]string{"X-A: 1", "Cookie: a=b; c=d", "X-A:2"})
	if err != nil || h.Values("X-A")[1] != "2" || h.Get("Cookie") != "a=b; c=d" {
		t.Errorf("parseHeaders = %v, %v", h, err)
	}
	for _, bad := range []string{"NoColon", ": empty", "Bad Name: x"} {
		if _, err := parseHeaders([]string{bad}); err == nil {
			t.Errorf("parseHeaders(%q) accepted", bad)
		}
	}
}

// TestExitCodes: the one map from errors to the documented codes.
func TestExitCodes(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		err  error
		want int
	}{
		{nil, exitOK},
		{&usageError{"x"}, exitUsage},
		{&download.UsageError{Msg: "x"}, exitUsage},
		{fmt.Errorf("fetch: %w", download.ErrNoSpace), exitDisk},
		{fmt.Errorf("%w: x", extractors.ErrNoFormat), exitRefused},
		{fmt.Errorf("-I: %w", download.ErrBadItems), exitUsage},
		{fmt.Errorf("%w: x.mp4", download.ErrBadOutput), exitUsage},
		{&download.DiskError{Err: errors.New("no room")}, exitDisk},
		{&download.JoinError{Err: mux.ErrCorrupt}, exitJoin},
		{&partialError{done: 11, refused: 1}, exitPartial},
		{errSummarised{fmt.Errorf("qq: %w", extractors.ErrVIP)}, exitRefused},
		{errSummarised{&request.StatusError{StatusCode: 503}}, exitNetwork},
		{fmt.Errorf("x: %w", request.ErrBadReply), exitNetwork},
		{errors.New("anything else"), exitFailure},
	}
	for _, tt := range tests {
		if got := exitCode(ctx, tt.err); got != tt.want {
			t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}
