//go:build unix

package download

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// lockWorkDir creates the work dir if needed and takes an exclusive lock
// on it for this process, so that two vdl runs of the same output never
// write the same parts or state at once. The lock ends with release (or
// with the process). The dir is opened without following a link.
func lockWorkDir(work string) (release func(), err error) {
	if err := os.Mkdir(work, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, &DiskError{Err: err}
	}
	fd, err := unix.Open(work, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &DiskError{Err: fmt.Errorf("open %s: %w", work, err)}
	}
	if err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB); err != nil {
		unix.Close(fd)
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, &DiskError{Err: fmt.Errorf("another vdl is downloading into %s; wait for it to finish (or stop it)", work)}
		}
		return nil, &DiskError{Err: fmt.Errorf("lock %s: %w", work, err)}
	}
	return func() { unix.Close(fd) }, nil
}

// noFollow makes an open fail on a symbolic link instead of writing
// through it.
const noFollow = unix.O_NOFOLLOW
