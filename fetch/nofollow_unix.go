//go:build unix

package fetch

import "syscall"

// noFollow makes opening a part file fail on a symbolic link instead of
// writing through it to a file that is not vdl's.
const noFollow = syscall.O_NOFOLLOW
