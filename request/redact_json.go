package request

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
)

// JSON is redacted as a tree that keeps its members in order (a reply
// re-ordered by a map would read differently from the one the site
// sent). Only a value that changed is written anew.

// jnode is a JSON value: an object ('{': keys and elems), an array ('[':
// elems) or a scalar (tok: string, json.Number, bool or nil).
type jnode struct {
	kind  byte
	keys  []string
	elems []*jnode
	tok   any
}

// maxJSONDepth bounds the nesting read, so that hostile input cannot
// exhaust the stack; deeper JSON is treated as text.
const maxJSONDepth = 200

var errTooDeep = errors.New("json nested too deep")

// parseJSON reads s, which must be one JSON value.
func parseJSON(s string) (*jnode, bool) {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	n, err := readJSON(d, 0)
	if err != nil {
		return nil, false
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, false
	}
	return n, true
}

func readJSON(d *json.Decoder, depth int) (*jnode, error) {
	if depth > maxJSONDepth {
		return nil, errTooDeep
	}
	t, err := d.Token()
	if err != nil {
		return nil, err
	}
	delim, ok := t.(json.Delim)
	if !ok {
		return &jnode{tok: t}, nil
	}
	n := &jnode{kind: byte(delim)}
	for d.More() {
		if n.kind == '{' {
			k, err := d.Token()
			if err != nil {
				return nil, err
			}
			key, _ := k.(string) // the decoder gives object keys as strings
			n.keys = append(n.keys, key)
		}
		v, err := readJSON(d, depth+1)
		if err != nil {
			return nil, err
		}
		n.elems = append(n.elems, v)
	}
	if _, err := d.Token(); err != nil { // the closing delimiter
		return nil, err
	}
	return n, nil
}

func (n *jnode) append(b []byte) []byte {
	switch n.kind {
	case '{', '[':
		b = append(b, n.kind)
		for i, e := range n.elems {
			if i > 0 {
				b = append(b, ',')
			}
			if n.kind == '{' {
				b = appendJSONString(b, n.keys[i])
				b = append(b, ':')
			}
			b = e.append(b)
		}
		return append(b, n.kind+2) // '}' is '{'+2, ']' is '['+2
	}
	switch t := n.tok.(type) {
	case string:
		return appendJSONString(b, t)
	case json.Number:
		return append(b, t...)
	case bool:
		return strconv.AppendBool(b, t)
	}
	return append(b, "null"...)
}

// appendJSONString quotes s as JSON without HTML escapes, so that the
// marker stays readable.
func appendJSONString(b []byte, s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

// jsonEscape is s as it appears between the quotes of a JSON string.
func jsonEscape(s string) string {
	q := appendJSONString(nil, s)
	return string(q[1 : len(q)-1])
}

func isJSONValue(s string) bool {
	t := strings.TrimSpace(s)
	return strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")
}

// jsonEnd is the length of the JSON value s starts with.
func jsonEnd(s string) (int, bool) {
	d := json.NewDecoder(strings.NewReader(s))
	var raw json.RawMessage
	if err := d.Decode(&raw); err != nil {
		return 0, false
	}
	return int(d.InputOffset()), true
}

// jsonText redacts a JSON document; it returns s itself when nothing in
// it changed or it is not JSON.
func (p *pass) jsonText(s string) (string, bool) {
	n, ok := parseJSON(s)
	if !ok || !p.redactJSON(n, false) {
		return s, false
	}
	return encodeLike(n, s), true
}

// jsonField redacts JSON held by a secret field or parameter: every
// field of a login token, but only the key of a vkey reply (its status
// and message are what a bug report needs). JSON that does not parse is
// a secret whole.
func (p *pass) jsonField(name, s string) (string, bool) {
	n, ok := parseJSON(s)
	if !ok {
		return p.secret(s), true
	}
	lower := strings.ToLower(name)
	if !p.redactJSON(n, lower != "vkey" && lower != "fvkey") {
		return s, false
	}
	return encodeLike(n, s), true
}

// encodeLike writes n, indented if the original was laid out on lines.
func encodeLike(n *jnode, orig string) string {
	out := n.append(nil)
	if strings.Contains(orig, "\n") {
		var buf bytes.Buffer
		if json.Indent(&buf, out, "", "  ") == nil {
			return buf.String()
		}
	}
	return string(out)
}

// redactJSON redacts n in place and reports whether anything changed;
// all redacts every scalar that is not empty.
func (p *pass) redactJSON(n *jnode, all bool) bool {
	changed := false
	switch n.kind {
	case '{':
		// A vkey reply ({"s","key","keyid","filename"}) names its key
		// "key", a name too common to be a secret elsewhere.
		vkeyReply := slices.Contains(n.keys, "keyid") || slices.Contains(n.keys, "filename")
		for i, k := range n.keys {
			secret := all || secretName(k) || k == "key" && vkeyReply
			changed = p.redactMember(k, n.elems[i], secret, all) || changed
		}
	case '[':
		for _, e := range n.elems {
			changed = p.redactMember("", e, all, all) || changed
		}
	}
	return changed
}

func (p *pass) redactMember(name string, v *jnode, secret, all bool) bool {
	if v.kind != 0 {
		lower := strings.ToLower(name)
		return p.redactJSON(v, all || secret && lower != "vkey" && lower != "fvkey")
	}
	var out string
	var did bool
	switch t := v.tok.(type) {
	case string:
		switch {
		case t == "" || t == Marker:
			return false
		case secret && isJSONValue(t):
			out, did = p.jsonField(name, t)
		case secret:
			out, did = p.secret(t), true
		default:
			out, did = p.value(t)
		}
	case json.Number:
		if !secret {
			return false
		}
		out, did = p.secret(string(t)), true
	}
	if did {
		v.tok = out
	}
	return did
}
