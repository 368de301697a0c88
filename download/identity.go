package download

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/vdlproject/vdl/internal/atomicfile"
)

// A finished file's identity (site:id:format) tells a rerun "this is the
// video I was asked for, done" apart from "another video that happens to
// have the same title". It is kept in two places: a user.vdl.source
// extended attribute where the filesystem has them, and a record in
// vdl's own state folder, which works everywhere. The record names the
// file's size and modification time, so a file replaced or edited since
// is not taken for the video.

// IdentityAttr is the extended attribute holding a finished file's identity
// (site:id:format), as README documents it.
const IdentityAttr = "user.vdl.source"

// identityRecord is one finished output, as vdl recorded it.
type identityRecord struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	MTime  int64  `json:"mtime_ns"`
	Source string `json:"source"`
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
	xerr := setXattr(path, IdentityAttr, ident)
	rerr := writeRecord(stateDir, path, ident)
	if xerr != nil && rerr != nil {
		return fmt.Errorf("cannot record which video %s is (%v; %v)", path, xerr, rerr)
	}
	return nil
}

func writeRecord(stateDir, path, ident string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	rp := recordPath(stateDir, abs)
	if rp == "" {
		return errors.New("no state folder")
	}
	st, err := os.Stat(abs)
	if err != nil {
		return err
	}
	data, err := json.Marshal(identityRecord{Path: abs, Size: st.Size(), MTime: st.ModTime().UnixNano(), Source: ident})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(rp), 0o700); err != nil {
		return err
	}
	return atomicfile.Write(rp, data)
}

// readIdentity returns the identity of a file, "" if nothing proves one:
// the attribute, else a record that still matches the file.
func readIdentity(stateDir, path string) string {
	if tag := getXattr(path, IdentityAttr); tag != "" {
		return tag
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return ""
	}
	rp := recordPath(stateDir, abs)
	if rp == "" {
		return ""
	}
	data, err := os.ReadFile(rp)
	if err != nil {
		return ""
	}
	var rec identityRecord
	st, err := os.Lstat(abs)
	if json.Unmarshal(data, &rec) != nil || err != nil || !st.Mode().IsRegular() ||
		rec.Path != abs || rec.Size != st.Size() || rec.MTime != st.ModTime().UnixNano() {
		return ""
	}
	return rec.Source
}
