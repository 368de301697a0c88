package qq

import (
	"bytes"
	"fmt"
	"math/big"
	"strings"
	"unicode/utf8"
)

// The tokens of a JS literal: spaces and comments, strings, numbers,
// regex literals and function expressions (see jsToJSON).

// space skips white space and comments.
func (p *jsParser) space() {
	for p.pos < len(p.src) {
		switch c := p.src[p.pos]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			p.pos++
		case c == 0xc2 && p.pos+1 < len(p.src) && p.src[p.pos+1] == 0xa0: // NBSP
			p.pos += 2
		case c == 0xe2 && p.pos+2 < len(p.src) && p.src[p.pos+1] == 0x80 && (p.src[p.pos+2] == 0xa8 || p.src[p.pos+2] == 0xa9):
			p.pos += 3 // U+2028, U+2029
		case c == 0xef && p.pos+2 < len(p.src) && p.src[p.pos+1] == 0xbb && p.src[p.pos+2] == 0xbf:
			p.pos += 3 // BOM
		case c == '/' && p.pos+1 < len(p.src) && p.src[p.pos+1] == '/':
			if i := bytes.IndexByte(p.src[p.pos:], '\n'); i >= 0 {
				p.pos += i + 1
			} else {
				p.pos = len(p.src)
			}
		case c == '/' && p.pos+1 < len(p.src) && p.src[p.pos+1] == '*':
			if i := bytes.Index(p.src[p.pos+2:], []byte("*/")); i >= 0 {
				p.pos += i + 4
			} else {
				p.pos = len(p.src)
			}
		default:
			return
		}
	}
}

// number reads a JS number (with its sign) as JSON text; ±Infinity and
// NaN are null.
func (p *jsParser) number() (*jsNode, error) {
	start := p.pos
	neg := false
	if c := p.peek(); c == '-' || c == '+' {
		neg = c == '-'
		p.pos++
		p.space()
	}
	if c := p.peek(); isIdentByte(c) && !isDigit(c) {
		switch string(p.ident()) {
		case "Infinity", "NaN":
			return jsNull(), nil
		}
		return nil, &jsError{off: start, msg: "a sign before a name"}
	}
	tokStart := p.pos
	hex := p.pos+1 < len(p.src) && p.src[p.pos] == '0' && (p.src[p.pos+1]|0x20) == 'x'
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		exp := !hex && (c == '+' || c == '-') && p.pos > tokStart && (p.src[p.pos-1]|0x20) == 'e'
		if !(isIdentByte(c) && c < 0x80 || c == '.' || exp) {
			break
		}
		p.pos++
	}
	tok := string(p.src[tokStart:p.pos])
	if len(tok) > jsMaxNumLen {
		return nil, &jsError{off: start, msg: "a number literal too long"}
	}
	txt, ok := jsNumber(tok)
	if !ok {
		return nil, &jsError{off: start, msg: fmt.Sprintf("bad number %q", tok)}
	}
	if neg {
		txt = "-" + txt
	}
	return &jsNode{raw: []byte(txt)}, nil
}

