//go:build !unix

package fetch

// FreeSpace is unknown on this platform; the check is skipped.
func FreeSpace(dir string) (free int64, ok bool) { return 0, false }
