package main

import (
	"strings"
	"testing"

	"github.com/mattn/go-runewidth"
)

func TestSafeText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain 第1集", "plain 第1集"},
		{"\x1b[2Jclear", `\x1b[2Jclear`},
		{"a\rb\nc\td", `a\x0db\x0ac\x09d`},
		{"del\x7f c1\u009b", `del\x7f c1\x9b`},
		{"\u202egnp.exe", `\u202egnp.exe`},
	}
	for _, tt := range tests {
		if got := safeText(tt.in); got != tt.want {
			t.Errorf("safeText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestTableAlignsWideText: columns line up in display columns with CJK
// labels, and cells are made safe.
func TestTableAlignsWideText(t *testing.T) {
	var b strings.Builder
	rows := [][]string{{"ID", "LABEL", "SIZE"}, {"fhd", "蓝光 1080P", "1 MiB"}, {"sd", "标清\x1b[2J", "2 KiB"}}
	if err := writeTable(&b, rows); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d lines: %q", len(lines), b.String())
	}
	col := -1
	for _, l := range lines {
		i := strings.LastIndex(l, "  ")
		c := runewidth.StringWidth(l[:i+2])
		if col >= 0 && c != col {
			t.Errorf("the SIZE column starts at display column %d, not %d, in %q", c, col, l)
		}
		col = c
	}
	if strings.Contains(b.String(), "\x1b") {
		t.Error("a raw ESC reached the table")
	}
}
