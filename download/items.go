package download

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vdlproject/vdl/extractors"
)

// Items is a parsed -I/--items spec: which 1-based positions of a
// playlist to take, in the playlist's order. The zero value takes all.
type Items struct {
	spans []span // inclusive; hi 0 = to the end
	spec  string
}

type span struct{ lo, hi int }

// ParseItems reads a subset of yt-dlp's --playlist-items syntax: a comma
// list of N, N-M and N- (N, M 1-based, M >= N).
func ParseItems(spec string) (Items, error) {
	it := Items{spec: spec}
	if strings.TrimSpace(spec) == "" {
		return it, fmt.Errorf("%w: empty item list", ErrBadItems)
	}
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(strings.TrimSpace(lo))
		if err != nil || a < 1 {
			return Items{}, fmt.Errorf("%w: %q: want N, N-M or N- with N from 1", ErrBadItems, part)
		}
		s := span{a, a}
		if isRange {
			s.hi = 0
			if h := strings.TrimSpace(hi); h != "" {
				b, err := strconv.Atoi(h)
				if err != nil || b < a {
					return Items{}, fmt.Errorf("%w: %q: want N-M with M >= N", ErrBadItems, part)
				}
				s.hi = b
			}
		}
		it.spans = append(it.spans, s)
	}
	return it, nil
}

// Has reports whether 1-based position n is selected.
func (it Items) Has(n int) bool {
	if it.spans == nil {
		return true
	}
	for _, s := range it.spans {
		if n >= s.lo && (s.hi == 0 || n <= s.hi) {
			return true
		}
	}
	return false
}

func (it Items) String() string { return it.spec }

// Pick returns the entry indexes (0-based) of a list of n items that it
// selects, in order. A spec that selects none of a non-empty list (-I 20-
// of 12 items) is a NoneSelectedError: said at once, before any request
// about an item, rather than a run that does nothing and exits 0.
func (it Items) Pick(n int) ([]int, error) {
	var picked []int
	for i := range n {
		if it.Has(i + 1) {
			picked = append(picked, i)
		}
	}
	if n > 0 && len(picked) == 0 {
		return nil, &NoneSelectedError{Spec: it.spec, Count: n}
	}
	return picked, nil
}

// NoneSelectedError is an -I spec that selects none of a list's Count
// items. It is the user's to change: it wraps ErrBadItems (exit code 2).
type NoneSelectedError struct {
	Spec  string
	Count int
}

func (e *NoneSelectedError) Error() string {
	items := "items"
	if e.Count == 1 {
		items = "item"
	}
	return fmt.Sprintf("-I %s selects nothing: the list has %d %s", e.Spec, e.Count, items)
}

func (e *NoneSelectedError) Unwrap() error { return ErrBadItems }

// Outcome is how one playlist item ended.
type Outcome string

const (
	Downloaded Outcome = "downloaded"
	Skipped    Outcome = "skipped" // in the archive, or already on disk
	Refused    Outcome = "refused" // the site refuses it: VIP, DRM, region, not found
	Failed     Outcome = "failed"  // after its retries (and one more try at the end)
	Planned    Outcome = "planned" // --dry-run: resolved, nothing fetched
)

// The reasons of a Skipped item.
const (
	InArchive = "in the archive"
	OnDisk    = "already on disk" // complete, recognised as this download
	// CommentsOnly: --danmaku-only wrote the item's comments, no media.
	CommentsOnly = "danmaku only"
)

// ItemReport is one item of a run, as the journal records it.
type ItemReport struct {
	Index   int     `json:"index"` // 1-based position in its list
	Site    string  `json:"site,omitempty"`
	ID      string  `json:"id,omitempty"`
	Episode int     `json:"episode,omitempty"`
	Title   string  `json:"title,omitempty"`
	Format  string  `json:"format,omitempty"`
	File    string  `json:"file,omitempty"`
	Bytes   int64   `json:"bytes"`            // of the file; for a plan, the format's size (-1 unknown)
	Approx  bool    `json:"approx,omitempty"` // Bytes is an estimate (bitrate x duration)
	Outcome Outcome `json:"outcome"`
	Reason  string  `json:"reason,omitempty"` // why skipped, refused or failed
	// Notes are what went wrong without costing the item (a subtitle
	// that could not be had), for the summary.
	Notes []string `json:"notes,omitempty"`
	Err   error    `json:"-"`
}

// Report is what a run did, item by item.
type Report struct {
	Title string
	// List says the run was a list (a series, a batch): summarised, its
	// result decided by its items. Otherwise it was one download, whose
	// error is the run's.
	List  bool
	Items []ItemReport
	// Notes are summary lines about the list as a whole (a series of a
	// batch whose -I selects none of its items).
	Notes   []string
	Journal string // the journal's file, when it got lines
	Free    int64  // a dry run's free space in the download folder (-1 unknown)
	// Kept says a download of the run ended with its parts on disk (not
	// published) that a rerun resumes from: an interruption is then no
	// loss.
	Kept bool
}

// Count returns how many items ended with o.
func (r *Report) Count(o Outcome) int {
	n := 0
	for _, it := range r.Items {
		if it.Outcome == o {
			n++
		}
	}
	return n
}

// FirstError is the error of the first item that was refused or failed.
func (r *Report) FirstError() error {
	for _, it := range r.Items {
		if it.Err != nil {
			return it.Err
		}
	}
	return nil
}

// fail classifies an item's error: the site's refusal, or a failure.
func fail(r ItemReport, err error) ItemReport {
	r.Err, r.Outcome, r.Reason = err, Failed, err.Error()
	if reason, ok := extractors.Refusal(err); ok {
		r.Outcome, r.Reason = Refused, reason
		// A refusal that says more in parentheses right after its name
		// keeps it: "VIP only (a 5-minute preview)".
		if msg := err.Error(); strings.HasPrefix(msg, reason+" (") {
			if end := strings.Index(msg, ")"); end > 0 {
				r.Reason = msg[:end+1]
			}
		}
	}
	return r
}
