package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	ms "github.com/vdlproject/vdl/internal/mediaserver"
)

// TestTemplateRefusedConversions: a width past the bound, a conversion
// vdl does not have, and a field with no type are refused before any
// request: exit 2 within seconds, one line naming the conversion (not a
// goroutine dump after a 10 GB allocation), nothing written.
func TestTemplateRefusedConversions(t *testing.T) {
	var requests atomic.Int64
	s := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.NotFound(w, r)
	})
	tests := map[string]string{
		"%(title)9999999999s":  "%(title)9999999999s",
		"%(title).9999999999s": "%(title).9999999999s",
		"%(title)201s.mp4":     "%(title)201s",
		"%(title)q.mp4":        "unsupported conversion %(title)q",
		"%(title)#s.mp4":       "unsupported conversion %(title)#s",
		"%(title).%(ext)s":     "%(title). has no conversion type",
		"%(title|x)s.mp4":      "%(title|x)",
	}
	for tmpl, want := range tests {
		t.Run(tmpl, func(t *testing.T) {
			dir := t.TempDir()
			r := runWithin(t, 30*time.Second, "-q", "-d", dir, "-o", tmpl, s.URL+"/video.mp4")
			if r.code != exitUsage {
				t.Fatalf("exit %d, want %d: %.300s", r.code, exitUsage, r.stderr)
			}
			oneErrorLine(t, r.stderr, want)
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("%d entries written in -d", len(entries))
			}
		})
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("the server was asked %d times for a template refused at the start", n)
	}
}

// TestTemplatePaddingNamesEachVideo: "%(title)-10s" pads each title (it
// is not one literal name for every URL, under which the second video,
// of the same size, was taken as "already downloaded").
func TestTemplatePaddingNamesEachVideo(t *testing.T) {
	one, two := ms.RandomBytes(64<<10), ms.RandomBytes(64<<10)
	s := ms.StartSite(map[string][]byte{"/a.mp4": one, "/bb.mp4": two}, ms.SiteOptions{})
	defer s.Close()
	dir := t.TempDir()
	r := runWithin(t, time.Minute, "-q", "-d", dir, "-o", "%(title)-10s.mp4", s.URL("/a.mp4"), s.URL("/bb.mp4"))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for name, want := range map[string][]byte{"a         .mp4": one, "bb        .mp4": two} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%q: %d bytes, %v; want the video's %d bytes", name, len(got), err, len(want))
		}
	}
	// (The run's journal may be there too: only videos are counted.)
	if videos, _ := filepath.Glob(filepath.Join(dir, "*.mp4")); len(videos) != 2 {
		t.Errorf("-d holds the videos %q, want the two", videos)
	}
}

// TestTemplatePrecisionCutsCharacters: "%(title).50s" keeps the first 50
// characters of a title (runes: a cut in bytes would split a character
// of this title), then the extension.
func TestTemplatePrecisionCutsCharacters(t *testing.T) {
	title := strings.Repeat("第", 40) + strings.Repeat("x", 40)
	data := ms.RandomBytes(32 << 10)
	s := ms.StartSite(map[string][]byte{"/" + title + ".mp4": data}, ms.SiteOptions{})
	defer s.Close()
	dir := t.TempDir()
	r := runWithin(t, time.Minute, "-q", "-d", dir, "-o", "%(title).50s.%(ext)s", s.URL("/"+url.PathEscape(title)+".mp4"))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	want := strings.Repeat("第", 40) + strings.Repeat("x", 10) + ".mp4"
	if got, err := os.ReadFile(filepath.Join(dir, want)); err != nil || !bytes.Equal(got, data) {
		entries, _ := os.ReadDir(dir)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("want %q with the video (%v); -d holds %q", want, err, names)
	}
}

// runWithin runs the binary like runVDL, but kills it after d: a run
// that hangs or allocates without end fails the test instead of the
// test binary's deadline.
func runWithin(t *testing.T, d time.Duration, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	cmd := exec.CommandContext(ctx, vdlBin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("vdl %q did not finish within %v: %.300s", args, d, errb.String())
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return result{out.String(), errb.String(), cmd.ProcessState.ExitCode()}
}
