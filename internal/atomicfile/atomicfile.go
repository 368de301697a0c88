// Package atomicfile writes files so that a crash leaves either the old
// content or the new, never a mix, and a file under its final name is
// always complete: through a temp file of its own in the same folder
// (created exclusively, so never an existing file or a planted link),
// synced, then renamed over the name, the rename synced too.
package atomicfile

import (
	"os"
	"path/filepath"
)

// Write replaces path with data (mode 0644).
func Write(path string, data []byte) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		Abort(f)
		return err
	}
	return Commit(f, path)
}

// Create makes a new, unique temp file beside path (mode 0644) for the
// caller to fill, then Commit or Abort.
func Create(path string) (*os.File, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(0o644); err != nil { // CreateTemp makes it private
		Abort(f)
		return nil, err
	}
	return f, nil
}

// Commit syncs and closes the filled temp file f and renames it to path;
// on failure the temp file is removed.
func Commit(f *os.File, path string) error {
	err := f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return err
	}
	if d, derr := os.Open(filepath.Dir(path)); derr == nil {
		_ = d.Sync() // the rename itself
		d.Close()
	}
	return nil
}

// Abort closes and removes the temp file f.
func Abort(f *os.File) {
	f.Close()
	os.Remove(f.Name())
}
