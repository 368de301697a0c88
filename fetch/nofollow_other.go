//go:build !unix

package fetch

// noFollow: no such open flag here; the CLI's check of its work folder
// is the guard.
const noFollow = 0
