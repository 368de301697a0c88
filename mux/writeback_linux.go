package mux

import (
	"os"

	"golang.org/x/sys/unix"
)

// startWriteback asks the kernel to start writing [off, off+n) of f to
// disk now, without waiting: the final fsync then finds most of the
// file on its way instead of all of it dirty (dirty pages of a fresh
// file otherwise wait in memory until the fsync writes them at once).
func startWriteback(f *os.File, off, n int64) {
	_ = unix.SyncFileRange(int(f.Fd()), off, n, unix.SYNC_FILE_RANGE_WRITE)
}
