package fetch

import (
	"fmt"
	"testing"

	"github.com/vdlproject/vdl/request"
)

func TestParseContentRange(t *testing.T) {
	tests := []struct {
		in   string
		want contentRange
		ok   bool
	}{
		{"bytes 0-99/100", contentRange{0, 99, 100}, true},
		{"bytes 100-199/*", contentRange{100, 199, -1}, true},
		{"bytes 5-5/6", contentRange{5, 5, 6}, true},
		{"bytes 0-99/99", contentRange{}, false}, // last beyond total
		{"bytes 10-9/100", contentRange{}, false},
		{"bytes */100", contentRange{}, false}, // unsatisfied form is not a 206 range
		{"bytes -1-5/100", contentRange{}, false},
		{"bytes +1-5/100", contentRange{}, false},
		{"bytes 1 -5/100", contentRange{}, false},
		{"items 0-9/10", contentRange{}, false},
		{"bytes 0-9", contentRange{}, false},
		{"", contentRange{}, false},
		{"bytes 0-99999999999999999999/100", contentRange{}, false},
	}
	for _, tt := range tests {
		got, err := parseContentRange(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseContentRange(%q) = %+v, %v; want %+v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func FuzzParseContentRange(f *testing.F) {
	for _, s := range []string{"bytes 0-99/100", "bytes 1-2/*", "bytes */5", "bytes 9-1/3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cr, err := parseContentRange(s)
		if err != nil {
			return
		}
		if cr.First < 0 || cr.Last < cr.First || (cr.Total >= 0 && cr.Last >= cr.Total) || cr.Total < -1 {
			t.Fatalf("accepted inconsistent range %q -> %+v", s, cr)
		}
	})
}

func TestRangeSet(t *testing.T) {
	var s rangeSet
	for _, r := range []byteRange{{10, 20}, {30, 40}, {20, 30}, {0, 5}, {50, 60}, {55, 70}, {3, 8}} {
		s = s.add(r)
	}
	want := rangeSet{{0, 8}, {10, 40}, {50, 70}}
	if len(s) != len(want) {
		t.Fatalf("got %v want %v", s, want)
	}
	for i := range s {
		if s[i] != want[i] {
			t.Fatalf("got %v want %v", s, want)
		}
	}
	if s.total() != 8+30+20 {
		t.Errorf("total = %d", s.total())
	}
	gaps := s.gaps(80)
	if len(gaps) != 3 || gaps[0] != (byteRange{8, 10}) || gaps[1] != (byteRange{40, 50}) || gaps[2] != (byteRange{70, 80}) {
		t.Errorf("gaps = %v", gaps)
	}
	if g := s.gaps(-1); g[len(g)-1] != (byteRange{70, -1}) {
		t.Errorf("open gap = %v", g)
	}
	if !s.valid(70) || s.valid(69) || (rangeSet{{5, 3}}).valid(-1) || (rangeSet{{0, 5}, {5, 9}}).valid(-1) {
		t.Error("valid() misjudges")
	}
	if !(rangeSet{{0, 100}}).covers(100) || s.covers(70) {
		t.Error("covers() misjudges")
	}
}

func TestRetryable(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{&request.StatusError{StatusCode: 503}, true},
		{&request.StatusError{StatusCode: 404}, false},
		{&replyError{&request.TimeoutError{What: "no data"}}, true},
		{request.Transient(errShortBody), true},
		{fmt.Errorf("%w: %w", ErrExpired, &request.StatusError{StatusCode: 503}), false},
		{ErrExpired, false},
		{&fileError{ErrNoSpace}, false},
	}
	for _, tt := range tests {
		if got := retryable(tt.err); got != tt.want {
			t.Errorf("retryable(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
