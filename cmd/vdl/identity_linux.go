package main

import "golang.org/x/sys/unix"

// identityAttr records which video a finished file is, so that a later
// download whose title gives the same name can tell "already have it"
// from "a different video with the same title".
const identityAttr = "user.vdl.source"

// markIdentity tags a finished output; filesystems without user xattrs
// just do not remember (the size check still applies).
func markIdentity(path, ident string) {
	_ = unix.Setxattr(path, identityAttr, []byte(ident), 0)
}

// readIdentity returns the tag of a file, "" if none.
func readIdentity(path string) string {
	buf := make([]byte, 512)
	n, err := unix.Getxattr(path, identityAttr, buf)
	if err != nil || n <= 0 {
		return ""
	}
	return string(buf[:n])
}
