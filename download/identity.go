package download

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/vdlproject/vdl/internal/atomicfile"
)

// A finished file's identity (site:id:format) tells a rerun "this is the
// video I was asked for, done" apart from "another video that happens to
// have the same title". It is kept in two places: a user.vdl.source
// extended attribute where the filesystem has them, and a record in
// vdl's own state folder, which works everywhere. Both hold the same
// record, checked the same way: the identity with the file's size,
// modification time and a sample of its bytes, so that a file cut short,
// rewritten or replaced since is not taken for the video. An attribute
// travels with its file (a copy that keeps attributes and times is still
// the video); the state folder's record is about one path.
//
// What the check cannot see: an edit that keeps the size, puts the
// recorded modification time back (touch -d) and changes only bytes
// outside the sampled blocks. Reading the whole file on every rerun
// would catch that too, at the cost of reading every finished video of
// a series again; a deliberate forgery of that kind is not what the
// check is for.
//
// Attributes written by an older vdl hold the identity alone, nothing
// that ties it to the file's bytes as they are now: such an attribute
// proves nothing by itself (the file is then "nothing identifies", and
// a rerun takes the next free name), though the state folder's record,
// which always named the size and time, still can.

// IdentityAttr is the extended attribute holding a finished file's
// record: its identity (site:id:format) with the size, time and sample,
// as JSON (encodeRecord).
const IdentityAttr = "user.vdl.source"

// maxRecordBytes bounds what is read of an attribute or record: a record
// is a few hundred bytes (the identity may hold a URL).
const maxRecordBytes = 64 << 10

// sampleBlock is the size of each of the three blocks (start, middle,
// end) whose hash a record keeps; a file up to three blocks is hashed
// whole.
const sampleBlock = 64 << 10

// identityRecord is one finished output, as vdl recorded it.
type identityRecord struct {
	Source string `json:"source"`
	Size   int64  `json:"size"`
	MTime  int64  `json:"mtime_ns"`
	// Sample is the hash of the sampled blocks; records of an older vdl's
	// state folder have none and are checked on size and time alone.
	Sample string `json:"sample,omitempty"`
	// Path is the file a state-folder record is about (not in the
	// attribute, which is on the file itself).
	Path string `json:"path,omitempty"`
}

// errUnproven says why a record does not prove that a file is the video.
var errUnproven = errors.New("not proven")

// encodeRecord is the stored form of a record, in the attribute and in
// the state folder alike.
func encodeRecord(rec identityRecord) ([]byte, error) {
	return json.Marshal(rec)
}

