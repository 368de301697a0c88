package qq

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// v.qq.com pages embed their state as JS object literals, not JSON
// (vqq.md §4): unquoted keys, 'single quotes', void 0, !0, new Map(...),
// Array.prototype.slice.call({...}). jsToJSON turns such a literal into
// JSON for gjson. It is a parser, not a regex, so it also finds where the
// literal ends (brackets matched outside strings), and it is bounded:
// nesting past jsMaxDepth is an error, work is linear in the input plus
// at most jsMaxHoles padding nulls, and bad input is an error, never a
// panic (FuzzJSObject).
//
// Conversions: void 0, undefined, NaN, Infinity, regex literals, new
// RegExp(...) and function expressions → null (a function's body is
// skipped by bracket matching); !x → true/false by JS truthiness;
// new Map([[k,v],...]) → an object (keys as strings, a later duplicate
// replaces the value in place, as Map.set does); new Set([...]) → an
// array without duplicate scalars; new Date(x) → x;
// Array.prototype.slice.call({"0":a,"1":b,"length":2}) → [a,b] (by
// index, missing ones null, length as JS takes it: absent means 0);
// numbers in JS forms (0x1F, .5, 1_000, 10n) → JSON numbers. Arrow
// functions, variables, computed keys and string concatenation are
// errors: serialised state has none.
const (
	jsMaxDepth  = 512
	jsMaxHoles  = 1 << 16 // nulls slice.call may add for missing indexes
	jsMaxNumLen = 400     // a longer number literal is not state
	jsMaxTries  = 8       // occurrences of a name jsLiteralAfter tries
)

// errJSNoLiteral: the text assigns nothing to the name.
var errJSNoLiteral = errors.New("no literal assigned")

type jsError struct {
	off int
	msg string
}

func (e *jsError) Error() string { return fmt.Sprintf("js literal: offset %d: %s", e.off, e.msg) }

type jsKind uint8

const (
	jsScalar jsKind = iota // raw is its JSON text
	jsArray
	jsObject // keys[i] (JSON string text) names kids[i]
)

type jsNode struct {
	kind jsKind
	raw  []byte
	keys [][]byte
	kids []*jsNode
}

var (
	jsNullText  = []byte("null")
	jsTrueText  = []byte("true")
	jsFalseText = []byte("false")
)

func jsNull() *jsNode { return &jsNode{raw: jsNullText} }

func jsBool(b bool) *jsNode {
	if b {
		return &jsNode{raw: jsTrueText}
	}
	return &jsNode{raw: jsFalseText}
}

// jsToJSON converts the JS value literal at the start of src (after
// spaces and comments) and returns its JSON and the offset in src just
// past the literal.
func jsToJSON(src []byte) ([]byte, int, error) {
	p := &jsParser{src: src}
	n, err := p.value()
	if err != nil {
		return nil, min(p.pos, len(src)), err
	}
	return n.appendJSON(nil), p.pos, nil
}

// jsLiteralAfter converts the literal a script assigns to name: the
// first occurrence of name (a whole identifier, possibly quoted as a key)
// followed by = or : and a literal that converts. It returns
// errJSNoLiteral when nothing is assigned to name, else the last
// conversion error.
func jsLiteralAfter(text []byte, name string) ([]byte, error) {
	err := errJSNoLiteral
	if name == "" {
		return nil, err
	}
	for off, tries := 0, 0; tries < jsMaxTries; tries++ {
		i := bytes.Index(text[off:], []byte(name))
		if i < 0 {
			break
		}
		start, end := off+i, off+i+len(name)
		off = end
		var quote byte
		if start > 0 {
			quote = text[start-1]
			if isIdentByte(quote) {
				continue
			}
		}
		if end < len(text) && (quote == '"' || quote == '\'') && text[end] == quote {
			end++
		} else if end < len(text) && isIdentByte(text[end]) {
			continue
		}
		p := &jsParser{src: text, pos: end}
		p.space()
		if p.pos >= len(text) || (text[p.pos] != '=' && text[p.pos] != ':') || (p.pos+1 < len(text) && text[p.pos+1] == '=') {
			continue
		}
		out, _, cerr := jsToJSON(text[p.pos+1:])
		if cerr == nil {
			return out, nil
		}
		err = fmt.Errorf("%s: %w", name, cerr)
	}
	return nil, err
}

type jsParser struct {
	src   []byte
	pos   int
	depth int
	holes int
}

func (p *jsParser) fail(format string, args ...any) error {
	return &jsError{off: p.pos, msg: fmt.Sprintf(format, args...)}
}

func (p *jsParser) peek() byte {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

func (p *jsParser) value() (*jsNode, error) {
	if p.depth >= jsMaxDepth {
		return nil, p.fail("nested deeper than %d", jsMaxDepth)
	}
	p.depth++
	defer func() { p.depth-- }()
	p.space()
	if p.pos >= len(p.src) {
		return nil, p.fail("unexpected end")
	}
	switch c := p.src[p.pos]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"' || c == '\'' || c == '`':
		raw, err := p.str()
		return &jsNode{raw: raw}, err
	case c == '-' || c == '+' || c == '.' || isDigit(c):
		return p.number()
	case c == '!':
		p.pos++
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		return jsBool(!v.truthy()), nil
	case c == '/':
		return p.regex()
	case c == '(': // (x) is x: void(0)
		p.pos++
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		if p.space(); p.peek() != ')' {
			return nil, p.fail("expected )")
		}
		p.pos++
		return v, nil
	case isIdentByte(c) && !isDigit(c):
		return p.word()
	default:
		return nil, p.fail("unexpected %q", c)
	}
}

