package fetch

import (
	"fmt"
	"strconv"
	"strings"
)

// contentRange is a parsed "Content-Range: bytes first-last/total" header.
// Total is -1 when the server sent "*".
type contentRange struct {
	First, Last, Total int64
}

// parseContentRange parses the value of a Content-Range header of a 206
// response strictly (RFC 9110 §14.4): unit "bytes", decimal positions with
// no sign or spaces, first <= last, and last < total when total is known.
// Anything else is an error: the bytes that follow would be unplaceable.
func parseContentRange(v string) (contentRange, error) {
	bad := func() (contentRange, error) {
		return contentRange{}, fmt.Errorf("malformed Content-Range %q", v)
	}
	rest, ok := strings.CutPrefix(v, "bytes ")
	if !ok {
		return bad()
	}
	span, total, ok := strings.Cut(rest, "/")
	if !ok {
		return bad()
	}
	firstS, lastS, ok := strings.Cut(span, "-")
	if !ok {
		return bad()
	}
	first, ok1 := parseDecimal(firstS)
	last, ok2 := parseDecimal(lastS)
	if !ok1 || !ok2 || first > last {
		return bad()
	}
	cr := contentRange{First: first, Last: last, Total: -1}
	if total != "*" {
		t, ok := parseDecimal(total)
		if !ok || last >= t {
			return bad()
		}
		cr.Total = t
	}
	return cr, nil
}

// parseDecimal accepts only ASCII digits (no sign, no spaces) that fit in
// an int64.
func parseDecimal(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
