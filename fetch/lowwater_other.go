//go:build !linux

package fetch

// setRcvLowat does nothing here: reads stay as the kernel delivers them.
func setRcvLowat(fd uintptr, n int) error { return nil }
