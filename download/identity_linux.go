package download

import "golang.org/x/sys/unix"

func setXattr(path, name, value string) error {
	return unix.Lsetxattr(path, name, []byte(value), 0)
}

// getXattr reads an attribute of up to maxRecordBytes; "" when there is
// none, it is bigger, or it cannot be read.
func getXattr(path, name string) string {
	n, err := unix.Lgetxattr(path, name, nil) // its size
	if err != nil || n <= 0 || n > maxRecordBytes {
		return ""
	}
	buf := make([]byte, n)
	n, err = unix.Lgetxattr(path, name, buf) // ERANGE if it grew since: unproven
	if err != nil || n <= 0 {
		return ""
	}
	return string(buf[:n])
}
