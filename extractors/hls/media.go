package hls

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/grafov/m3u8"

	"github.com/vdlproject/vdl/extractors"
)

// mediaList is a parsed media playlist: one stream of segments.
type mediaList struct {
	stream          extractors.Stream
	duration        time.Duration
	exactSize       int64  // sum of byte ranges when every piece has one, else -1
	drm             string // DRM scheme found, "" if none
	container       string // "ts", "mp4" (EXT-X-MAP), or the segments' extension
	discontinuities int
}

// MaxSegments bounds the segments of one media playlist: 100,000 is 55
// hours of 2-second segments, and memory and the resume state grow with
// the count, so a playlist past it is refused up front.
const MaxSegments = 100_000

// decode runs grafov/m3u8 over data after the checks it does not make,
// and returns the playlist with the facts grafov loses.
func decode(data []byte) (m3u8.Playlist, m3u8.ListType, rawFacts, error) {
	if n := bytes.Count(data, []byte("#EXTINF:")); n > MaxSegments {
		// Counted before any parse: the parsers' memory grows with it.
		return nil, 0, rawFacts{}, fmt.Errorf("%w: the playlist lists %d segments; vdl takes at most %d per playlist",
			extractors.ErrUnsupported, n, MaxSegments)
	}
	raw := scanRaw(data)
	if !raw.hasHeader {
		return nil, 0, raw, notPlaylist(raw.firstLine)
	}
	pl, kind, err := safeDecode(data)
	if err != nil || pl == nil {
		return nil, 0, raw, fmt.Errorf("%w: %v", ErrBadPlaylist, err)
	}
	return pl, kind, raw, nil
}

// safeDecode calls grafov/m3u8, which dereferences nil on some malformed
// tags (found by FuzzParse: "#EXT-X-MAP:" then a URI line). A hostile
// playlist must be an error, not a crash of the whole download.
func safeDecode(data []byte) (pl m3u8.Playlist, kind m3u8.ListType, err error) {
	defer func() {
		if r := recover(); r != nil {
			pl, err = nil, fmt.Errorf("malformed playlist (parser failed: %v)", r)
		}
	}()
	return m3u8.Decode(*bytes.NewBuffer(data), false)
}

func notPlaylist(first string) error {
	switch {
	case first == "":
		return fmt.Errorf("%w: the reply is empty", ErrBadPlaylist)
	case strings.HasPrefix(first, "<"):
		return fmt.Errorf("%w: the server sent a web page (%s), not an HLS playlist", ErrBadPlaylist, clip(first, 40))
	}
	return fmt.Errorf("%w: not an HLS playlist (it starts with %q, not #EXTM3U)", ErrBadPlaylist, clip(first, 40))
}

// parseMedia turns a media playlist into a stream of the given kind. base
// is the playlist's own URL: relative URIs resolve against it.
func parseMedia(data []byte, base *url.URL, kind extractors.Kind) (*mediaList, error) {
	pl, lt, raw, err := decode(data)
	if err != nil {
		return nil, err
	}
	p, ok := pl.(*m3u8.MediaPlaylist)
	if lt != m3u8.MEDIA || !ok {
		return nil, fmt.Errorf("%w: expected a media playlist, got a master playlist", ErrBadPlaylist)
	}
	segs := p.Segments[:p.Count()]
	switch {
	case !p.Closed:
		return nil, ErrLive
	case p.Iframe:
		return nil, fmt.Errorf("%w: an I-frame-only playlist holds no playable stream", ErrBadPlaylist)
	case len(segs) == 0:
		return nil, fmt.Errorf("%w: the playlist has no segments", ErrBadPlaylist)
	case len(raw.rangeOffset) != len(segs):
		return nil, fmt.Errorf("%w: cannot match the segment lines (%d of %d)", ErrBadPlaylist, len(raw.rangeOffset), len(segs))
	}
	ml := &mediaList{stream: extractors.Stream{Kind: kind}, exactSize: 0}
	if len(raw.drm) > 0 {
		ml.drm = raw.drm[0]
	}
	b := &builder{base: base, rangeEnd: map[string]int64{}}
	var curKey *extractors.Key
	var curMap *m3u8.Map
	for i, s := range segs {
		if s.Key != nil {
			if curKey, err = b.key(s.Key, ml); err != nil {
				return nil, err
			}
		}
		if s.Map != nil {
			if curMap != nil && *curMap != *s.Map {
				return nil, fmt.Errorf("%w: EXT-X-MAP changes at segment %d (a new init section mid-stream)", extractors.ErrUnsupported, i)
			}
			if curMap == nil {
				curMap = s.Map
				if ml.stream.Init, err = b.initSegment(s.Map, raw.mapEncrypted); err != nil {
					return nil, err
				}
			}
		}
		seg, err := b.segment(s, raw.rangeOffset[i], curKey)
		if err != nil {
			return nil, fmt.Errorf("segment %d: %w", i, err)
		}
		if seg.Discontinuity {
			ml.discontinuities++
		}
		ml.duration += seg.Duration
		ml.stream.Segments = append(ml.stream.Segments, seg)
	}
	ml.exactSize = exactSize(ml.stream)
	ml.container = containerOf(ml.stream)
	return ml, nil
}

// builder resolves URIs and byte ranges of one playlist.
type builder struct {
	base     *url.URL
	rangeEnd map[string]int64 // end of the last byte range per URI
}

