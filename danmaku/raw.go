package danmaku

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// RawSchema names the raw comment file's format; a reader refuses others.
const RawSchema = "vdl-danmaku/1"

// maxRawFile bounds a raw file read back: 50,000 comments take about 10 MiB.
const maxRawFile = 256 << 20

// Raw is every comment of one video as fetched, in vdl's own stable form
// (--danmaku-raw), so a later run or another tool can render it again.
type Raw struct {
	Schema     string       `json:"schema"`
	Site       string       `json:"site"`
	VideoID    string       `json:"video_id"`
	Title      string       `json:"title,omitempty"`
	DurationMS int64        `json:"duration_ms,omitempty"`
	Complete   bool         `json:"complete"`
	Segments   RawSegments  `json:"segments"`
	Comments   []RawComment `json:"comments"`
}

// RawSegments says how much of the site's segmented comment list came.
type RawSegments struct {
	Total   int      `json:"total"`
	Fetched int      `json:"fetched"`
	Missing []string `json:"missing,omitempty"` // the site's names of the segments that failed
}

// RawComment is one comment of a Raw file.
type RawComment struct {
	ID     string `json:"id"`
	TimeMS int64  `json:"time_ms"`
	Text   string `json:"text"`
	Mode   string `json:"mode"`  // scroll, top, bottom
	Color  string `json:"color"` // #rrggbb
	User   string `json:"user,omitempty"`
}

// NewRaw builds the raw form of a video's comments.
func NewRaw(site, videoID, title string, duration time.Duration, seg RawSegments, cs []Comment) *Raw {
	r := &Raw{Schema: RawSchema, Site: site, VideoID: videoID, Title: title, DurationMS: duration.Milliseconds(),
		Complete: seg.Fetched == seg.Total && len(seg.Missing) == 0, Segments: seg, Comments: make([]RawComment, 0, len(cs))}
	for _, c := range cs {
		r.Comments = append(r.Comments, RawComment{ID: c.ID, TimeMS: c.Time.Milliseconds(), Text: c.Text,
			Mode: c.Mode.String(), Color: fmt.Sprintf("#%06x", c.Color&0xFFFFFF), User: c.User})
	}
	return r
}

// WriteRaw writes r as indented JSON.
func WriteRaw(w io.Writer, r *Raw) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("write raw danmaku: %w", err)
	}
	return nil
}

// ErrNotRaw is returned for a file that is not a raw comment file of this
// schema.
var ErrNotRaw = errors.New("not a vdl danmaku file")

// ReadRaw reads a file written by WriteRaw.
func ReadRaw(rd io.Reader) (*Raw, error) {
	data, err := io.ReadAll(io.LimitReader(rd, maxRawFile+1))
	if err != nil {
		return nil, fmt.Errorf("read raw danmaku: %w", err)
	}
	if len(data) > maxRawFile {
		return nil, fmt.Errorf("%w: over %d MiB", ErrNotRaw, maxRawFile>>20)
	}
	var r Raw
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotRaw, err)
	}
	if r.Schema != RawSchema {
		return nil, fmt.Errorf("%w: schema %q, want %q", ErrNotRaw, r.Schema, RawSchema)
	}
	return &r, nil
}

// CommentList returns r's comments in the model.
func (r *Raw) CommentList() []Comment {
	out := make([]Comment, 0, len(r.Comments))
	for _, c := range r.Comments {
		out = append(out, Comment{ID: c.ID, Time: time.Duration(c.TimeMS) * time.Millisecond, Text: c.Text,
			Mode: ParseMode(c.Mode), Color: ParseColor(c.Color), User: c.User})
	}
	return out
}

// ParseColor reads a colour as sites write them: "#rrggbb", "rrggbb",
// "0xrrggbb" or a decimal integer. Anything else is White.
func ParseColor(s string) uint32 {
	s = strings.TrimSpace(s)
	hex := strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(s, "#"), "0x"), "0X")
	if hex != s || len(hex) == 6 {
		if v, err := strconv.ParseUint(hex, 16, 32); err == nil && v <= 0xFFFFFF && len(hex) <= 6 {
			return uint32(v)
		}
		if hex != s {
			return White
		}
	}
	if v, err := strconv.ParseUint(s, 10, 32); err == nil && v <= 0xFFFFFF {
		return uint32(v)
	}
	return White
}