func (p *jsParser) array() (*jsNode, error) {
	p.pos++ // [
	n := &jsNode{kind: jsArray}
	for {
		p.space()
		switch p.peek() {
		case 0:
			if p.pos >= len(p.src) {
				return nil, p.fail("unterminated array")
			}
		case ']':
			p.pos++
			return n, nil
		case ',': // an elision: a hole
			p.pos++
			n.kids = append(n.kids, jsNull())
			continue
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		n.kids = append(n.kids, v)
		p.space()
		switch p.peek() {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return n, nil
		default:
			return nil, p.fail("expected , or ] in an array")
		case 0:
			if p.pos >= len(p.src) {
				return nil, p.fail("unterminated array")
			}
			return nil, p.fail("expected , or ] in an array")
		}
	}
}

func (p *jsParser) object() (*jsNode, error) {
	p.pos++ // {
	n := &jsNode{kind: jsObject}
	for {
		p.space()
		if p.pos >= len(p.src) {
			return nil, p.fail("unterminated object")
		}
		if p.src[p.pos] == '}' {
			p.pos++
			return n, nil
		}
		key, err := p.key()
		if err != nil {
			return nil, err
		}
		p.space()
		if p.peek() != ':' {
			return nil, p.fail("expected : after a key")
		}
		p.pos++
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		n.keys, n.kids = append(n.keys, key), append(n.kids, v)
		p.space()
		switch p.peek() {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return n, nil
		default:
			if p.pos >= len(p.src) {
				return nil, p.fail("unterminated object")
			}
			return nil, p.fail("expected , or } in an object")
		}
	}
}

// key reads a property name as JSON string text.
func (p *jsParser) key() ([]byte, error) {
	switch c := p.src[p.pos]; {
	case c == '"' || c == '\'':
		return p.str()
	case isDigit(c) || c == '.':
		n, err := p.number()
		if err != nil {
			return nil, err
		}
		return appendQuoted(nil, string(n.raw)), nil
	case isIdentByte(c):
		w := p.ident()
		if !utf8.Valid(w) {
			return nil, p.fail("a key is not UTF-8")
		}
		return appendQuoted(nil, string(w)), nil
	default:
		return nil, p.fail("unexpected %q where a key should be", c)
	}
}

func (p *jsParser) ident() []byte {
	start := p.pos
	for p.pos < len(p.src) && isIdentByte(p.src[p.pos]) {
		p.pos++
	}
	return p.src[start:p.pos]
}

// word reads a value that starts with a name.
func (p *jsParser) word() (*jsNode, error) {
	start := p.pos
	switch w := string(p.ident()); w {
	case "true":
		return jsBool(true), nil
	case "false":
		return jsBool(false), nil
	case "null", "undefined", "NaN", "Infinity":
		return jsNull(), nil
	case "void":
		if _, err := p.value(); err != nil {
			return nil, err
		}
		return jsNull(), nil
	case "new":
		return p.construct()
	case "function":
		return p.function()
	case "Array":
		for _, part := range []string{".prototype", ".slice", ".call"} {
			p.space()
			if !bytes.HasPrefix(p.src[p.pos:], []byte(part)) {
				return nil, p.fail("only Array.prototype.slice.call is understood")
			}
			p.pos += len(part)
		}
		args, err := p.args()
		if err != nil {
			return nil, err
		}
		if len(args) != 1 || args[0].kind != jsObject {
			return nil, &jsError{off: start, msg: "Array.prototype.slice.call wants one object"}
		}
		return p.arrayLike(start, args[0])
	default:
		p.pos = start
		return nil, p.fail("unknown name %q", w)
	}
}

func (n *jsNode) truthy() bool {
	switch {
	case n.kind != jsScalar:
		return true
	case bytes.Equal(n.raw, jsNullText), bytes.Equal(n.raw, jsFalseText), string(n.raw) == `""`:
		return false
	case n.raw[0] == '-' || isDigit(n.raw[0]):
		mant, _, _ := strings.Cut(strings.ToLower(strings.TrimPrefix(string(n.raw), "-")), "e")
		return strings.Trim(mant, "0.") != ""
	}
	return true
}

func (n *jsNode) appendJSON(out []byte) []byte {
	switch n.kind {
	case jsArray:
		out = append(out, '[')
		for i, k := range n.kids {
			if i > 0 {
				out = append(out, ',')
			}
			out = k.appendJSON(out)
		}
		return append(out, ']')
	case jsObject:
		out = append(out, '{')
		for i, k := range n.kids {
			if i > 0 {
				out = append(out, ',')
			}
			out = append(append(out, n.keys[i]...), ':')
			out = k.appendJSON(out)
		}
		return append(out, '}')
	}
	return append(out, n.raw...)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isIdentByte: identifier characters, any non-ASCII byte taken as part
// of a Unicode letter.
func isIdentByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || c == '_' || c == '$' || c >= 0x80
}