// decodeRecord reads a stored record. The identity, the size and the
// time must all be there: an older vdl's attribute (the identity as bare
// text) or a record missing any of them is an error.
func decodeRecord(b []byte) (identityRecord, error) {
	if !bytes.HasPrefix(bytes.TrimSpace(b), []byte("{")) {
		return identityRecord{}, fmt.Errorf("%w: an identity without size and time (an older vdl's)", errUnproven)
	}
	var raw struct { // pointers: a missing size or time is not 0
		Source string `json:"source"`
		Size   *int64 `json:"size"`
		MTime  *int64 `json:"mtime_ns"`
		Sample string `json:"sample"`
		Path   string `json:"path"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return identityRecord{}, fmt.Errorf("%w: %v", errUnproven, err)
	}
	if raw.Source == "" || raw.Size == nil || raw.MTime == nil || *raw.Size < 0 {
		return identityRecord{}, fmt.Errorf("%w: the record lacks the identity, size or time", errUnproven)
	}
	return identityRecord{Source: raw.Source, Size: *raw.Size, MTime: *raw.MTime, Sample: raw.Sample, Path: raw.Path}, nil
}

// verify says whether rec proves that the file of st is the
// video it names: the same size and modification time, and the same
// sample when the record has one. sample is computed only when the
// cheap checks pass, at most once per file (see readIdentity).
func (rec identityRecord) verify(st os.FileInfo, sample func() (string, error)) error {
	switch {
	case !st.Mode().IsRegular():
		return fmt.Errorf("%w: not a regular file", errUnproven)
	case rec.Size != st.Size():
		return fmt.Errorf("%w: %d bytes, recorded %d", errUnproven, st.Size(), rec.Size)
	case rec.MTime != st.ModTime().UnixNano():
		return fmt.Errorf("%w: modified since it was recorded", errUnproven)
	case rec.Sample == "":
		return nil
	}
	got, err := sample()
	if err != nil {
		return fmt.Errorf("%w: %v", errUnproven, err)
	}
	if got != rec.Sample {
		return fmt.Errorf("%w: the bytes changed since they were recorded", errUnproven)
	}
	return nil
}

// observe makes the record of the file at path as it is now.
func observe(path, ident string) (identityRecord, error) {
	st, err := os.Lstat(path)
	if err != nil {
		return identityRecord{}, err
	}
	if !st.Mode().IsRegular() {
		return identityRecord{}, fmt.Errorf("%s is not a regular file", path)
	}
	sum, err := sampleFile(path, st.Size())
	if err != nil {
		return identityRecord{}, err
	}
	return identityRecord{Source: ident, Size: st.Size(), MTime: st.ModTime().UnixNano(), Sample: sum}, nil
}

// sampleFile hashes the size and the sampled blocks of a file of size
// bytes: all of it when it is small.
func sampleFile(path string, size int64) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	_ = binary.Write(h, binary.BigEndian, size)
	if size <= 3*sampleBlock {
		if n, err := io.Copy(h, io.LimitReader(f, size)); err != nil || n != size {
			return "", fmt.Errorf("read %s: %d of %d bytes (%v)", path, n, size, err)
		}
	} else {
		buf := make([]byte, sampleBlock)
		for _, off := range []int64{0, (size - sampleBlock) / 2, size - sampleBlock} {
			if _, err := f.ReadAt(buf, off); err != nil {
				return "", fmt.Errorf("read %s: %w", path, err)
			}
			h.Write(buf)
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:16]), nil
}

// recordPath is where the record of an output lives.
func recordPath(dir, abs string) string {
	if dir == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(dir, "outputs", hex.EncodeToString(sum[:16])+".json")
}

// markIdentity tags a finished output. It fails only when neither the
// attribute nor the record could be written: then a rerun could not
// recognise the file, and the caller says so.
func markIdentity(stateDir, path, ident string) error {
	rec, err := observe(path, ident)
	if err != nil {
		return fmt.Errorf("cannot record which video %s is: %w", path, err)
	}
	// Setting the attribute changes the file's ctime only, never its
	// size or mtime, so one observation serves both records.
	data, err := encodeRecord(rec)
	if err != nil {
		return err
	}
	xerr := setXattr(path, IdentityAttr, string(data))
	rerr := writeRecord(stateDir, path, rec)
	if xerr != nil && rerr != nil {
		return fmt.Errorf("cannot record which video %s is (%v; %v)", path, xerr, rerr)
	}
	return nil
}

// writeRecord stores rec as the state folder's record of path.
func writeRecord(stateDir, path string, rec identityRecord) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	rp := recordPath(stateDir, abs)
	if rp == "" {
		return errors.New("no state folder")
	}
	rec.Path = abs
	data, err := encodeRecord(rec)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(rp), 0o700); err != nil {
		return err
	}
	return atomicfile.Write(rp, data)
}

// readRecord reads the state folder's record of the file at abs.
func readRecord(stateDir, abs string) (identityRecord, error) {
	rp := recordPath(stateDir, abs)
	if rp == "" {
		return identityRecord{}, fmt.Errorf("%w: no state folder", errUnproven)
	}
	f, err := os.Open(rp)
	if err != nil {
		return identityRecord{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxRecordBytes))
	if err != nil {
		return identityRecord{}, err
	}
	rec, err := decodeRecord(data)
	if err == nil && rec.Path != abs {
		err = fmt.Errorf("%w: the record is about %s", errUnproven, rec.Path)
	}
	return rec, err
}

// readIdentity returns the identity of a file, "" if nothing proves one:
// the attribute, else the state folder's record, each only while it
// still matches the file.
func readIdentity(stateDir, path string) string {
	st, err := os.Lstat(path)
	if err != nil || !st.Mode().IsRegular() {
		return ""
	}
	var sum string
	var sumErr error
	sampled := false
	sample := func() (string, error) {
		if !sampled {
			sum, sumErr = sampleFile(path, st.Size())
			sampled = true
		}
		return sum, sumErr
	}
	if data := getXattr(path, IdentityAttr); data != "" {
		if rec, err := decodeRecord([]byte(data)); err == nil && rec.verify(st, sample) == nil {
			return rec.Source
		}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return ""
	}
	if rec, err := readRecord(stateDir, abs); err == nil && rec.verify(st, sample) == nil {
		return rec.Source
	}
	return ""
}
