package hls

import (
	"errors"

	"github.com/vdlproject/vdl/extractors"
)

var (
	// ErrBadPlaylist is a reply that is not a usable HLS playlist: empty,
	// a web page, malformed.
	ErrBadPlaylist = errors.New("bad HLS playlist")

	// ErrLive is a media playlist without EXT-X-ENDLIST: a live stream,
	// whose segments keep coming. It matches ErrUnsupported.
	ErrLive error = liveError{}
)

type liveError struct{}

func (liveError) Error() string {
	return "this is a live stream (no EXT-X-ENDLIST); vdl downloads finished videos, not live recordings"
}

func (liveError) Is(target error) bool { return target == extractors.ErrUnsupported }

// ErrBadKey is a key URI that does not hold a 16-byte AES key.
var ErrBadKey = errors.New("bad HLS key")
