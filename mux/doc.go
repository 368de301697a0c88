// Package mux joins downloaded parts into one playable file: MP4 clips,
// MPEG-TS segments (with AES-128), fMP4 fragments, separate audio and video.
//
// Not built yet: this is issue 3's work. Until then vdl downloads only
// single-part media and says so for anything that needs a join.
package mux
