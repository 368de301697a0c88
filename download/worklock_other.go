//go:build !unix

package download

import (
	"errors"
	"os"
)

// lockWorkDir creates the work dir; there is no advisory lock here, so
// two runs of the same output are not kept apart.
func lockWorkDir(work string) (release func(), err error) {
	if err := os.Mkdir(work, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, &DiskError{Err: err}
	}
	return func() {}, nil
}

// noFollow: no such open flag here.
const noFollow = 0
