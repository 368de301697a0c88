package library

import (
	"bytes"
	"fmt"
	"image/png"

	"golang.org/x/image/webp"
)

// Cover readies an image for MP4 cover art (covr), which holds JPEG or PNG
// only: those are kept as they are, a WebP is decoded and written as PNG
// (lossless, as yt-dlp converts it). png says which the result is.
func Cover(data []byte) (cover []byte, isPNG bool, err error) {
	ext, ok := ImageExt(data)
	switch {
	case !ok:
		return nil, false, fmt.Errorf("cover art: not an image")
	case ext == "jpg":
		return data, false, nil
	case ext == "png":
		return data, true, nil
	}
	img, err := webp.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, false, fmt.Errorf("cover art: WebP: %w", err)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, false, fmt.Errorf("cover art: %w", err)
	}
	return b.Bytes(), true, nil
}
