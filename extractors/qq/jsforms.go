package qq

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// The constructor forms of serialised state: new Map, new Set, new Date,
// new RegExp and Array.prototype.slice.call (see jsToJSON).

// construct reads new X(...) after "new".
func (p *jsParser) construct() (*jsNode, error) {
	start := p.pos
	p.space()
	ctor := string(p.ident())
	p.space()
	var args []*jsNode
	if p.peek() == '(' {
		var err error
		if args, err = p.args(); err != nil {
			return nil, err
		}
	}
	var arg *jsNode
	if len(args) > 0 {
		arg = args[0]
	}
	switch ctor {
	case "Map":
		return mapObject(start, arg)
	case "Set":
		return setArray(start, arg)
	case "Date":
		if arg == nil || arg.kind != jsScalar {
			return jsNull(), nil
		}
		return arg, nil
	case "RegExp":
		return jsNull(), nil
	}
	return nil, &jsError{off: start, msg: fmt.Sprintf("new %q is not understood", ctor)}
}

// args reads a parenthesised argument list.
func (p *jsParser) args() ([]*jsNode, error) {
	p.space()
	if p.peek() != '(' {
		return nil, p.fail("expected (")
	}
	p.pos++
	var args []*jsNode
	for {
		p.space()
		if p.peek() == ')' {
			p.pos++
			return args, nil
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		args = append(args, v)
		p.space()
		switch p.peek() {
		case ',':
			p.pos++
		case ')':
			p.pos++
			return args, nil
		default:
			return nil, p.fail("expected , or ) in arguments")
		}
	}
}

func mapObject(off int, arg *jsNode) (*jsNode, error) {
	n := &jsNode{kind: jsObject}
	if arg == nil || (arg.kind == jsScalar && bytes.Equal(arg.raw, jsNullText)) {
		return n, nil
	}
	if arg.kind != jsArray {
		return nil, &jsError{off: off, msg: "new Map wants an array of pairs"}
	}
	at := map[string]int{}
	for _, pair := range arg.kids {
		if pair.kind != jsArray {
			return nil, &jsError{off: off, msg: "a new Map entry is not a pair"}
		}
		k, v := jsNull(), jsNull()
		if len(pair.kids) > 0 {
			k = pair.kids[0]
		}
		if len(pair.kids) > 1 {
			v = pair.kids[1]
		}
		if k.kind != jsScalar {
			return nil, &jsError{off: off, msg: "a new Map key is an object"}
		}
		key := k.raw
		if key[0] != '"' {
			key = appendQuoted(nil, string(key))
		}
		if i, ok := at[string(key)]; ok {
			n.kids[i] = v
			continue
		}
		at[string(key)] = len(n.keys)
		n.keys, n.kids = append(n.keys, key), append(n.kids, v)
	}
	return n, nil
}

func setArray(off int, arg *jsNode) (*jsNode, error) {
	n := &jsNode{kind: jsArray}
	if arg == nil || (arg.kind == jsScalar && bytes.Equal(arg.raw, jsNullText)) {
		return n, nil
	}
	if arg.kind != jsArray {
		return nil, &jsError{off: off, msg: "new Set wants an array"}
	}
	seen := map[string]bool{}
	for _, v := range arg.kids {
		if v.kind == jsScalar {
			if seen[string(v.raw)] {
				continue
			}
			seen[string(v.raw)] = true
		}
		n.kids = append(n.kids, v)
	}
	return n, nil
}

// arrayLike orders an {"0":a,"1":b,"length":2} object as slice.call
// does: length elements, each its index's value or null.
func (p *jsParser) arrayLike(off int, obj *jsNode) (*jsNode, error) {
	length := 0
	for i, k := range obj.keys {
		if string(k) == `"length"` {
			length = jsLength(obj.kids[i])
		}
	}
	if length < 0 {
		return nil, &jsError{off: off, msg: "an array-like's length is implausible"}
	}
	// The nulls for missing indexes cost no input: bound them before
	// allocating (len(obj.keys) is at least the indexes present).
	if length-len(obj.keys) > jsMaxHoles-p.holes {
		return nil, &jsError{off: off, msg: "array-likes with too many missing indexes"}
	}
	kids := make([]*jsNode, length)
	present := 0
	for i, k := range obj.keys {
		idx, ok := jsIndex(k)
		if !ok || idx >= length {
			continue
		}
		if kids[idx] == nil {
			present++
		}
		kids[idx] = obj.kids[i]
	}
	if p.holes += length - present; p.holes > jsMaxHoles {
		return nil, &jsError{off: off, msg: "array-likes with too many missing indexes"}
	}
	for i := range kids {
		if kids[i] == nil {
			kids[i] = jsNull()
		}
	}
	return &jsNode{kind: jsArray, kids: kids}, nil
}

// jsLength is JS's ToLength of a length value, -1 when it is too large
// to be one.
func jsLength(n *jsNode) int {
	if n.kind != jsScalar {
		return 0
	}
	s := string(n.raw)
	if uq, err := strconv.Unquote(s); err == nil && s[0] == '"' {
		s = strings.TrimSpace(uq)
	}
	f, err := strconv.ParseFloat(s, 64)
	switch {
	case err != nil && f == 0, f != f, f <= 0: // not a number, NaN, negative
		return 0
	case f > 1<<31:
		return -1
	}
	return int(f)
}

// jsIndex reads a canonical array index key ("0", "17", not "01").
func jsIndex(key []byte) (int, bool) {
	s := key[1 : len(key)-1]
	if len(s) == 0 || len(s) > 10 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	n := 0
	for _, c := range s {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
