package danmaku

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// Filter drops comments a user does not want to see: any that matches one
// of its regular expressions or contains one of its keywords.
type Filter struct {
	patterns []*regexp.Regexp
	keywords []string
}

// maxKeywordFile bounds a keyword file: it is a list a person writes.
const maxKeywordFile = 1 << 20

// NewFilter compiles exprs (Go regular expressions) and reads one keyword
// per line from keywords (may be nil; blank lines and lines starting with
// '#' are skipped). An expression that does not compile is an error naming
// it.
func NewFilter(exprs []string, keywords io.Reader) (*Filter, error) {
	f := &Filter{}
	for _, e := range exprs {
		re, err := regexp.Compile(e)
		if err != nil {
			return nil, fmt.Errorf("danmaku filter %q: %w", e, err)
		}
		f.patterns = append(f.patterns, re)
	}
	if keywords != nil {
		sc := bufio.NewScanner(io.LimitReader(keywords, maxKeywordFile+1))
		read := 0
		for sc.Scan() {
			read += len(sc.Bytes()) + 1
			if read > maxKeywordFile {
				return nil, fmt.Errorf("danmaku keyword file: over %d bytes", maxKeywordFile)
			}
			k := strings.TrimSpace(sc.Text())
			if k != "" && !strings.HasPrefix(k, "#") {
				f.keywords = append(f.keywords, k)
			}
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("danmaku keyword file: %w", err)
		}
	}
	return f, nil
}

// Match reports whether text is filtered out.
func (f *Filter) Match(text string) bool {
	if f == nil {
		return false
	}
	for _, k := range f.keywords {
		if strings.Contains(text, k) {
			return true
		}
	}
	for _, re := range f.patterns {
		if re.MatchString(text) {
			return true
		}
	}
	return false
}

// Stats counts what became of the comments of one video. Every comment
// given to Render is counted once: Placed plus each reason to leave one out
// adds up to Total.
type Stats struct {
	Total       int // comments given
	Duplicates  int // an id seen before (segment boundaries)
	Invalid     int // no printable text, or too long
	Filtered    int // matched the user's filter
	PastEnd     int // after the video's end, or before its start once offset
	OverDensity int // over the comments-per-second cap
	Crowded     int // every lane was full
	Placed      int
}

// Dropped is how many comments were left out for lack of room or over the
// density cap: the ones a user may want back with --danmaku-no-drop or a
// higher cap.
func (s Stats) Dropped() int { return s.Crowded + s.OverDensity }

// choose cleans, offsets, filters and caps cs (sorted by time, deduped),
// counting what it leaves out in st.
func choose(cs []Comment, o *Options, st *Stats) []Comment {
	out := make([]Comment, 0, len(cs))
	var window []time.Duration // times of the comments kept in the last second
	for _, c := range cs {
		text, ok := CleanText(c.Text)
		if !ok {
			st.Invalid++
			continue
		}
		c.Text = text
		c.Time += o.Offset
		if c.Time < 0 || (o.Duration > 0 && c.Time >= o.Duration) {
			st.PastEnd++
			continue
		}
		if o.Filter.Match(text) {
			st.Filtered++
			continue
		}
		if o.MaxPerSecond > 0 {
			for len(window) > 0 && c.Time-window[0] >= time.Second {
				window = window[1:]
			}
			if len(window) >= o.MaxPerSecond {
				st.OverDensity++
				continue
			}
			window = append(window, c.Time)
		}
		out = append(out, c)
	}
	return out
}
