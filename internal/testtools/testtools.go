// Package testtools finds the external programs tests drive (nginx,
// tinyproxy, dante, ffmpeg, ffprobe) and wraps the ffprobe/ffmpeg checks
// of docs/mux.md §6. A missing tool skips the test, or fails it when
// VDL_REQUIRE_TOOLS=1 (CI), so CI cannot pass by skipping.
package testtools

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Require returns the path of an external program, or skips/fails t.
func Require(t testing.TB, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/sbin"} {
		if c := filepath.Join(dir, name); isExec(c) {
			return c
		}
	}
	if os.Getenv("VDL_REQUIRE_TOOLS") == "1" {
		t.Fatalf("%s is required (VDL_REQUIRE_TOOLS=1) but not installed: run .ci/run or apt-get install it", name)
	}
	t.Skipf("%s not installed; skipping (install it or run .ci/run)", name)
	return ""
}

func isExec(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

func run(t testing.TB, name string, args ...string) (stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(Require(t, name), args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, e.String())
	}
	return o.String(), e.String()
}

// Duration is the container duration in seconds (ffprobe format=duration).
func Duration(t testing.TB, file string) float64 {
	t.Helper()
	out, _ := run(t, "ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", file)
	d, err := strconv.ParseFloat(strings.TrimSpace(out), 64)
	if err != nil {
		t.Fatalf("ffprobe duration of %s: %q", file, out)
	}
	return d
}

// Packets counts demuxed packets per codec type ("video", "audio").
// Streams listed twice (TS programs) are counted once.
func Packets(t testing.TB, file string) map[string]int {
	t.Helper()
	out, _ := run(t, "ffprobe", "-v", "error", "-count_packets", "-show_entries",
		"stream=index,codec_type,nb_read_packets", "-of", "csv=p=0", file)
	counts := map[string]int{}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Split(line, ",")
		if len(f) < 3 || seen[f[0]] {
			continue
		}
		seen[f[0]] = true
		n, _ := strconv.Atoi(f[2])
		counts[f[1]] += n
	}
	return counts
}

// StreamHash returns ffmpeg's per-stream MD5 of all packet payloads,
// e.g. ["0,v,MD5=...", "1,a,MD5=..."].
func StreamHash(t testing.TB, file string) []string {
	t.Helper()
	out, _ := run(t, "ffmpeg", "-v", "error", "-i", file, "-map", "0", "-c", "copy", "-f", "streamhash", "-hash", "md5", "-")
	return strings.Fields(out)
}

// DecodeErrors fully decodes file and returns what ffmpeg printed at
// level error (empty for a clean file).
func DecodeErrors(t testing.TB, file string) string {
	t.Helper()
	_, errs := run(t, "ffmpeg", "-v", "error", "-i", file, "-f", "null", "-")
	return strings.TrimSpace(errs)
}

// FramesAfter seeks accurately to at seconds and counts the video frames
// decoded from there to the end.
func FramesAfter(t testing.TB, file, at string) int {
	t.Helper()
	out, _ := run(t, "ffmpeg", "-v", "error", "-ss", at, "-i", file, "-map", "0:v:0", "-f", "framecrc", "-")
	return len(frameLines(out))
}

// frameLines are the per-frame lines of ffmpeg's framecrc/framemd5
// output (the header lines start with #).
func frameLines(out string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	return lines
}

// FormatTags returns the container tags ffprobe reads (format_tags).
func FormatTags(t testing.TB, file string) map[string]string {
	t.Helper()
	out, _ := run(t, "ffprobe", "-v", "error", "-show_entries", "format_tags", "-of", "default=nw=1", file)
	tags := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		k, v, ok := strings.Cut(strings.TrimPrefix(line, "TAG:"), "=")
		if ok {
			tags[k] = v
		}
	}
	return tags
}

// Streams lists ffprobe's view of each stream (codec_type, codec_name,
// TAG:language, nb_read_packets, ...).
func Streams(t testing.TB, file string) []map[string]string {
	t.Helper()
	out, _ := run(t, "ffprobe", "-v", "error", "-count_packets", "-show_entries",
		"stream=index,codec_type,codec_name,nb_read_packets:stream_tags=language", "-of", "default=nw=0", file)
	var streams []map[string]string
	var cur map[string]string
	for _, line := range strings.Split(out, "\n") {
		switch line = strings.TrimSpace(line); {
		case line == "[STREAM]":
			cur = map[string]string{}
		case line == "[/STREAM]":
			streams = append(streams, cur)
			cur = nil
		case cur != nil:
			if k, v, ok := strings.Cut(line, "="); ok {
				cur[k] = v
			}
		}
	}
	return streams
}

// Run runs a required tool to completion and returns its output; a
// failure fails the test.
func Run(t testing.TB, name string, args ...string) (stdout, stderr string) {
	t.Helper()
	return run(t, name, args...)
}

// FrameHashes decodes one stream ("v" or "a") of file and returns the MD5
// of each decoded frame in order (ffmpeg -f framemd5), timestamps left
// out: two files with the same pictures and sound give the same list.
func FrameHashes(t testing.TB, file, stream string) []string {
	t.Helper()
	args := []string{"-v", "error", "-i", file, "-map", "0:" + stream + ":0"}
	if stream == "v" {
		args = append(args, "-fps_mode", "passthrough") // every decoded frame, none dropped or repeated for timing
	}
	out, _ := run(t, "ffmpeg", append(args, "-f", "framemd5", "-")...)
	var hashes []string
	for _, l := range frameLines(out) {
		f := strings.Split(l, ",")
		hashes = append(hashes, strings.TrimSpace(f[len(f)-1]))
	}
	return hashes
}

// StartTimes returns each stream kind's start_time in seconds ("video",
// "audio"); streams listed twice (TS programs) are read once.
func StartTimes(t testing.TB, file string) map[string]float64 {
	t.Helper()
	out, _ := run(t, "ffprobe", "-v", "error", "-show_entries", "stream=index,codec_type,start_time", "-of", "csv=p=0", file)
	starts := map[string]float64{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Split(line, ",")
		if len(f) < 3 {
			continue
		}
		if _, seen := starts[f[1]]; seen {
			continue
		}
		v, err := strconv.ParseFloat(f[2], 64)
		if err != nil {
			t.Fatalf("ffprobe start_time of %s: %q", file, line)
		}
		starts[f[1]] = v
	}
	return starts
}

// Concat returns the files' bytes end to end, as cat prints them.
func Concat(t testing.TB, files ...string) []byte {
	t.Helper()
	var all []byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

// ConcatTo writes the files end to end into out (cat a b > out) and
// returns out.
func ConcatTo(t testing.TB, out string, files ...string) string {
	t.Helper()
	if err := os.WriteFile(out, Concat(t, files...), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}
