package download

import (
	"strings"
	"testing"
)

func TestSanitizeName(t *testing.T) {
	long := strings.Repeat("长", 100) + ".mp4" // 300 bytes of 3-byte runes
	tests := []struct{ in, want string }{
		{"Episode 1.mp4", "Episode 1.mp4"},
		{"../../etc/passwd", "_.._etc_passwd"},
		{"a/b\\c.mp4", "a_b_c.mp4"},
		{"..", "download"},
		{"", "download"},
		{"  .hidden. ", "hidden"},
		{"tab\there\x00nul\x7f.ts", "tabhere_nul.ts"},
		{"what?: <yes>|no*.mp4", "what__ _yes__no_.mp4"},
		// Names Windows keeps for devices, and trailing dots and spaces.
		{"CON", "_CON"},
		{"nul.txt", "_nul.txt"},
		{"Com1.mp4", "_Com1.mp4"},
		{"aux .mp4", "_aux .mp4"},
		{"LPT¹.ts", "_LPT¹.ts"},
		{"COM10.mp4", "COM10.mp4"},
		{"console.mp4", "console.mp4"},
		{"title. . .", "title"},
		{"title.mp4 . ", "title.mp4"},
	}
	for _, tt := range tests {
		if got := sanitizeName(tt.in); got != tt.want {
			t.Errorf("sanitizeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	got := sanitizeName(long)
	if len(got) > maxNameBytes || !strings.HasSuffix(got, ".mp4") || !strings.HasPrefix(got, "长") {
		t.Errorf("long name cut badly: %d bytes %q", len(got), got)
	}
}
