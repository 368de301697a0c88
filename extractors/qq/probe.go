package qq

import (
	"context"
	"encoding/binary"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/vdlproject/vdl/request"
)

// probeBytes is how much of an MP4's head a probe reads: a faststart
// file's moov (and its mvhd, the first child) is well within it.
const probeBytes = 64 << 10

// probeMP4Duration reads the head of an MP4 file (one ranged request) and
// returns the duration its movie header states, 0 when it cannot tell
// (moov at the end, not an MP4, a refusal: the download will find out).
func (x *extractor) probeMP4Duration(ctx context.Context, u string) time.Duration {
	h := x.c.mediaHeader()
	h.Set("Range", "bytes=0-"+strconv.Itoa(probeBytes-1))
	resp, err := x.c.http.Open(ctx, request.Spec{URL: u, Header: h, HideQuery: true,
		Accept: func(s int) bool { return s == http.StatusOK || s == http.StatusPartialContent }})
	if err != nil {
		x.log.Debug("MP4 probe failed", "err", err)
		return 0
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, probeBytes))
	return mvhdDuration(head)
}

// mvhdDuration finds moov/mvhd in the first bytes of an MP4 (ISO
// 14496-12 §8.2.2) and returns duration / timescale.
func mvhdDuration(b []byte) time.Duration {
	moov, ok := childBox(b, "moov")
	if !ok {
		return 0
	}
	mvhd, ok := childBox(moov, "mvhd")
	if !ok || len(mvhd) < 4 {
		return 0
	}
	var scale, dur uint64
	switch mvhd[0] { // version
	case 0:
		if len(mvhd) < 20 {
			return 0
		}
		scale, dur = uint64(binary.BigEndian.Uint32(mvhd[12:])), uint64(binary.BigEndian.Uint32(mvhd[16:]))
	case 1:
		if len(mvhd) < 32 {
			return 0
		}
		scale, dur = uint64(binary.BigEndian.Uint32(mvhd[20:])), binary.BigEndian.Uint64(mvhd[24:])
	default:
		return 0
	}
	if scale == 0 || dur/scale > 1e6 { // over 11 days: not a video's header
		return 0
	}
	return time.Duration(dur) * time.Second / time.Duration(scale)
}

// childBox returns the payload of the first box of type name among the
// boxes laid out in b (a truncated last box gives what is there).
func childBox(b []byte, name string) ([]byte, bool) {
	for len(b) >= 8 {
		size, hdr := uint64(binary.BigEndian.Uint32(b)), uint64(8)
		typ := string(b[4:8])
		if size == 1 {
			if len(b) < 16 {
				return nil, false
			}
			size, hdr = binary.BigEndian.Uint64(b[8:]), 16
		}
		if size == 0 {
			size = uint64(len(b)) // to the end
		}
		if size < hdr {
			return nil, false
		}
		end := min(size, uint64(len(b)))
		if typ == name {
			return b[hdr:end], true
		}
		if size > uint64(len(b)) {
			return nil, false
		}
		b = b[size:]
	}
	return nil, false
}
