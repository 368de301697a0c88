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
	Hint         *int64  `json:"hint,omitempty"` // the caller's size when the state was saved
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
		if why := p.disagrees(sp, done); why != "" {
			j.log.Warn("resume state of a part is discarded; refetching it", "part", i, "why", why)
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

// maxStateSize bounds a part size read from a state file: no media file
// is a terabyte, and a corrupt or forged size must not make every rerun
// fail its free-space check.
const maxStateSize = 1 << 40

// disagrees says why a part's saved progress cannot be trusted, or "".
// The state is only a record of what the server said: a size other than
// the one the caller knows now (from the server, this run), a size out of
// bounds, or a file that does not hold the bytes it claims discards it.
func (p *partState) disagrees(sp statePart, done rangeSet) string {
	switch {
	case sp.Index != p.idx:
		return "part index"
	case sp.Size > maxStateSize:
		return fmt.Sprintf("size %d is out of bounds", sp.Size)
	case !done.valid(sp.Size):
		return "ranges do not fit the size"
	case p.hinted && sp.Size != p.hint && (sp.Hint == nil || *sp.Hint != p.hint):
		// The caller's size is the server's word of this run (a probe, the
		// site's API); the saved one is older. A state saved under the same
		// caller size keeps the server's correction of it.
		return fmt.Sprintf("size %d, the server now says %d", sp.Size, p.hint)
	}
	if len(done) == 0 {
		return ""
	}
	st, err := os.Lstat(p.path)
	switch {
	case err != nil || !st.Mode().IsRegular():
		return "its file is missing"
	case st.Size() < done[len(done)-1].End:
		return fmt.Sprintf("its file has %d bytes, fewer than recorded", st.Size())
	case sp.Size >= 0 && done.covers(sp.Size) && st.Size() != sp.Size:
		return fmt.Sprintf("complete at %d bytes, but its file has %d", sp.Size, st.Size())
	}
	return ""
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
		sp := statePart{
			Index: p.idx, URL: request.Redact(p.mirrors.URL()), Size: p.size, ETag: p.etag, LastModified: p.lastMod,
			Done: append([]Range{}, p.done...),
		}
		if p.hint >= 0 && p.length == 0 {
			sp.Hint = &p.hint
		}
		st.Parts = append(st.Parts, sp)
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
