package download

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"
)

// An output template names files the way yt-dlp's -o does: literal text
// and %(field) conversions in printf style (flags "-", "0", "+", " ", a
// width, a .precision, and the types s, d, i and f); "%%" is a percent
// sign. Each field's value is sanitised as one name (no separators, no
// control characters, no device names), so only the template's own
// slashes make folders, and the result must stay under the download
// folder.
//
// Anything after "%(" that is not such a conversion is refused, never
// kept as literal text: a name like "%(title)-10s.mp4" taken literally
// would give every video of a run the same file.

// maxConvWidth bounds a conversion's width and precision. A field wider
// than this can only be cut again by the 200-byte rule of names, and an
// unbounded width would let "-o '%(title)9999999999s'" ask for gigabytes.
const maxConvWidth = maxNameBytes

// ErrBadTemplate is an -o template that cannot be expanded or leaves the
// download folder. (Exit code 2.)
var ErrBadTemplate = fmt.Errorf("%w: output template", ErrBadOutput)

// conversion is one %(name)... field of a template, as parsed.
type conversion struct {
	text        string // as written, for messages
	name        string
	left, zero  bool // "-": pad on the right; "0": pad numbers with zeros
	plus, space bool // sign of non-negative numbers: "+" or " "
	width       int
	prec        int  // -1: none given
	verb        byte // s, d, i or f
}

// tmplPart is literal text, or (conv != nil) a conversion.
type tmplPart struct {
	lit  string
	conv *conversion
}

// isTemplate says whether -o is a template rather than a file name: it
// has a field ("%(", as the command line decides too) or an escaped "%".
func isTemplate(o string) bool { return strings.Contains(o, "%(") || strings.Contains(o, "%%") }

// parseTemplate splits a template into literal text and conversions. A
// "%" not followed by "(" or "%" is literal, as in yt-dlp.
func parseTemplate(tmpl string) ([]tmplPart, error) {
	var (
		pieces []tmplPart
		lit    strings.Builder
	)
	for i := 0; i < len(tmpl); {
		switch {
		case tmpl[i] != '%' || i+1 == len(tmpl) || tmpl[i+1] != '%' && tmpl[i+1] != '(':
			lit.WriteByte(tmpl[i])
			i++
		case tmpl[i+1] == '%':
			lit.WriteByte('%')
			i += 2
		default:
			c, n, err := parseConversion(tmpl[i:])
			if err != nil {
				return nil, err
			}
			if lit.Len() > 0 {
				pieces = append(pieces, tmplPart{lit: lit.String()})
				lit.Reset()
			}
			pieces = append(pieces, tmplPart{conv: c})
			i += n
		}
	}
	if lit.Len() > 0 {
		pieces = append(pieces, tmplPart{lit: lit.String()})
	}
	return pieces, nil
}

// parseConversion reads one conversion at the start of s (which starts
// with "%(") and returns it with the number of bytes it takes.
func parseConversion(s string) (*conversion, int, error) {
	end := strings.IndexByte(s, ')')
	if end < 0 {
		return nil, 0, fmt.Errorf("%w: %s has no closing \")\"", ErrBadTemplate, quoteConv(s))
	}
	c := &conversion{name: s[2:end], prec: -1}
	if !plainName(c.name) {
		return nil, 0, fmt.Errorf("%w: %s: only a plain field name goes between %%( and ) (yt-dlp's field expressions are not supported)",
			ErrBadTemplate, quoteConv(s[:end+1]))
	}
	i := end + 1
	alternate := false
flags:
	for ; i < len(s); i++ {
		switch s[i] {
		case '-':
			c.left = true
		case '0':
			c.zero = true
		case '+':
			c.plus = true
		case ' ':
			c.space = true
		case '#':
			alternate = true // yt-dlp gives it meanings of its own: refused below
		default:
			break flags
		}
	}
	i, c.width = readNumber(s, i)
	if i < len(s) && s[i] == '.' {
		i, c.prec = readNumber(s, i+1)
	}
	if i == len(s) || !isLetter(s[i]) {
		return nil, 0, fmt.Errorf("%w: %s has no conversion type (end it with s or d, as in %%(%s)s)", ErrBadTemplate, quoteConv(s[:i]), c.name)
	}
	_, size := utf8.DecodeRuneInString(s[i:])
	c.verb, i = s[i], i+size
	c.text = s[:i]
	switch {
	case alternate || !strings.ContainsRune("sdif", rune(c.verb)):
		return nil, 0, fmt.Errorf("%w: unsupported conversion %s (vdl has the types s, d, i and f, with the flags - 0 + and space, a width and a .precision)",
			ErrBadTemplate, quoteConv(c.text))
	case c.width > maxConvWidth:
		return nil, 0, fmt.Errorf("%w: the width of %s is more than %d (a name has at most %d bytes)", ErrBadTemplate, quoteConv(c.text), maxConvWidth, maxNameBytes)
	case c.prec > maxConvWidth:
		return nil, 0, fmt.Errorf("%w: the precision of %s is more than %d (a name has at most %d bytes)", ErrBadTemplate, quoteConv(c.text), maxConvWidth, maxNameBytes)
	}
	return c, i, nil
}

// readNumber reads the digits at s[i:]; the value saturates just past
// maxConvWidth, so that any number of digits is read without overflow
// and refused. No digits is 0, as printf takes an empty precision.
func readNumber(s string, i int) (next, n int) {
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = min(n*10+int(s[i]-'0'), maxConvWidth+1)
	}
	return i, n
}

