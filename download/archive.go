package download

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
	"sync"
)

// Archive is a --download-archive file: one "<site> <id>" line per
// finished item (yt-dlp's format). A line is appended and synced as each
// item finishes, so a crash loses at most the item being recorded; a torn
// last line (no newline) is ignored, and cut off before the next append.
type Archive struct {
	path string
	mu   sync.Mutex
	have map[string]bool
	torn bool  // the file ends inside a line...
	keep int64 // ...and its records end here
}

// maxArchiveBytes bounds what is read: 64 MiB is a million entries.
const maxArchiveBytes = 64 << 20

// OpenArchive reads path (a missing file is an empty archive).
func OpenArchive(path string) (*Archive, error) {
	a := &Archive{path: path, have: map[string]bool{}}
	data, err := os.ReadFile(path)
	switch {
	case os.IsNotExist(err):
		return a, nil
	case err != nil:
		return nil, &DiskError{Err: fmt.Errorf("download archive: %w", err)}
	case len(data) > maxArchiveBytes:
		return nil, &DiskError{Err: fmt.Errorf("download archive %s is over %d MiB", path, maxArchiveBytes>>20)}
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		a.torn = true
		data = data[:bytes.LastIndexByte(data, '\n')+1] // the torn line is not a record
		a.keep = int64(len(data))
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 2 {
			a.have[f[0]+" "+f[1]] = true
		}
	}
	return a, nil
}

// Has reports whether site's item id is recorded.
func (a *Archive) Has(site, id string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.have[archiveKey(site, id)]
}

// Add records an item durably (appended, then synced).
func (a *Archive) Add(site, id string) error {
	key := archiveKey(site, id)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.have[key] {
		return nil
	}
	keep := int64(-1)
	if a.torn {
		keep = a.keep // the torn line would otherwise become a record
	}
	if err := appendSynced(a.path, keep, []byte(key+"\n")); err != nil {
		return &DiskError{Err: fmt.Errorf("download archive: %w", err)}
	}
	a.torn = false
	a.have[key] = true
	return nil
}

// archiveKey is the line of an item: ids never hold spaces there.
func archiveKey(site, id string) string {
	return strings.ToLower(site) + " " + strings.ReplaceAll(id, " ", "_")
}
