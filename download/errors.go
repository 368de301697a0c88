package download

import (
	"errors"
	"fmt"

	"github.com/vdlproject/vdl/fetch"
	"github.com/vdlproject/vdl/mux"
)

// DiskError is a local file problem the user must fix: no space, a file
// or a link in the way, a folder that cannot be written. (Exit code 5.)
type DiskError struct{ Err error }

func (e *DiskError) Error() string { return e.Err.Error() }
func (e *DiskError) Unwrap() error { return e.Err }

// JoinError is a join that failed: corrupt, incompatible or unsupported
// parts. (Exit code 6, or 5 when a file could not be read or written.)
type JoinError struct{ Err error }

func (e *JoinError) Error() string { return "join: " + e.Err.Error() }
func (e *JoinError) Unwrap() error { return e.Err }

// ErrBadOutput is an output name the download cannot produce (-o x.mp4
// for an MPEG-TS format). It is the user's to change. (Exit code 2.)
var ErrBadOutput = errors.New("bad output name")

// ErrBadItems is an -I spec that does not parse. (Exit code 2.)
var ErrBadItems = errors.New("bad item list")

// ErrTooShort is a result shorter than the site says the video is: a
// preview, or a download that lost parts. It wraps mux.ErrCorrupt (exit
// code 6).
var ErrTooShort = fmt.Errorf("%w: shorter than the video", mux.ErrCorrupt)

// ErrNoSpace is a download that does not fit on the disk (exit code 5);
// ErrExpired, signed media URLs that expired even when fresh (exit code
// 3). They are fetch's, named here so that callers need only download.
var (
	ErrNoSpace = fetch.ErrNoSpace
	ErrExpired = fetch.ErrExpired
)
