package download

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestExpandTemplate(t *testing.T) {
	fields := map[string]any{"title": "第06集: 上/下", "id": "s06vdlser00", "series": "剧..", "episode": 6,
		"format_id": "shd", "height": 720, "ext": "mp4", "site": "qq"}
	tests := []struct {
		tmpl, want string
		err        error
	}{
		{"%(title)s.%(ext)s", "第06集_ 上_下.mp4", nil},
		{"%(series)s/%(series)s - E%(episode)02d - %(title)s.%(ext)s", filepath.Join("剧", "剧.. - E06 - 第06集_ 上_下.mp4"), nil},
		{"%(site)s-%(id)s-%(format_id)s-%(height)dp.%(ext)s", "qq-s06vdlser00-shd-720p.mp4", nil},
		{"100%% %(episode)3d.%(ext)s", "100%   6.mp4", nil},
		{"%(nope)s.mp4", "", ErrBadTemplate},
		{"%(title)d.mp4", "", ErrBadTemplate},
		{"../%(title)s.mp4", "", ErrBadTemplate},
		{"/tmp/%(title)s.mp4", "", ErrBadTemplate},
		{"a/../../%(id)s", "", ErrBadTemplate},
		{"CON/%(id)s.%(ext)s", filepath.Join("_CON", "s06vdlser00.mp4"), nil},
		// The precision counts characters, and a cut never splits one.
		{"%(title).3s.%(ext)s", "第06.mp4", nil},
		// A value's slash stays one name after padding and cutting.
		{"%(title)-12.9s!", "第06集_ 上_下   !", nil},
	}
	for _, tt := range tests {
		got, err := expandTemplate(tt.tmpl, fields)
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("%q: error %v, want %v", tt.tmpl, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%q = %q, %v; want %q", tt.tmpl, got, err, tt.want)
		}
	}
}

// TestTemplateConversions: flags, widths and precisions give what
// yt-dlp (Python's printf) gives; the wanted values were printed by
// Python 3. Brackets keep the padding from being trimmed as a name's
// outer spaces are.
func TestTemplateConversions(t *testing.T) {
	fields := map[string]any{"title": "ab", "cjk": "日本語", "long": "第06集: 上", "neg": -42, "n": 7, "five": 5,
		"zero": 0, "height": 720, "three": 3}
	tests := map[string]string{
		"[%(title)-10s]":   "[ab        ]",
		"[%(title)10s]":    "[        ab]",
		"[%(title)05s]":    "[   ab]", // "0" pads numbers only
		"[%(title)+s]":     "[ab]",
		"[%(long).3s]":     "[第06]",
		"[%(cjk)-6.2s]":    "[日本    ]",
		"[%(cjk).0s]":      "[]",
		"[%(zero)5s]":      "[   NA]", // a missing number, as a string
		"[%(neg)05d]":      "[-0042]",
		"[%(n)+d]":         "[+7]",
		"[%(n) d]":         "[ 7]",
		"[%(n)-+5d]":       "[+7   ]",
		"[%(n)+ d]":        "[+7]",
		"[%(five)05.3d]":   "[00005]", // Go's fmt would give "  005"
		"[%(zero).0d]":     "[0]",     // and "" here
		"[%(zero)03d]":     "[000]",
		"[%(height)i]":     "[720]",
		"[%(height).1f]":   "[720.0]",
		"[%(height)08.2f]": "[00720.00]",
		"[%(three)f]":      "[3.000000]",
		"[%(three)+.0f]":   "[+3]",
		"[%(title)200s]":   "[" + strings.Repeat(" ", 198) + "a", // cut to 200 bytes
		"[%(n)0200d]":      "[" + strings.Repeat("0", 199),
	}
	for tmpl, want := range tests {
		got, err := expandTemplate(tmpl, fields)
		if err != nil || got != want {
			t.Errorf("%q = %q, %v; want %q", tmpl, got, err, want)
		}
	}
}

// TestTemplateRefusals: whatever vdl does not support is refused with a
// message naming the conversion, never taken as literal text; a width or
// precision past the bound is refused at once, without allocating it.
func TestTemplateRefusals(t *testing.T) {
	tests := map[string]string{
		"%(title)9999999999s":                         "width of %(title)9999999999s",
		"%(title)" + strings.Repeat("9", 10000) + "s": "width of %(title)99999999999",
		"%(title).9999999999s":                        "precision of %(title).9999999999s",
		"%(title)201s.mp4":                            "width of %(title)201s",
		"%(height).201d":                              "precision of %(height).201d",
		"%(title)q.mp4":                               "unsupported conversion %(title)q",
		"%(title)r":                                   "unsupported conversion %(title)r",
		"%(height)x":                                  "unsupported conversion %(height)x",
		"%(title)#s":                                  "unsupported conversion %(title)#s",
		"%(title)ls":                                  "unsupported conversion %(title)l",
		"%(title)-10é":                                "unsupported conversion %(title)-10é",
		"%(title).mp4":                                "unsupported conversion %(title).m",
		"%(title).%(ext)s":                            "%(title). has no conversion type",
		"%(title)":                                    "%(title) has no conversion type",
		"%(title)-10":                                 "%(title)-10 has no conversion type",
		"%(title)*s":                                  "%(title) has no conversion type",
		"x %(title":                                   `%(title has no closing ")"`,
		"%(title|NA)s":                                "%(title|NA): only a plain field name",
		"%(upload_date>%Y)s":                          "%(upload_date>%Y): only a plain field name",
		"%()s":                                        "%(): only a plain field name",
		"%(title,id)s %(nope)s":                       "%(title,id)",
		"%(title)s %(height)+5.1q":                    "unsupported conversion %(height)+5.1q",
	}
	for tmpl, want := range tests {
		start := time.Now()
		err := CheckTemplate(tmpl)
		if !errors.Is(err, ErrBadTemplate) || !strings.Contains(err.Error(), want) {
			t.Errorf("%.40q: error %v, want ErrBadTemplate naming %q", tmpl, err, want)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%.40q took %v to refuse", tmpl, d)
		}
	}
	// Fine as they are: a lone % is text, %% is a percent sign.
	for tmpl, want := range map[string]string{"100% %(title)s": "100% t", "%%(title)s %(id)s": "%(title)s i", "50%%": "50%"} {
		got, err := expandTemplate(tmpl, map[string]any{"title": "t", "id": "i"})
		if err != nil || got != want {
			t.Errorf("%q = %q, %v; want %q", tmpl, got, err, want)
		}
	}
}

// TestIsTemplate: any "%(" makes -o a template (so that a broken field is
// refused, never used as a literal file name), as the command line's
// check of several URLs decides.
func TestIsTemplate(t *testing.T) {
	for o, want := range map[string]bool{"out.mp4": false, "100%.mp4": false, "%(title)-10s.mp4": true,
		"%(title).50s": true, "%(title": true, "50%%.mp4": true} {
		if got := isTemplate(o); got != want {
			t.Errorf("isTemplate(%q) = %v, want %v", o, got, want)
		}
	}
}
