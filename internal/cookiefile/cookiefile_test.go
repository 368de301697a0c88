package cookiefile

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)

const sample = "# Netscape HTTP Cookie File\n" +
	"# This is a generated file!\n\n" +
	".qq.com\tTRUE\t/\tFALSE\t0\tvqq_vuserid\t12345\n" +
	"#HttpOnly_v.qq.com\tFALSE\t/x\tTRUE\t2000000000\tsession\tabc=def\r\n" +
	".qq.com\tTRUE\t/\tFALSE\t1000\told\tgone\n" +
	"example.com\tFALSE\t/\tFALSE\t0\tempty\n"

func TestParse(t *testing.T) {
	got, err := Parse(strings.NewReader(sample), now)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("got %d cookies, want 3 (expired one dropped)", len(got))
	}
	c := got[1]
	if c.URL.String() != "https://v.qq.com/x" || c.Cookie.Value != "abc=def" || !c.Cookie.HttpOnly || !c.Cookie.Secure || c.Cookie.Domain != "" {
		t.Errorf("httponly host cookie parsed as %v %+v", c.URL, c.Cookie)
	}
	if got[0].Cookie.Domain != "qq.com" || !got[0].Cookie.Expires.IsZero() {
		t.Errorf("domain session cookie parsed as %+v", got[0].Cookie)
	}
	if got[2].Cookie.Name != "empty" || got[2].Cookie.Value != "" {
		t.Errorf("six-field line parsed as %+v", got[2].Cookie)
	}
}

func TestParseErrors(t *testing.T) {
	for _, bad := range []string{
		"a\tb\n",
		".qq.com\tMAYBE\t/\tFALSE\t0\tn\tv\n",
		".qq.com\tTRUE\t/\tFALSE\tsoon\tn\tv\n",
		"\tTRUE\t/\tFALSE\t0\tn\tv\n",
		"qq.com\tTRUE\t/\tFALSE\t0\t\tv\n",
	} {
		if _, err := Parse(strings.NewReader("# header\n"+bad), now); err == nil || !strings.Contains(err.Error(), "line 2") {
			t.Errorf("Parse(%q) error = %v, want one naming line 2", bad, err)
		}
	}
}

func TestLoadJar(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cookies.txt")
	if err := os.WriteFile(path, []byte(sample), 0o600); err != nil {
		t.Fatal(err)
	}
	jar, err := LoadJar(path, now)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse("https://v.qq.com/x/cover/abc.html")
	names := map[string]bool{}
	for _, c := range jar.Cookies(u) {
		names[c.Name] = true
	}
	if !names["vqq_vuserid"] || !names["session"] || names["old"] {
		t.Errorf("cookies for %s: %v", u, names)
	}
	other, _ := url.Parse("https://cdn.qq.com/")
	for _, c := range jar.Cookies(other) {
		if c.Name == "session" {
			t.Error("host-only cookie leaked to another host")
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(sample)
	f.Add("#HttpOnly_\t\t\t\t\t\t")
	f.Fuzz(func(t *testing.T, s string) {
		entries, err := Parse(strings.NewReader(s), now)
		if err != nil {
			return
		}
		for _, e := range entries {
			if e.Cookie.Name == "" || e.URL.Host == "" {
				t.Fatalf("accepted cookie without name or host: %+v", e)
			}
		}
	})
}

// TestParseBounds: a file past the size or cookie-count bound is refused
// with ErrTooBig, not loaded whole.
func TestParseBounds(t *testing.T) {
	line := ".example.com\tTRUE\t/\tFALSE\t0\tname\tvalue\n"
	tests := []struct {
		name string
		data string
		ok   bool
	}{
		{"at the count bound", strings.Repeat(line, MaxCookies), true},
		{"one cookie more", strings.Repeat(line, MaxCookies+1), false},
		{"past the size bound in comments", strings.Repeat("# padding padding padding padding\n", MaxFileBytes/34+10) + line, false},
	}
	for _, tt := range tests {
		_, err := Parse(strings.NewReader(tt.data), now)
		if tt.ok && err != nil || !tt.ok && !errors.Is(err, ErrTooBig) {
			t.Errorf("%s: error %v", tt.name, err)
		}
	}
}
