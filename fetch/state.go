package fetch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/vdlproject/vdl/internal/atomicfile"
	"github.com/vdlproject/vdl/request"
)

// The resume record. Version 2 is compact, so that a job of many
// segments writes a small state every second: complete parts are index
// ranges, with one size each (-1: the caller's size); only parts with
// partial progress get an entry. Version 1 (an entry per part) is still
// read, so an upgrade does not refetch.
const (
	stateVersion   = 2
	stateVersionV1 = 1
	// maxStateBytes bounds what is read of a state file: a v2 state of
	// the largest job is a few MB.
	maxStateBytes = 64 << 20
)

// stateFile is the resume record. URLs are kept only to help a human
// reading it: signed URLs expire, so a resumed job always uses the URLs it
// was given.
type stateFile struct {
	Version  int         `json:"version"`
	Key      string      `json:"key"`
	Saved    time.Time   `json:"saved"`
	Count    int         `json:"count,omitempty"`    // v2: parts in the job
	Complete []byteRange `json:"complete,omitempty"` // v2: [start,end) ranges of complete part indexes
	Sizes    []int64     `json:"sizes,omitempty"`    // v2: per complete part, in order; -1: the caller's size
	Parts    []statePart `json:"parts,omitempty"`    // v1: every part; v2: parts with partial progress
}

type statePart struct {
	Index        int         `json:"index"`
	URL          string      `json:"url,omitempty"`
	Size         int64       `json:"size"`
	Hint         *int64      `json:"hint,omitempty"` // the caller's size when the state was saved
	ETag         string      `json:"etag,omitempty"`
	LastModified string      `json:"last_modified,omitempty"`
	Done         []byteRange `json:"done"`
}

// loadState applies a previous run's progress. An unreadable, foreign or
// inconsistent state is discarded with a warning rather than trusted;
// so is each part's entry that disagrees with its file or the caller.
func (j *Job) loadState() error {
	if j.opts.StatePath == "" {
		return nil
	}
	st, err := readState(j.opts.StatePath)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		var fe *fileError
		if errors.As(err, &fe) {
			return err
		}
		j.log.Warn("resume state is unreadable; starting over", "path", j.opts.StatePath, "why", err)
		return nil
	}
	entries, ok := st.entries(len(j.parts))
	if st.Key != j.opts.Key || !ok {
		j.log.Warn("resume state belongs to another download; starting over", "path", j.opts.StatePath)
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, sp := range entries {
		p := j.parts[sp.Index]
		switch sp.Size {
		case callerSize:
			sp.Size, sp.Hint = p.hint, &p.hint // -1 if none now: discarded below
			sp.Done = []byteRange{{0, sp.Size}}
		}
		done := rangeSet(sp.Done)
		if len(done) > 0 && done[0].End == 0 {
			done = nil // an empty complete part
		}
		if why := p.disagrees(sp, done); why != "" {
			j.log.Warn("resume state of a part is discarded; refetching it", "part", sp.Index, "why", why)
			continue
		}
		p.size, p.etag, p.lastMod, p.done = sp.Size, sp.ETag, sp.LastModified, done
		p.hinted = false
		p.delivered = len(done) > 0
		n := done.total()
		j.sched.done.Add(n)
		j.resumed.Add(n)
		if p.size >= 0 && (done.covers(p.size) || p.size == 0) {
			p.complete = true
			j.sched.partsDone.Add(1)
		}
	}
	return nil
}

