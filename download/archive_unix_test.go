//go:build unix

package download

import (
	"errors"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestArchiveSpecialFiles: a named pipe or a device is refused at once,
// from its mode, with one line: never opened in a way that waits for a
// writer (a FIFO used to block vdl for good), never read (/dev/zero
// used to be read until memory ran out; /dev/null is refused alike, as
// it would silently record nothing).
func TestArchiveSpecialFiles(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "archive.fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no named pipes here:", err)
	}
	for path, want := range map[string]string{fifo: "is a named pipe, not a regular file", "/dev/null": "is a device, not a regular file"} {
		var err error
		within(t, 10*time.Second, func() { _, err = openArchive(path) })
		var de *DiskError
		if !errors.As(err, &de) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v, want %q", path, err, want)
		}
	}
}

// TestArchiveBecomesFIFO: a file replaced by a named pipe between the
// read and an append is refused, not waited on.
func TestArchiveBecomesFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "archive.txt")
	a, err := openArchive(path) // missing: empty
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skip("no named pipes here:", err)
	}
	within(t, 10*time.Second, func() { err = a.Add("qq", "a") })
	var de *DiskError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("append to a named pipe: %v", err)
	}
	if a.Has("qq", "a") {
		t.Error("a record that was not written is taken as recorded")
	}
}
