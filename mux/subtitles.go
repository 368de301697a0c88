package mux

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Cue is one subtitle: shown from Start to End.
type Cue struct {
	Start, End time.Duration
	Text       string
}

// TextTrack is a subtitle track to embed: a language (as the site names
// it, "zh-cn", "en") and its cues.
type TextTrack struct {
	Lang string
	Cues []Cue
}

var (
	cueTime = regexp.MustCompile(`^\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})`)
	cueTag  = regexp.MustCompile(`</?[a-zA-Z][^>]*>|\{\\[^}]*\}`)
)

// maxCues bounds a subtitle file: a cue a second for a day.
const maxCues = 100_000

// ParseCues reads SRT or WebVTT text into cues in time order: every block
// with a "start --> end" line (settings after it ignored), markup tags
// dropped, the lines of a cue joined with newlines.
func ParseCues(data []byte) ([]Cue, error) {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var cues []Cue
	var cur *Cue
	var lines []string
	flush := func() {
		if cur != nil {
			cur.Text = strings.TrimSpace(cueTag.ReplaceAllString(strings.Join(lines, "\n"), ""))
			if cur.Text != "" && cur.End > cur.Start {
				cues = append(cues, *cur)
			}
		}
		cur, lines = nil, nil
	}
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if m := cueTime.FindStringSubmatch(line); m != nil {
			flush()
			start, err1 := parseCueTime(m[1])
			end, err2 := parseCueTime(m[2])
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("%w: subtitle timing %q", ErrCorrupt, line)
			}
			cur = &Cue{Start: start, End: end}
			if len(cues) >= maxCues {
				return nil, fmt.Errorf("%w: more than %d subtitle cues", ErrCorrupt, maxCues)
			}
			continue
		}
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		if cur != nil {
			lines = append(lines, line)
		}
	}
	flush()
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: subtitles: %v", ErrCorrupt, err)
	}
	if len(cues) == 0 {
		return nil, fmt.Errorf("%w: no subtitle cues", ErrCorrupt)
	}
	return cues, nil
}

// maxCueHours bounds the hours of a cue time: far beyond any video (the
// join drops cues after the video's end), and small enough that no time
// overflows a time.Duration (2562047 h).
const maxCueHours = 1_000_000

// parseCueTime reads "HH:MM:SS,mmm", "HH:MM:SS.mmm" or "MM:SS.mmm".
func parseCueTime(s string) (time.Duration, error) {
	parts := strings.Split(strings.Replace(s, ",", ".", 1), ":")
	var h, m int
	var err error
	switch len(parts) {
	case 3:
		if h, err = strconv.Atoi(parts[0]); err != nil || h < 0 || h > maxCueHours {
			return 0, fmt.Errorf("bad time %q", s)
		}
		parts = parts[1:]
		fallthrough
	case 2:
		if m, err = strconv.Atoi(parts[0]); err != nil || m < 0 {
			return 0, fmt.Errorf("bad time %q", s)
		}
	default:
		return 0, fmt.Errorf("bad time %q", s)
	}
	sec, err := strconv.ParseFloat(parts[len(parts)-1], 64)
	if err != nil || sec < 0 || sec >= 60 || m >= 60 {
		return 0, fmt.Errorf("bad time %q", s)
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(math.Round(sec*1000))*time.Millisecond, nil
}

var timestampMap = regexp.MustCompile(`X-TIMESTAMP-MAP=([^\r\n]*)`)

// MergeWebVTT joins the WebVTT segments of an HLS subtitle rendition into
// one WebVTT file: every segment's cues, moved by its X-TIMESTAMP-MAP
// (MPEGTS:<90 kHz>,LOCAL:<time>) relative to the first segment's, so that
// a file whose segments restart their local clock keeps one timeline. A
// cue repeated at a segment boundary (HLS packagers split a cue across
// segments) is kept once; a cue the maps move before the start is
// dropped. A map outside the 33-bit MPEG-TS clock is ErrCorrupt.
func MergeWebVTT(segments [][]byte) ([]byte, error) {
	var all []Cue
	var base vttMap
	for i, seg := range segments {
		tm, err := vttTimestampMap(seg)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			base = tm
		}
		offset := tm.since(base)
		cues, err := ParseCues(seg)
		if err != nil {
			if bytes.Contains(seg, []byte("-->")) {
				return nil, err
			}
			continue // a segment without cues (silence)
		}
		for _, c := range cues {
			c.Start, c.End = max(c.Start+offset, 0), c.End+offset
			if c.End <= c.Start {
				continue
			}
			if n := len(all); n > 0 && all[n-1] == c {
				continue
			}
			all = append(all, c)
		}
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("%w: no subtitle cues", ErrCorrupt)
	}
	var b bytes.Buffer
	b.WriteString("WEBVTT\n")
	for _, c := range all {
		fmt.Fprintf(&b, "\n%s --> %s\n%s\n", vttTime(c.Start), vttTime(c.End), c.Text)
	}
	return b.Bytes(), nil
}

// vttMap is a segment's X-TIMESTAMP-MAP: the MPEG-TS time (90 kHz, 33
// bits) of its local cue time (without a map, 0 for 0, as HLS says).
type vttMap struct {
	mpegts int64
	local  time.Duration
}

// since is what the map adds to cue times relative to base's: the
// MPEG-TS step read the shorter way round the 33-bit clock (it wraps
// every 26.5 h), less the step of the local clocks.
func (m vttMap) since(base vttMap) time.Duration {
	return time.Duration(wrap33(m.mpegts-base.mpegts))*time.Second/90000 - (m.local - base.local)
}

// vttTimestampMap reads a segment's X-TIMESTAMP-MAP; an MPEGTS value
// outside the 33-bit clock (a server's 2^63-1) is refused, not
// overflowed into an arbitrary shift.
func vttTimestampMap(seg []byte) (vttMap, error) {
	m := timestampMap.FindSubmatch(seg)
	if m == nil {
		return vttMap{}, nil
	}
	var tm vttMap
	for _, kv := range strings.Split(string(m[1]), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), ":")
		switch strings.ToUpper(k) {
		case "MPEGTS":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 || n >= 1<<33 {
				return vttMap{}, fmt.Errorf("%w: X-TIMESTAMP-MAP %q: MPEGTS outside the 33-bit clock", ErrCorrupt, m[1])
			}
			tm.mpegts = n
		case "LOCAL":
			d, err := parseCueTime(v)
			if err != nil {
				return vttMap{}, fmt.Errorf("%w: X-TIMESTAMP-MAP %q", ErrCorrupt, m[1])
			}
			tm.local = d
		}
	}
	return tm, nil
}

func vttTime(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	ms := d.Milliseconds()
	return fmt.Sprintf("%02d:%02d:%02d.%03d", ms/3600000, ms/60000%60, ms/1000%60, ms%1000)
}