func readState(path string) (*stateFile, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		return nil, &fileError{fmt.Errorf("read state: %w", err)}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxStateBytes+1))
	if err != nil {
		return nil, &fileError{fmt.Errorf("read state: %w", err)}
	}
	if len(data) > maxStateBytes {
		return nil, fmt.Errorf("over %d MiB", maxStateBytes>>20)
	}
	var st stateFile
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// entries expands the state into one entry per part it records, each
// index at most once and below n; ok is false when the state does not
// describe a job of n parts.
func (st *stateFile) entries(n int) (out []statePart, ok bool) {
	seen := map[int]bool{}
	add := func(sp statePart) bool {
		if sp.Index < 0 || sp.Index >= n || seen[sp.Index] {
			return false
		}
		seen[sp.Index] = true
		out = append(out, sp)
		return true
	}
	switch st.Version {
	case stateVersionV1:
		if len(st.Parts) != n {
			return nil, false
		}
		for i, sp := range st.Parts {
			if sp.Index != i || !add(sp) {
				return nil, false
			}
		}
		return out, true
	case stateVersion:
		if st.Count != n {
			return nil, false
		}
		k := 0
		for _, r := range st.Complete {
			if r.Start < 0 || r.End > int64(n) || r.Start >= r.End || len(out)+int(r.End-r.Start) > n {
				return nil, false
			}
			for i := int(r.Start); i < int(r.End); i++ {
				if k >= len(st.Sizes) || st.Sizes[k] < -1 {
					return nil, false
				}
				size := st.Sizes[k]
				if size == -1 {
					size = callerSize
				}
				k++
				if !add(statePart{Index: i, Size: size, Done: []byteRange{{0, size}}}) {
					return nil, false
				}
			}
		}
		if k != len(st.Sizes) {
			return nil, false
		}
		for _, sp := range st.Parts {
			if !add(sp) {
				return nil, false
			}
		}
		return out, true
	}
	return nil, false
}

// callerSize marks a complete part whose size is the caller's (its hint).
const callerSize = -3

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
	complete := sp.Size >= 0 && (sp.Size == 0 || done.covers(sp.Size))
	if len(done) == 0 && !complete {
		return ""
	}
	st, err := os.Lstat(p.path)
	switch {
	case err != nil || !st.Mode().IsRegular():
		return "its file is missing"
	case complete && st.Size() != sp.Size:
		// Complete parts are trimmed to their size.
		return fmt.Sprintf("complete at %d bytes, but its file has %d", sp.Size, st.Size())
	case len(done) > 0 && st.Size() < done[len(done)-1].End:
		return fmt.Sprintf("its file has %d bytes, fewer than recorded", st.Size())
	}
	return ""
}

// checkpoint syncs the part files, then atomically replaces the state file,
// so the state never names bytes that are not on disk.
func (j *Job) checkpoint() error {
	if j.opts.StatePath == "" {
		return nil
	}
	st := j.snapshot()
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

// snapshot records the progress in the compact form (version 2).
func (j *Job) snapshot() stateFile {
	st := stateFile{Version: stateVersion, Key: j.opts.Key, Saved: j.now().UTC(), Count: len(j.parts)}
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, p := range j.parts {
		full := statePart{Index: p.idx, URL: request.Redact(p.mirrors.URL()), Size: p.size, ETag: p.etag, LastModified: p.lastMod,
			Done: append([]byteRange{}, p.done...)}
		if p.hint >= 0 && p.length == 0 {
			full.Hint = &p.hint
		}
		switch {
		case p.complete && p.hint >= 0 && p.size == p.hint:
			st.addComplete(p.idx, -1)
		case p.complete && p.hint < 0:
			st.addComplete(p.idx, p.size)
		case p.complete || len(p.done) > 0:
			// Partial progress, or a complete part whose size corrects
			// the caller's: an entry of its own.
			st.Parts = append(st.Parts, full)
		}
	}
	return st
}

func (st *stateFile) addComplete(idx int, size int64) {
	i := int64(idx)
	if n := len(st.Complete); n > 0 && st.Complete[n-1].End == i {
		st.Complete[n-1].End++
	} else {
		st.Complete = append(st.Complete, byteRange{i, i + 1})
	}
	st.Sizes = append(st.Sizes, size)
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

// writeFileAtomic saves the state: its folder made, the file replaced
// atomically.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return &fileError{err}
	}
	if err := atomicfile.Write(path, data); err != nil {
		return &fileError{fmt.Errorf("save state: %w", err)}
	}
	return nil
}
