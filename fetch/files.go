package fetch

import (
	"fmt"
	"os"
	"path/filepath"
)

// openPart returns the part's open file, creating it (and its directory)
// on first use. A known size is preallocated as a sparse file so every
// range can be written in place with WriteAt.
func (j *Job) openPart(p *partState) (*os.File, error) {
	j.mu.Lock()
	size := p.size
	j.mu.Unlock()
	j.filesMu.Lock()
	defer j.filesMu.Unlock()
	if p.file != nil {
		return p.file, nil
	}
	if err := os.MkdirAll(filepath.Dir(p.path), 0o755); err != nil {
		return nil, &fileError{err}
	}
	f, err := os.OpenFile(p.path, os.O_RDWR|os.O_CREATE|noFollow, 0o644)
	if err != nil {
		return nil, &fileError{err}
	}
	if size >= 0 {
		if st, err := f.Stat(); err == nil && st.Size() < size {
			if err := f.Truncate(size); err != nil {
				f.Close()
				return nil, &fileError{fmt.Errorf("preallocate %s: %w", p.path, err)}
			}
		}
	}
	p.file = f
	return f, nil
}

// finishPartIfComplete trims, syncs and closes the file of a complete part,
// so the checkpoint that records it complete names only bytes on disk.
func (j *Job) finishPartIfComplete(p *partState) error {
	j.mu.Lock()
	complete, size := p.complete, p.size
	j.mu.Unlock()
	if !complete {
		return nil
	}
	j.filesMu.Lock()
	defer j.filesMu.Unlock()
	if p.file == nil {
		return nil
	}
	f := p.file
	p.file = nil
	err := f.Truncate(size) // a leftover longer file from an older version
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return &fileError{fmt.Errorf("finish %s: %w", p.path, err)}
	}
	return nil
}

// syncFiles flushes every open part file to disk.
func (j *Job) syncFiles() error {
	j.filesMu.Lock()
	defer j.filesMu.Unlock()
	for _, p := range j.parts {
		if p.file == nil {
			continue
		}
		if err := p.file.Sync(); err != nil {
			return &fileError{fmt.Errorf("sync %s: %w", p.path, err)}
		}
	}
	return nil
}

// closeFiles syncs and closes whatever is still open (after Run's final
// checkpoint, or on failure). Errors here cannot lose recorded progress:
// the checkpoint synced first.
func (j *Job) closeFiles() {
	for _, p := range j.parts {
		_ = j.finishPartIfComplete(p)
	}
	j.filesMu.Lock()
	defer j.filesMu.Unlock()
	for _, p := range j.parts {
		if p.file != nil {
			_ = p.file.Sync()
			_ = p.file.Close()
			p.file = nil
		}
	}
}
