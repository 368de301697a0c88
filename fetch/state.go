package fetch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/vdlproject/vdl/request"
)

const stateVersion = 1

// stateFile is the resume record. URLs are kept only to help a human
// reading it: signed URLs expire, so a resumed job always uses the URLs it
// was given.
type stateFile struct {
	Version int         `json:"version"`
	Key     string      `json:"key"`
	Saved   time.Time   `json:"saved"`
	Parts   []statePart `json:"parts"`
}

type statePart struct {
	Index        int     `json:"index"`
	URL          string  `json:"url,omitempty"`
	Size         int64   `json:"size"`
	ETag         string  `json:"etag,omitempty"`
	LastModified string  `json:"last_modified,omitempty"`
	Done         []Range `json:"done"`
}

// loadState applies a previous run's progress. An unreadable, foreign or
// inconsistent state is discarded with a warning rather than trusted.
func (j *Job) loadState() error {
	if j.opts.StatePath == "" {
		return nil
	}
	data, err := os.ReadFile(j.opts.StatePath)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return &fileError{fmt.Errorf("read state: %w", err)}
	}
	var st stateFile
	switch {
	case json.Unmarshal(data, &st) != nil:
		j.log.Warn("resume state is unreadable; starting over", "path", j.opts.StatePath)
		return nil
	case st.Version != stateVersion || st.Key != j.opts.Key || len(st.Parts) != len(j.parts):
		j.log.Warn("resume state belongs to another download; starting over", "path", j.opts.StatePath)
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	for i, sp := range st.Parts {
		p := j.parts[i]
		done := rangeSet(sp.Done)
		if sp.Index != i || !done.valid(sp.Size) || !fileHolds(p.path, done) {
			j.log.Warn("resume state of a part does not match its file; refetching it", "part", i)
			continue
		}
		p.size, p.etag, p.lastMod, p.done = sp.Size, sp.ETag, sp.LastModified, done
		p.hinted = false
		p.delivered = len(done) > 0
		n := done.total()
		j.done.Add(n)
		j.resumed.Add(n)
		if p.size >= 0 && (done.covers(p.size) || p.size == 0) {
			p.complete = true
			j.partsDone.Add(1)
		}
	}
	return nil
}

// fileHolds reports whether path is long enough to contain every done byte.
func fileHolds(path string, done rangeSet) bool {
	if len(done) == 0 {
		return true
	}
	st, err := os.Stat(path)
	return err == nil && st.Size() >= done[len(done)-1].End
}

// checkpoint syncs the part files, then atomically replaces the state file,
// so the state never names bytes that are not on disk.
func (j *Job) checkpoint() error {
	if j.opts.StatePath == "" {
		return nil
	}
	st := stateFile{Version: stateVersion, Key: j.opts.Key, Saved: time.Now().UTC()}
	j.mu.Lock()
	for _, p := range j.parts {
		st.Parts = append(st.Parts, statePart{
			Index: p.idx, URL: request.Redact(p.mirrors.URL()), Size: p.size, ETag: p.etag, LastModified: p.lastMod,
			Done: append([]Range{}, p.done...),
		})
	}
	j.mu.Unlock()
	// Snapshot first, sync second: every byte in the snapshot was written
	// before it was taken.
	if err := j.syncFiles(); err != nil {
		return err
	}
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return writeFileAtomic(j.opts.StatePath, data)
}

// checkpointLoop saves every CheckpointInterval and whenever a part
// completes, until ctx ends.
func (j *Job) checkpointLoop(ctx context.Context) error {
	if j.opts.StatePath == "" {
		return nil
	}
	t := time.NewTicker(j.opts.CheckpointInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		case <-j.kick:
		}
		if err := j.checkpoint(); err != nil {
			return err
		}
	}
}

// writeFileAtomic writes data to path through a synced temp file and a
// rename, so a crash leaves either the old or the new content.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return &fileError{err}
	}
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".tmp*")
	if err != nil {
		return &fileError{err}
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return &fileError{fmt.Errorf("save state: %w", err)}
	}
	return nil
}
