package download

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/vdlproject/vdl/request"
)

// journalName is the journal's file in the download folder.
const journalName = "vdl-journal.jsonl"

// journalMode is the mode of a new journal: 0600, as --write-pages files.
// Its lines hold titles, page URLs (with their queries, which may carry
// a site's tokens even after the credentials are cut) and file names;
// the download folder is often shared (a media server's), the journal
// need not be. A journal that exists keeps the mode it has.
const journalMode = 0o600

// journal is a run's record, one JSON line per item (id, episode, title,
// format, file, bytes, outcome, reason), appended and synced as each item
// ends, so that the morning after shows what happened even if vdl was
// killed.
type journal struct {
	path string
	mu   sync.Mutex
	run  string // when this run started, on every line
}

// openJournal makes the journal of a run at path (appending to the lines
// of earlier runs). It opens the file as each Add will, creating it if
// needed, so that a journal that cannot be written (a folder, a link or
// a device at its name, a folder without write permission) is a
// DiskError now, before the list asks anything, not after its first item.
func openJournal(path string, now time.Time) (*journal, error) {
	j := &journal{path: path, run: now.UTC().Format(time.RFC3339)}
	f, err := j.open()
	if err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, &DiskError{Err: fmt.Errorf("journal %s: %w", path, err)}
	}
	return j, nil
}

// Path is the journal's file.
func (j *journal) Path() string { return j.path }

// Add appends one item's line. Every text in it goes through the one
// redaction first (RedactText): a batch line's password never reaches
// the file.
func (j *journal) Add(r ItemReport) error {
	line, err := json.Marshal(struct {
		Run  string `json:"run"`
		Time string `json:"time"`
		ItemReport
	}{j.run, time.Now().UTC().Format(time.RFC3339), r.redacted()})
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	f, err := j.open()
	if err != nil {
		return err
	}
	_, err = f.Write(append(line, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return &DiskError{Err: fmt.Errorf("journal %s: %w", j.path, err)}
	}
	return nil
}

// open opens the journal for appending: a regular file (created 0600),
// never through a link, never waiting (a named pipe swapped in after the
// check opens at once, and is refused then).
func (j *journal) open() (*os.File, error) {
	const what, remedy = "vdl's journal", "remove it, or download into another -d"
	if err := regularOrMissing(j.path, what, remedy); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(j.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|noFollow|syscall.O_NONBLOCK, journalMode)
	if err != nil {
		return nil, openError(j.path, what, remedy, err)
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, &DiskError{Err: fmt.Errorf("%s %s is not a regular file: %s", what, j.path, remedy)}
	}
	return f, nil
}

// checkAppendable reports at once whether the record file at path (what
// names it: "download archive") can be appended to as the archive
// appends: a regular file, never through a link, that this process may
// read and write; a missing file is created empty (an empty record file
// records nothing), so that a folder without write permission shows too.
// Nothing in an existing file changes. The errors are DiskErrors.
func checkAppendable(path, what string) error {
	const remedy = "name a regular file"
	if err := regularOrMissing(path, what, remedy); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE|noFollow|syscall.O_NONBLOCK, 0o644)
	if err != nil {
		return openError(path, what, remedy, err)
	}
	if err := f.Close(); err != nil {
		return &DiskError{Err: fmt.Errorf("%s %s: %w", what, path, err)}
	}
	return nil
}

// checkJournal reports at once whether a list's journal could be written
// in dir: nothing but a regular file may be at its name (a folder, a
// link, a device: a DiskError). It creates nothing, so it may run before
// anyone knows that the URL is a list.
func checkJournal(dir string) error {
	return regularOrMissing(filepath.Join(dir, journalName), "journal", "remove it or choose another folder (-d)")
}

// regularOrMissing refuses an entry at path that is not a regular file,
// naming what should be there and the remedy; nothing there is fine.
func regularOrMissing(path, what, remedy string) error {
	st, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return &DiskError{Err: fmt.Errorf("%s %s: %w", what, path, err)}
	}
	return notRegular(what, path, st.Mode(), remedy)
}

// notRegular is the one refusal of a record file (journal, archive) that
// is not a regular file, from its mode alone; nil for a regular file.
func notRegular(what, path string, m fs.FileMode, remedy string) error {
	var kind string
	switch {
	case m.IsRegular():
		return nil
	case m&fs.ModeSymlink != 0:
		return &DiskError{Err: fmt.Errorf("%s %s is a symbolic link (vdl never writes through one): %s", what, path, remedy)}
	case m.IsDir():
		kind = "a folder"
	case m&fs.ModeNamedPipe != 0:
		kind = "a named pipe"
	case m&fs.ModeDevice != 0:
		kind = "a device"
	case m&fs.ModeSocket != 0:
		kind = "a socket"
	default:
		kind = "mode " + m.Type().String()
	}
	return &DiskError{Err: fmt.Errorf("%s %s is %s, not a regular file: %s", what, path, kind, remedy)}
}

// openError describes a failed open of a record file; ELOOP is a link
// that appeared after the check.
func openError(path, what, remedy string, err error) error {
	if errors.Is(err, syscall.ELOOP) {
		return &DiskError{Err: fmt.Errorf("%s %s is a symbolic link (vdl never writes through one): %s", what, path, remedy)}
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err // the path is said once
	}
	return &DiskError{Err: fmt.Errorf("%s %s cannot be written: %w", what, path, err)}
}

// redacted is r with every text cut of URL credentials.
func (r ItemReport) redacted() ItemReport {
	for _, s := range []*string{&r.Site, &r.ID, &r.Title, &r.Format, &r.File, &r.Reason} {
		*s = RedactText(*s)
	}
	notes := make([]string, len(r.Notes))
	for i, n := range r.Notes {
		notes[i] = RedactText(n)
	}
	if len(notes) > 0 {
		r.Notes = notes
	}
	return r
}

// RedactText cuts the credentials of every URL in a text (a message, a
// label, an error) with request.Redact, the one redaction: a URL is
// taken from its scheme to the next space, quote or angle bracket, which
// no URL holds unescaped. Text without "://" comes back as it is.
func RedactText(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		k := strings.Index(s[i:], "://")
		if k < 0 {
			break
		}
		k += i
		start := k
		for start > last && schemeByte(s[start-1]) {
			start--
		}
		end := k + 3
		for end < len(s) && !urlEnd(s[end]) {
			end++
		}
		if red := request.Redact(s[start:end]); red != s[start:end] {
			b.WriteString(s[last:start])
			b.WriteString(red)
			last = end
		}
		i = end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func schemeByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'
}

func urlEnd(c byte) bool {
	return c <= ' ' || c == '"' || c == '\'' || c == '`' || c == '<' || c == '>' || c == 0x7f
}
