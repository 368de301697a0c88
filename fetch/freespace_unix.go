//go:build unix

package fetch

import (
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// FreeSpace returns the bytes available to this user on the filesystem
// holding dir (or its nearest existing ancestor); ok is false if unknown.
func FreeSpace(dir string) (free int64, ok bool) {
	for {
		var st unix.Statfs_t
		err := unix.Statfs(dir, &st)
		if err == nil {
			return int64(st.Bavail) * int64(st.Bsize), true
		}
		if !os.IsNotExist(err) {
			return 0, false
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return 0, false
		}
		dir = parent
	}
}
