package main

import "golang.org/x/sys/unix"

func setXattr(path, name, value string) error {
	return unix.Setxattr(path, name, []byte(value), 0)
}

func getXattr(path, name string) string {
	buf := make([]byte, 512)
	n, err := unix.Getxattr(path, name, buf)
	if err != nil || n <= 0 {
		return ""
	}
	return string(buf[:n])
}
