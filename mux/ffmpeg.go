package mux

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ErrNoFFmpeg means ffmpeg was asked for but cannot be found.
var ErrNoFFmpeg = errors.New("ffmpeg not found")

// FindFFmpeg resolves the --ffmpeg choice: "auto" searches PATH (never the
// current directory: exec.LookPath refuses such results), anything else
// must be a path to an executable.
func FindFFmpeg(choice string) (string, error) {
	if choice == "auto" || choice == "" {
		p, err := exec.LookPath("ffmpeg")
		if err != nil {
			return "", fmt.Errorf("%w on PATH", ErrNoFFmpeg)
		}
		return p, nil
	}
	if !strings.ContainsRune(choice, filepath.Separator) {
		return "", fmt.Errorf("--ffmpeg %q: give a path (./%s for the current directory) or \"auto\"", choice, choice)
	}
	st, err := os.Stat(choice)
	if err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
		return "", fmt.Errorf("%w at %s", ErrNoFFmpeg, choice)
	}
	return choice, nil
}

// FFmpegJoin joins inputs with ffmpeg's concat demuxer and stream copy,
// into out through a temp file. It runs under ctx: cancelling kills it.
// The list file and ffmpeg's output go to a new private folder beside
// out, never the current one, and never a name that may already exist.
func FFmpegJoin(ctx context.Context, ffmpeg, out string, inputs []string) error {
	dir, err := os.MkdirTemp(filepath.Dir(out), ".vdl-ffmpeg-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var list bytes.Buffer
	for _, in := range inputs {
		abs, err := filepath.Abs(in)
		if err != nil {
			return err
		}
		fmt.Fprintf(&list, "file '%s'\n", strings.ReplaceAll(abs, "'", `'\''`))
	}
	listPath := filepath.Join(dir, "list.txt")
	if err := os.WriteFile(listPath, list.Bytes(), 0o600); err != nil {
		return err
	}
	format, extra := "mp4", []string{"-movflags", "+faststart"}
	switch strings.ToLower(filepath.Ext(out)) {
	case ".ts", ".m2ts":
		format, extra = "mpegts", nil
	case ".mkv":
		format, extra = "matroska", nil
	}
	tmp := filepath.Join(dir, "out"+filepath.Ext(out))
	args := append([]string{"-nostdin", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-auto_convert", "0",
		"-i", listPath, "-map", "0", "-c", "copy", "-f", format}, extra...)
	cmd := exec.CommandContext(ctx, ffmpeg, append(args, tmp)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		os.Remove(tmp)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		msg := strings.TrimSpace(stderr.String())
		if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
			msg = msg[i+1:]
		}
		return fmt.Errorf("ffmpeg: %v: %s", err, msg)
	}
	// Sync and rename like the pure-Go paths.
	return writeAtomicFrom(ctx, tmp, out)
}

// writeAtomicFrom syncs an already written temp file and renames it.
func writeAtomicFrom(ctx context.Context, tmp, out string) error {
	f, err := os.OpenFile(tmp, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		err = os.Rename(tmp, out)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
