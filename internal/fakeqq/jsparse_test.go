package fakeqq

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// jsParse reads the JS object literal subset the 2026 pages use into Go
// values (maps, slices, strings, float64, bool, nil), so the tests can
// prove the fake's state is well formed and says what it should. It is
// the tests' own reader, independent of the extractor's normaliser.
func jsParse(src string) (any, string, error) {
	p := &jsParser{s: src}
	v, err := p.value()
	return v, p.s[p.i:], err
}

type jsParser struct {
	s string
	i int
}

func (p *jsParser) ws() {
	for p.i < len(p.s) && strings.ContainsRune(" \t\r\n", rune(p.s[p.i])) {
		p.i++
	}
}

func (p *jsParser) eat(lit string) bool {
	p.ws()
	if strings.HasPrefix(p.s[p.i:], lit) {
		p.i += len(lit)
		return true
	}
	return false
}

func (p *jsParser) fail(what string) error {
	return fmt.Errorf("at %d (%.20q): %s", p.i, p.s[p.i:], what)
}

func (p *jsParser) value() (any, error) {
	p.ws()
	switch {
	case p.eat("void 0"), p.eat("undefined"), p.eat("null"):
		return nil, nil
	case p.eat("!0"), p.eat("true"):
		return true, nil
	case p.eat("!1"), p.eat("false"):
		return false, nil
	case p.eat("new Map("):
		pairs, err := p.value()
		list, ok := pairs.([]any)
		if err != nil || !ok || !p.eat(")") {
			return nil, p.fail("new Map")
		}
		m := map[string]any{}
		for _, kv := range list {
			pair, ok := kv.([]any)
			if !ok || len(pair) != 2 {
				return nil, p.fail("a Map entry")
			}
			m[fmt.Sprint(pair[0])] = pair[1]
		}
		return m, nil
	case p.eat("Array.prototype.slice.call("):
		o, err := p.value()
		m, ok := o.(map[string]any)
		if err != nil || !ok || !p.eat(")") {
			return nil, p.fail("slice.call")
		}
		n, _ := m["length"].(float64)
		out := make([]any, int(n))
		for i := range out {
			out[i] = m[strconv.Itoa(i)]
		}
		return out, nil
	case p.eat("{"):
		m := map[string]any{}
		for !p.eat("}") {
			if len(m) > 0 && !p.eat(",") {
				return nil, p.fail("',' in an object")
			}
			k, err := p.key()
			if err != nil {
				return nil, err
			}
			if !p.eat(":") {
				return nil, p.fail("':'")
			}
			if m[k], err = p.value(); err != nil {
				return nil, err
			}
		}
		return m, nil
	case p.eat("["):
		out := []any{}
		for !p.eat("]") {
			if len(out) > 0 && !p.eat(",") {
				return nil, p.fail("',' in an array")
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case p.i < len(p.s) && p.s[p.i] == '"':
		return p.str()
	}
	j := p.i
	for j < len(p.s) && strings.ContainsRune("-+.0123456789eE", rune(p.s[j])) {
		j++
	}
	f, err := strconv.ParseFloat(p.s[p.i:j], 64)
	if err != nil {
		return nil, p.fail("a value")
	}
	p.i = j
	return f, nil
}

func (p *jsParser) key() (string, error) {
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == '"' {
		return p.str()
	}
	j := p.i
	for j < len(p.s) && (p.s[j] == '_' || p.s[j] == '$' || p.s[j] >= 'a' && p.s[j] <= 'z' || p.s[j] >= 'A' && p.s[j] <= 'Z' || j > p.i && p.s[j] >= '0' && p.s[j] <= '9') {
		j++
	}
	if j == p.i {
		return "", p.fail("a key")
	}
	k := p.s[p.i:j]
	p.i = j
	return k, nil
}

// str reads a "..." string; its escapes are JSON's.
func (p *jsParser) str() (string, error) {
	j := p.i + 1
	for j < len(p.s) && p.s[j] != '"' {
		if p.s[j] == '\\' {
			j++
		}
		j++
	}
	if j >= len(p.s) {
		return "", p.fail("an unterminated string")
	}
	var out string
	if err := json.Unmarshal([]byte(p.s[p.i:j+1]), &out); err != nil {
		return "", p.fail("a string: " + err.Error())
	}
	p.i = j + 1
	return out, nil
}

// dig walks maps and slices by keys and indices ("0").
func dig(v any, path ...string) any {
	for _, k := range path {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}
