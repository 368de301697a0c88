package download

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
	"syscall"
	"unicode"
	"unicode/utf8"
)

// downloadArchive is a --download-archive file: one "<site> <id>" line per
// finished item (yt-dlp's format). Each record is appended as one whole
// line in one write on an O_APPEND descriptor, then synced: a crash loses
// at most the item being recorded, and two vdl runs appending to one
// archive at once never erase or split each other's lines (the file is
// never cut or rewritten). A last line without its newline (an editor,
// another tool) is a record like the others, and the next append
// completes it.
//
// What cannot be an archive is refused with a *DiskError before it is
// read: a file that is not a regular one (a named pipe, a device, a
// folder), a symbolic link (vdl never writes through one), a file over
// 64 MiB; so is a line over 1 MiB or a line that is not text, by its
// number. A downloadArchive is safe for concurrent use.
type downloadArchive struct {
	path string
	mu   sync.Mutex
	have map[string]bool
}

const (
	// maxArchiveBytes bounds what is read: 64 MiB is a million entries.
	maxArchiveBytes = 64 << 20
	// maxArchiveLine bounds a line; a record is a few dozen bytes.
	maxArchiveLine = 1 << 20
	// maxArchiveID bounds the id as written; a longer one (a plain URL's
	// is the URL) is recorded by its hash.
	maxArchiveID = 1024
)

// openMode never waits: a named pipe swapped in after the mode was
// checked opens without waiting for its other end, and is refused then.
const openMode = noFollow | syscall.O_NONBLOCK

// openArchive reads path (a missing file is an empty archive).
func openArchive(path string) (*downloadArchive, error) {
	a := &downloadArchive{path: path, have: map[string]bool{}}
	st, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return a, nil
	}
	if err != nil {
		return nil, archiveError(path, err)
	}
	if err := archiveFile(path, st); err != nil {
		return nil, err
	}
	if st.Size() > maxArchiveBytes {
		return nil, &DiskError{Err: fmt.Errorf("download archive %s is over %d MiB (%d MiB): is it an archive?", path, maxArchiveBytes>>20, st.Size()>>20)}
	}
	f, err := os.OpenFile(path, os.O_RDONLY|openMode, 0)
	if err != nil {
		return nil, archiveError(path, err)
	}
	defer f.Close()
	if _, err := sameFile(path, f, st); err != nil {
		return nil, err
	}
	// The file may grow while it is read: the bound holds all the same.
	lr := &io.LimitedReader{R: f, N: maxArchiveBytes + 1}
	if err := readArchive(lr, a.have); err != nil {
		return nil, archiveError(path, err)
	}
	if lr.N <= 0 {
		return nil, &DiskError{Err: fmt.Errorf("download archive %s is over %d MiB: is it an archive?", path, maxArchiveBytes>>20)}
	}
	return a, nil
}

// archiveFile refuses what is not a regular file, from its mode alone.
func archiveFile(path string, st fs.FileInfo) error {
	return notRegular("download archive", path, st.Mode(), "name a regular file")
}

// sameFile checks that the file opened is the regular file that was
// checked, not something put in its place since.
func sameFile(path string, f *os.File, want fs.FileInfo) (fs.FileInfo, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, archiveError(path, err)
	}
	if err := archiveFile(path, st); err != nil {
		return nil, err
	}
	if want != nil && !os.SameFile(st, want) {
		return nil, &DiskError{Err: fmt.Errorf("download archive %s was replaced while it was read", path)}
	}
	return st, nil
}

func archiveError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err // the path is said once, below
	}
	return &DiskError{Err: fmt.Errorf("download archive %s: %w", path, err)}
}

// readArchive adds the records of r to have. Blank lines and lines of
// other than two fields (yt-dlp's own read them as lines that match
// nothing) are no records; an over-long line or one that is not text
// (NUL and other control bytes, bytes that are not UTF-8) is an error
// naming its line: the reader never stops early without saying so.
func readArchive(r io.Reader, have map[string]bool) error {
	br := bufio.NewReader(r)
	var buf []byte
	for n := 1; ; n++ {
		line, eof, err := archiveLine(br, buf[:0])
		if err != nil {
			return err
		}
		buf = line
		if len(line) > maxArchiveLine {
			if !isText(wholeRunes(line)) {
				return fmt.Errorf("line %d is not text: is it an archive?", n)
			}
			return fmt.Errorf("line %d is over %d MiB: is it an archive?", n, maxArchiveLine>>20)
		}
		if n == 1 {
			line = bytes.TrimPrefix(line, []byte("\uFEFF"))
		}
		if !isText(line) {
			return fmt.Errorf("line %d is not text: is it an archive?", n)
		}
		if f := strings.Fields(string(line)); len(f) == 2 {
			have[f[0]+" "+f[1]] = true
		}
		if eof { // the last line, with or without its newline
			return nil
		}
	}
}

