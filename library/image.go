package library

import "bytes"

// ImageExt names an image by its bytes, not its URL (a .jpg URL may serve
// WebP, an error page may answer with 200): "jpg", "png" or "webp", and
// ok false for anything else, which is never saved as an image.
func ImageExt(data []byte) (ext string, ok bool) {
	switch {
	case len(data) >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF:
		return "jpg", true
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "png", true
	case len(data) >= 12 && bytes.Equal(data[:4], []byte("RIFF")) && bytes.Equal(data[8:12], []byte("WEBP")):
		return "webp", true
	}
	return "", false
}