func (b *builder) resolve(ref string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(ref))
	if err != nil || ref == "" {
		return "", fmt.Errorf("%w: bad URI %q", ErrBadPlaylist, clip(ref, 60))
	}
	abs := b.base.ResolveReference(u)
	if abs.Scheme != "http" && abs.Scheme != "https" {
		return "", fmt.Errorf("%w: URI %q is not http(s)", extractors.ErrUnsupported, clip(ref, 60))
	}
	return abs.String(), nil
}

func (b *builder) segment(s *m3u8.MediaSegment, hasOffset bool, key *extractors.Key) (extractors.Segment, error) {
	u, err := b.resolve(s.URI)
	if err != nil {
		return extractors.Segment{}, err
	}
	if s.Duration < 0 || s.Duration > 24*3600 {
		return extractors.Segment{}, fmt.Errorf("%w: segment duration %g s", ErrBadPlaylist, s.Duration)
	}
	seg := extractors.Segment{URL: u, Size: -1, Duration: time.Duration(s.Duration * float64(time.Second)), Discontinuity: s.Discontinuity}
	if s.Limit < 0 || s.Offset < 0 {
		return seg, fmt.Errorf("%w: negative byte range", ErrBadPlaylist)
	}
	if s.Limit > 0 {
		off := s.Offset
		if !hasOffset {
			off = b.rangeEnd[u] // RFC 8216 4.3.2.2: continues the previous range of the URI
		}
		seg.Offset, seg.Length, seg.Size = off, s.Limit, s.Limit
		b.rangeEnd[u] = off + s.Limit
	}
	if key != nil {
		k := *key
		if k.IV == nil {
			k.IV = sequenceIV(s.SeqId)
		}
		seg.Key = &k
	}
	return seg, nil
}

// key converts a key tag into the key of the segments that follow; nil for
// METHOD=NONE. DRM methods are recorded and leave segments unkeyed: such a
// format is never downloaded.
func (b *builder) key(k *m3u8.Key, ml *mediaList) (*extractors.Key, error) {
	if scheme := drmScheme(k); scheme != "" {
		if ml.drm == "" {
			ml.drm = scheme
		}
		return nil, nil
	}
	if !strings.EqualFold(k.Method, "AES-128") {
		return nil, nil
	}
	if k.URI == "" {
		return nil, fmt.Errorf("%w: AES-128 key without a URI", ErrBadPlaylist)
	}
	u, err := b.resolve(k.URI)
	if err != nil {
		return nil, err
	}
	key := &extractors.Key{Method: "AES-128", URI: u}
	if k.IV != "" {
		if key.IV, err = parseIV(k.IV); err != nil {
			return nil, err
		}
	}
	return key, nil
}

func (b *builder) initSegment(m *m3u8.Map, enc *m3u8.Key) (*extractors.Segment, error) {
	u, err := b.resolve(m.URI)
	if err != nil {
		return nil, err
	}
	seg := &extractors.Segment{URL: u, Size: -1}
	if m.Limit > 0 {
		seg.Offset, seg.Length, seg.Size = m.Offset, m.Limit, m.Limit
	}
	if enc != nil {
		// An encrypted init section needs an explicit IV (RFC 8216 4.3.2.4).
		if enc.IV == "" {
			return nil, fmt.Errorf("%w: encrypted EXT-X-MAP without an IV", ErrBadPlaylist)
		}
		k, err := b.key(enc, &mediaList{})
		if err != nil {
			return nil, err
		}
		seg.Key = k
	}
	return seg, nil
}

// parseIV reads "0x..." (up to 32 hex digits, right-aligned in 16 bytes).
func parseIV(s string) ([]byte, error) {
	h := s
	if len(h) > 2 && (h[:2] == "0x" || h[:2] == "0X") {
		h = h[2:]
	}
	if len(h)%2 == 1 {
		h = "0" + h
	}
	raw, err := hex.DecodeString(h)
	if err != nil || len(raw) == 0 || len(raw) > 16 {
		return nil, fmt.Errorf("%w: bad IV %q", ErrBadPlaylist, clip(s, 40))
	}
	iv := make([]byte, 16)
	copy(iv[16-len(raw):], raw)
	return iv, nil
}

// sequenceIV is the IV HLS implies without an IV attribute: the media
// sequence number as a 128-bit big-endian integer (RFC 8216 5.2).
func sequenceIV(seq uint64) []byte {
	iv := make([]byte, 16)
	binary.BigEndian.PutUint64(iv[8:], seq)
	return iv
}

// exactSize is the bytes to download when every piece is a byte range.
func exactSize(st extractors.Stream) int64 {
	var n int64
	for _, s := range st.Segments {
		if s.Length <= 0 {
			return -1
		}
		n += s.Length
	}
	if st.Init != nil {
		if st.Init.Length <= 0 {
			return -1
		}
		n += st.Init.Length
	}
	return n
}

// containerOf names the joined output's container.
func containerOf(st extractors.Stream) string {
	if st.Init != nil {
		return "mp4"
	}
	u, err := url.Parse(st.Segments[0].URL)
	if err != nil {
		return "ts"
	}
	switch ext := strings.ToLower(strings.TrimPrefix(path.Ext(u.Path), ".")); ext {
	case "aac", "mp3", "ac3", "ec3", "vtt", "webvtt", "mp4", "m4s", "m4a", "m4v":
		return ext
	}
	return "ts" // .ts, or no telling: TS is what HLS without EXT-X-MAP carries
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
