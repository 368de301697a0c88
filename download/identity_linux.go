package download

import "golang.org/x/sys/unix"

func setXattr(path, name, value string) error {
	return unix.Lsetxattr(path, name, []byte(value), 0)
}

func getXattr(path, name string) string {
	buf := make([]byte, 512)
	n, err := unix.Lgetxattr(path, name, buf)
	if err != nil || n <= 0 {
		return ""
	}
	return string(buf[:n])
}