// jsNumber writes a JS numeric literal (no sign) as a JSON number.
func jsNumber(tok string) (string, bool) {
	tok = strings.ReplaceAll(tok, "_", "")
	bigint := strings.HasSuffix(tok, "n")
	tok = strings.TrimSuffix(tok, "n")
	if len(tok) > 2 && tok[0] == '0' {
		base := 0
		switch tok[1] | 0x20 {
		case 'x':
			base = 16
		case 'o':
			base = 8
		case 'b':
			base = 2
		}
		if base == 0 && strings.Trim(tok, "01234567") == "" && !bigint {
			base, tok = 8, "0o"+tok[1:] // legacy octal 0755
		}
		if base != 0 {
			v, ok := new(big.Int).SetString(tok[2:], base)
			if !ok {
				return "", false
			}
			return v.String(), true
		}
	}
	mant, exp, hasExp := strings.Cut(strings.ToLower(tok), "e")
	intPart, frac, hasDot := strings.Cut(mant, ".")
	if intPart+frac == "" || !allDigits(intPart) || !allDigits(frac) || bigint && (hasDot || hasExp) {
		return "", false
	}
	if hasExp {
		digits := strings.TrimLeft(exp, "+-")
		if len(exp)-len(digits) > 1 || digits == "" || !allDigits(digits) {
			return "", false
		}
	}
	if intPart = strings.TrimLeft(intPart, "0"); intPart == "" {
		intPart = "0"
	}
	out := intPart
	if frac != "" {
		out += "." + frac
	}
	if hasExp {
		out += "e" + exp
	}
	return out, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// str reads a '...', "..." or `...` string (a template without
// substitutions) as JSON string text. Escapes are decoded, so the text
// is canonical: equal strings give equal bytes.
func (p *jsParser) str() ([]byte, error) {
	start, q := p.pos, p.src[p.pos]
	p.pos++
	out := []byte{'"'}
	for {
		if p.pos >= len(p.src) {
			return nil, &jsError{off: start, msg: "unterminated string"}
		}
		c := p.src[p.pos]
		switch {
		case c == q:
			p.pos++
			return append(out, '"'), nil
		case c == '\\':
			var err error
			if out, err = p.escape(out); err != nil {
				return nil, err
			}
		case (c == '\n' || c == '\r') && q != '`':
			return nil, p.fail("a line break in a string")
		case c == '$' && q == '`' && p.pos+1 < len(p.src) && p.src[p.pos+1] == '{':
			return nil, p.fail("a template with a substitution")
		case c < utf8.RuneSelf:
			out = appendJSONRune(out, rune(c))
			p.pos++
		default:
			r, size := utf8.DecodeRune(p.src[p.pos:])
			out = appendJSONRune(out, r) // invalid UTF-8 becomes U+FFFD
			p.pos += size
		}
	}
}

// escape decodes the escape sequence at p.pos into out.
func (p *jsParser) escape(out []byte) ([]byte, error) {
	p.pos++ // the backslash
	if p.pos >= len(p.src) {
		return nil, p.fail("unterminated string")
	}
	c := p.src[p.pos]
	p.pos++
	switch c {
	case 'n':
		return append(out, `\n`...), nil
	case 't':
		return append(out, `\t`...), nil
	case 'r':
		return append(out, `\r`...), nil
	case 'b':
		return append(out, `\b`...), nil
	case 'f':
		return append(out, `\f`...), nil
	case 'v':
		return appendJSONRune(out, '\v'), nil
	case '\r':
		if p.peek() == '\n' {
			p.pos++
		}
		return out, nil // a line continuation
	case '\n':
		return out, nil
	case 'x':
		v, ok := p.hex(2)
		if !ok {
			return nil, p.fail(`bad \x escape`)
		}
		return appendJSONRune(out, v), nil
	case 'u':
		return p.unicodeEscape(out)
	}
	if c >= '0' && c <= '7' { // legacy octal: \0, \12, \377
		v, max := rune(c-'0'), 2
		if c > '3' {
			max = 1
		}
		for ; max > 0 && p.peek() >= '0' && p.peek() <= '7'; max-- {
			v = v*8 + rune(p.peek()-'0')
			p.pos++
		}
		return appendJSONRune(out, v), nil
	}
	p.pos--
	r, size := utf8.DecodeRune(p.src[p.pos:])
	p.pos += size
	if r == 0x2028 || r == 0x2029 {
		return out, nil // a line continuation
	}
	return appendJSONRune(out, r), nil // \" \' \\ \/ and any other char as itself
}

// unicodeEscape reads \uXXXX (joining a surrogate pair) or \u{X...}.
func (p *jsParser) unicodeEscape(out []byte) ([]byte, error) {
	if p.peek() == '{' {
		p.pos++
		end := bytes.IndexByte(p.src[p.pos:min(p.pos+9, len(p.src))], '}')
		if end < 1 || end > 8 {
			return nil, p.fail(`bad \u{} escape`)
		}
		v, ok := p.hex(end)
		if !ok || v > utf8.MaxRune || p.peek() != '}' {
			return nil, p.fail(`bad \u{} escape`)
		}
		p.pos++
		return appendJSONRune(out, v), nil
	}
	v, ok := p.hex(4)
	if !ok {
		return nil, p.fail(`bad \u escape`)
	}
	if v >= 0xd800 && v < 0xdc00 && bytes.HasPrefix(p.src[p.pos:], []byte(`\u`)) {
		save := p.pos
		p.pos += 2
		if lo, ok := p.hex(4); ok && lo >= 0xdc00 && lo < 0xe000 {
			return appendJSONRune(out, 0x10000+(v-0xd800)<<10+(lo-0xdc00)), nil
		}
		p.pos = save
	}
	return appendJSONRune(out, v), nil
}

// hex reads n hex digits.
func (p *jsParser) hex(n int) (rune, bool) {
	if p.pos+n > len(p.src) {
		return 0, false
	}
	var v rune
	for _, c := range p.src[p.pos : p.pos+n] {
		switch {
		case isDigit(c):
			v = v*16 + rune(c-'0')
		case c|0x20 >= 'a' && c|0x20 <= 'f':
			v = v*16 + rune(c|0x20-'a'+10)
		default:
			return 0, false
		}
	}
	p.pos += n
	return v, true
}

// appendJSONRune writes r inside a JSON string. A lone surrogate (from a
// \uD800 escape) stays an escape: JSON allows it, UTF-8 cannot hold it.
func appendJSONRune(out []byte, r rune) []byte {
	const hexDigits = "0123456789abcdef"
	switch {
	case r == '"' || r == '\\':
		return append(out, '\\', byte(r))
	case r == '\n':
		return append(out, `\n`...)
	case r < 0x20 || r >= 0xd800 && r < 0xe000:
		return append(out, '\\', 'u', hexDigits[r>>12&15], hexDigits[r>>8&15], hexDigits[r>>4&15], hexDigits[r&15])
	}
	return utf8.AppendRune(out, r)
}

// appendQuoted writes s (UTF-8) as JSON string text.
func appendQuoted(out []byte, s string) []byte {
	out = append(out, '"')
	for _, r := range s {
		out = appendJSONRune(out, r)
	}
	return append(out, '"')
}

// regex skips a regex literal; its value is null.
func (p *jsParser) regex() (*jsNode, error) {
	start := p.pos
	p.pos++
	for inClass := false; ; p.pos++ {
		if p.pos >= len(p.src) || p.src[p.pos] == '\n' || p.src[p.pos] == '\r' {
			return nil, &jsError{off: start, msg: "unterminated regex literal"}
		}
		switch c := p.src[p.pos]; {
		case c == '\\':
			p.pos++
		case c == '[':
			inClass = true
		case c == ']':
			inClass = false
		case c == '/' && !inClass:
			p.pos++
			p.ident() // flags
			return jsNull(), nil
		}
	}
}

// function skips a function expression (after "function"): its value is
// null. Its body is found by bracket matching outside strings, template
// literals and comments; a regex literal holding a bracket defeats that
// and gives an error, not a wrong end, when the brackets do not pair.
func (p *jsParser) function() (*jsNode, error) {
	start := p.pos
	p.space()
	if p.peek() == '*' {
		p.pos++
		p.space()
	}
	p.ident() // the name, if any
	p.space()
	for _, open := range []byte{'(', '{'} {
		p.space()
		if p.peek() != open {
			return nil, &jsError{off: start, msg: "a function without its " + string(open)}
		}
		if err := p.skipGroup(); err != nil {
			return nil, err
		}
	}
	return jsNull(), nil
}

// skipGroup skips from an opening bracket to its match.
func (p *jsParser) skipGroup() error {
	start := p.pos
	var stack []byte
	for p.pos < len(p.src) {
		switch c := p.src[p.pos]; c {
		case '(', '[', '{':
			stack = append(stack, c)
			p.pos++
		case ')', ']', '}':
			if len(stack) == 0 || stack[len(stack)-1] != opener(c) {
				return &jsError{off: p.pos, msg: "brackets that do not pair"}
			}
			stack = stack[:len(stack)-1]
			p.pos++
			if len(stack) == 0 {
				return nil
			}
		case '"', '\'', '`':
			q := c
			for p.pos++; p.pos < len(p.src) && p.src[p.pos] != q; p.pos++ {
				if p.src[p.pos] == '\\' {
					p.pos++
				}
			}
			p.pos++
		case '/':
			before := p.pos
			if p.space(); p.pos == before {
				p.pos++ // division or a regex: taken as a character
			}
		default:
			p.pos++
		}
	}
	return &jsError{off: start, msg: "unterminated function"}
}

func opener(closer byte) byte {
	switch closer {
	case ')':
		return '('
	case ']':
		return '['
	}
	return '{'
}