// archiveLine reads a line into buf, without its newline; of a line over
// maxArchiveLine it keeps the first maxArchiveLine+1 bytes and reads no
// more.
func archiveLine(br *bufio.Reader, buf []byte) (line []byte, eof bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		chunk = bytes.TrimSuffix(chunk, []byte{'\n'})
		if room := maxArchiveLine + 1 - len(buf); len(chunk) >= room {
			return append(buf, chunk[:room]...), false, nil
		}
		buf = append(buf, chunk...)
		switch {
		case err == nil:
			return buf, false, nil
		case errors.Is(err, io.EOF):
			return buf, true, nil
		case !errors.Is(err, bufio.ErrBufferFull):
			return nil, false, err
		}
	}
}

// wholeRunes cuts a buffer's last rune if the buffer ends inside it.
func wholeRunes(b []byte) []byte {
	for k := 1; k < utf8.UTFMax && k <= len(b); k++ {
		if utf8.RuneStart(b[len(b)-k]) {
			if !utf8.FullRune(b[len(b)-k:]) {
				return b[:len(b)-k]
			}
			break
		}
	}
	return b
}

// isText says a line is UTF-8 without control bytes but tab and CR (a
// file written on Windows).
func isText(line []byte) bool {
	for len(line) > 0 {
		r, size := utf8.DecodeRune(line)
		if r == utf8.RuneError && size <= 1 || r < 0x20 && r != '\t' && r != '\r' || r == 0x7f {
			return false
		}
		line = line[size:]
	}
	return true
}

// Has reports whether site's item id is recorded.
func (a *downloadArchive) Has(site, id string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.have[archiveKey(site, id)]
}

// Add records an item durably (appended, then synced).
func (a *downloadArchive) Add(site, id string) error {
	key := archiveKey(site, id)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.have[key] {
		return nil
	}
	if err := a.append(key); err != nil {
		return err
	}
	a.have[key] = true
	return nil
}

// append writes key as one line, in one write on an O_APPEND descriptor:
// whatever other runs append meanwhile, lines stay whole and none is
// lost. A file that does not end in a newline gets one first, in the
// same write. (Two runs finding it so at once leave an empty line,
// which is no record and harms nothing.)
func (a *downloadArchive) append(key string) (err error) {
	f, err := os.OpenFile(a.path, os.O_RDWR|os.O_APPEND|os.O_CREATE|openMode, 0o644)
	if err != nil {
		return archiveError(a.path, err)
	}
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = archiveError(a.path, cerr)
		}
	}()
	st, err := sameFile(a.path, f, nil)
	if err != nil {
		return err
	}
	line := make([]byte, 0, len(key)+2)
	if st.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, st.Size()-1); err != nil {
			return archiveError(a.path, err)
		}
		if last[0] != '\n' {
			line = append(line, '\n')
		}
	}
	line = append(append(line, key...), '\n')
	if _, err := f.Write(line); err != nil {
		return archiveError(a.path, err)
	}
	if err := f.Sync(); err != nil {
		return archiveError(a.path, err)
	}
	return nil
}

// archiveKey is the line of an item, two fields the reader takes back
// as they are: a space in an id becomes "_" (as it always has), other
// spaces, control bytes and bytes that are not UTF-8 are %-escaped, so an
// id never splits its line or adds one; a field over maxArchiveID bytes
// (a plain URL's id is the URL) is recorded as its SHA-256.
func archiveKey(site, id string) string {
	return keyField(strings.ToLower(site)) + " " + keyField(strings.ReplaceAll(id, " ", "_"))
}

func keyField(s string) string {
	if s == "" {
		return "_"
	}
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() <= maxArchiveID; {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 || unicode.IsSpace(r) || unicode.IsControl(r) || r == '\uFEFF' {
			for _, c := range []byte(s[i : i+size]) {
				fmt.Fprintf(&b, "%%%02X", c)
			}
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	if b.Len() > maxArchiveID {
		sum := sha256.Sum256([]byte(s))
		return "sha256:" + hex.EncodeToString(sum[:])
	}
	return b.String()
}