func plainName(name string) bool {
	for i := 0; i < len(name); i++ {
		if c := name[i]; !isLetter(c) && c != '_' && (c < '0' || c > '9') {
			return false
		}
	}
	return name != ""
}

// isLetter says whether b starts a conversion type: any letter, and any
// non-ASCII rune, so that the message names what was written.
func isLetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= utf8.RuneSelf }

// quoteConv shows a conversion in a message, cut if it is long (the
// template comes from the user, but may be a pasted mistake).
func quoteConv(s string) string {
	const limit = 48
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// expandTemplate fills tmpl from fields (strings or ints) into a path
// relative to the download folder. A field the item lacks is "NA" (an
// int field 0), as yt-dlp writes it.
func expandTemplate(tmpl string, fields map[string]any) (string, error) {
	pieces, err := parseTemplate(tmpl)
	if err != nil {
		return "", err
	}
	// One name: a value's slashes never make folders.
	oneName := strings.NewReplacer("/", "_", `\`, "_")
	var out strings.Builder
	for _, p := range pieces {
		if p.conv == nil {
			out.WriteString(p.lit)
			continue
		}
		s, err := p.conv.format(fields)
		if err != nil {
			return "", err
		}
		out.WriteString(oneName.Replace(s))
	}
	return cleanRelative(out.String())
}

// format applies the conversion to its field's value.
func (c *conversion) format(fields map[string]any) (string, error) {
	v, ok := fields[c.name]
	if !ok {
		return "", fmt.Errorf("%w: unknown field %q (known: %s)", ErrBadTemplate, c.name, fieldNames(fields))
	}
	if c.verb == 's' {
		s := fmt.Sprint(v)
		if n, isInt := v.(int); isInt && n == 0 || s == "" {
			s = "NA"
		}
		return c.formatString(s), nil
	}
	n, isInt := v.(int)
	if !isInt {
		return "", fmt.Errorf("%w: field %q is not a number (%s needs one; use %%(%s)s)", ErrBadTemplate, c.name, c.text, c.name)
	}
	return c.formatNumber(n), nil
}

// formatString cuts s to the precision and pads it to the width, both
// counted in characters (runes), as yt-dlp counts them; "0", "+" and " "
// do nothing to a string, as in Python.
func (c *conversion) formatString(s string) string {
	if c.prec >= 0 {
		runes := 0
		for i := range s {
			if runes == c.prec {
				s = s[:i]
				break
			}
			runes++
		}
	}
	return pad(s, c.width-utf8.RuneCountInString(s), c.left, ' ')
}

// formatNumber writes n as Python's printf does (which differs from Go's
// fmt: "%05.3d" is "00005", "%.0d" of 0 is "0"): d and i with at least
// precision digits, f with precision decimals (6 if none is given).
func (c *conversion) formatNumber(n int) string {
	u := uint64(n)
	if n < 0 {
		u = -u
	}
	var digits string
	if c.verb == 'f' {
		prec := c.prec
		if prec < 0 {
			prec = 6
		}
		digits = strconv.FormatFloat(float64(u), 'f', prec, 64)
	} else {
		digits = strconv.FormatUint(u, 10)
		if len(digits) < c.prec {
			digits = strings.Repeat("0", c.prec-len(digits)) + digits
		}
	}
	sign := ""
	switch {
	case n < 0:
		sign = "-"
	case c.plus:
		sign = "+"
	case c.space:
		sign = " "
	}
	if c.zero && !c.left {
		return sign + pad(digits, c.width-len(sign)-len(digits), false, '0')
	}
	return pad(sign+digits, c.width-len(sign)-len(digits), c.left, ' ')
}

// pad adds n fill characters before s (after it if right is set).
func pad(s string, n int, right bool, fill byte) string {
	if n <= 0 {
		return s
	}
	p := strings.Repeat(string(fill), n)
	if right {
		return s + p
	}
	return p + s
}

// cleanRelative checks a template's result: relative, no ".." and no
// empty part, each part a safe name.
func cleanRelative(p string) (string, error) {
	p = strings.ReplaceAll(p, `\`, "/")
	if strings.HasPrefix(p, "/") || filepath.VolumeName(p) != "" {
		return "", fmt.Errorf("%w: %q is absolute; a template names files under -d", ErrBadTemplate, p)
	}
	var parts []string
	for _, part := range strings.Split(p, "/") {
		switch part {
		case "..":
			return "", fmt.Errorf("%w: %q leaves the download folder", ErrBadTemplate, p)
		case "", ".":
			continue
		}
		parts = append(parts, sanitizeName(part))
	}
	if len(parts) == 0 {
		return "", fmt.Errorf("%w: %q names no file", ErrBadTemplate, p)
	}
	return filepath.Join(parts...), nil
}

func fieldNames(fields map[string]any) string {
	var names []string
	for _, k := range []string{"title", "id", "series", "episode", "format_id", "height", "width", "ext", "site", "playlist_index"} {
		if _, ok := fields[k]; ok {
			names = append(names, k)
		}
	}
	return strings.Join(names, ", ")
}

// CheckTemplate expands an -o template with sample values, so that a
// template that cannot work is refused before anything is asked of a
// site. A plain file name passes.
func CheckTemplate(tmpl string) error {
	if !isTemplate(tmpl) {
		return nil
	}
	_, err := expandTemplate(tmpl, map[string]any{"title": "t", "id": "i", "series": "s", "episode": 1,
		"format_id": "f", "height": 720, "width": 1280, "ext": "mp4", "site": "x", "playlist_index": 1})
	return err
}
