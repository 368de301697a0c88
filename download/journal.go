package download

import (
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"
)

// JournalName is the journal's file in the download folder.
const JournalName = "vdl-journal.jsonl"

// Journal is a run's record, one JSON line per item (id, episode, title,
// format, file, bytes, outcome, reason), appended and synced as each item
// ends, so that the morning after shows what happened even if vdl was
// killed.
type Journal struct {
	path string
	mu   sync.Mutex
	run  string // when this run started, on every line
}

// OpenJournal makes the journal of a run at path (appending to the
// lines of earlier runs).
func OpenJournal(path string, now time.Time) *Journal {
	return &Journal{path: path, run: now.UTC().Format(time.RFC3339)}
}

// Path is the journal's file.
func (j *Journal) Path() string { return j.path }

// Add appends one item's line.
func (j *Journal) Add(r ItemReport) error {
	line, err := json.Marshal(struct {
		Run  string `json:"run"`
		Time string `json:"time"`
		ItemReport
	}{j.run, time.Now().UTC().Format(time.RFC3339), r})
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := appendSynced(j.path, -1, append(line, '\n')); err != nil {
		return &DiskError{Err: fmt.Errorf("journal: %w", err)}
	}
	return nil
}

// appendSynced appends data to path (created if needed, never through a
// link) and syncs it; keep >= 0 first cuts the file to that length (a
// torn last line).
func appendSynced(path string, keep int64, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|noFollow, 0o644)
	if err != nil {
		return err
	}
	if keep >= 0 {
		err = f.Truncate(keep)
	}
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
