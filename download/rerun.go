package download

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// An archived item is skipped before any request: that is what the
// archive is for. With library sidecars asked for, an archived item whose
// file (as the journal of an earlier run recorded it) lacks one of them
// is taken again instead: extracted for its metadata, found on disk by
// its identity (no media fetched), and given the sidecars it lacks.

// maxJournalRead bounds the journal read for file names.
const maxJournalRead = 64 << 20

// journalFiles maps each item of the journal at path ("<site> <id>") to
// the last file a run recorded for it, downloaded or found on disk. A
// journal that cannot be read gives no names: the archive then skips as
// always.
func journalFiles(path string) map[string]string {
	files := map[string]string{}
	if regularOrMissing(path, "journal", "") != nil {
		return files
	}
	f, err := os.Open(path)
	if err != nil {
		return files
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, maxJournalRead))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var r struct {
			Site    string  `json:"site"`
			ID      string  `json:"id"`
			File    string  `json:"file"`
			Outcome Outcome `json:"outcome"`
		}
		if json.Unmarshal(sc.Bytes(), &r) == nil && r.ID != "" && r.File != "" && (r.Outcome == Downloaded || r.Outcome == Skipped) {
			files[archiveKey(r.Site, r.ID)] = r.File
		}
	}
	return files
}

// lacksSidecars says, for a run that asks for library sidecars, whether
// the file recorded for an archived item lacks one of them.
func (d *Downloader) lacksSidecars(files map[string]string) func(site, id string) bool {
	o := d.opts.Library
	return func(site, id string) bool {
		file := files[archiveKey(site, id)]
		if file == "" {
			return false
		}
		if st, err := os.Lstat(file); err != nil || !st.Mode().IsRegular() {
			return false // moved or gone: the archive still says it is done
		}
		stem := strings.TrimSuffix(file, filepath.Ext(file))
		for _, want := range []struct {
			on   bool
			path string
		}{{o.NFO, stem + ".nfo"}, {o.InfoJSON, stem + ".info.json"}} {
			if _, err := os.Lstat(want.path); want.on && err != nil {
				return true
			}
		}
		return false
	}
}

// skipsArchived says an item is in the archive and is skipped before any
// request about it.
func (lo listOptions) skipsArchived(site, id string) bool {
	return id != "" && lo.Archive != nil && lo.Archive.Has(site, id) && (lo.lacksSidecars == nil || !lo.lacksSidecars(site, id))
}
