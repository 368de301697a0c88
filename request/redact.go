package request

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Marker is what a Redactor puts in place of a secret.
const Marker = "<redacted>"

// minSecret is the shortest value a Redactor replaces wherever it
// appears: shorter ones ("qq", "1") would erase ordinary text. They are
// still redacted where their name is seen (a cookie, a query parameter,
// a JSON field).
const minSecret = 6

// secretName reports whether a query parameter, form field or JSON field
// of this name holds a secret: v.qq.com's request signature, media keys,
// login token and its fields, and the per-request ids that tie requests
// to one client. ("key" is one only in a vkey reply: see secretField.)
func secretName(name string) bool {
	switch strings.ToLower(name) {
	case "ckey", "vkey", "fvkey", "logintoken", "access_token", "token", "guid", "flowid", "vdevice_guid",
		"openid", "appid", "vuserid", "vusession", "main_login":
		return true
	}
	return false
}

// Redactor removes secrets from Exchanges (see Redact). It remembers the
// secrets it meets, so that a media key from one reply is removed from
// every later exchange too. It is safe for concurrent use.
type Redactor struct {
	mu      sync.Mutex
	secrets map[string]bool
	repl    *strings.Replacer // of secrets; nil after a new one is learned
}

// NewRedactor returns a Redactor that also removes the known values (the
// user's cookie values, credentials given on the command line) wherever
// they appear.
func NewRedactor(known []string) *Redactor {
	r := &Redactor{secrets: map[string]bool{}}
	r.learn(known)
	return r
}

// Redact returns ex with its secrets replaced by Marker:
//   - the values of Cookie, Set-Cookie, Authorization and
//     Proxy-Authorization headers (names, schemes and cookie attributes
//     stay);
//   - in URLs, queries, form bodies and JSON, the values named by
//     secretName, nested ones too (a JSON string holding a query holding
//     a JSON login token), every field of a login token, the "key" of a
//     vkey reply, and URL credentials (user:pass@);
//   - every value it knows (NewRedactor's, and each secret it has met in
//     this or an earlier exchange) wherever it appears, plain or escaped;
//   - a body that is not text (an AES key, say) entirely.
//
// Redact learns the secrets of ex before it returns, so exchanges must
// be passed in the order they happened for a key to be removed from the
// requests that use it.
func (r *Redactor) Redact(ex Exchange) Exchange {
	p := &pass{}
	ex.URL = p.text(ex.URL)
	ex.FinalURL = p.text(ex.FinalURL)
	ex.Header = p.header(ex.Header)
	ex.RespHeader = p.header(ex.RespHeader)
	ex.Body = p.body(ex.Body, ex.Header.Get("Content-Type"))
	ex.RespBody = p.body(ex.RespBody, ex.RespHeader.Get("Content-Type"))
	var msg string
	if ex.Err != nil {
		msg = p.text(ex.Err.Error())
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	r.learn(p.found)
	repl := r.replacer()
	ex.URL, ex.FinalURL = repl.Replace(ex.URL), repl.Replace(ex.FinalURL)
	for _, h := range []http.Header{ex.Header, ex.RespHeader} {
		for _, vs := range h {
			for i := range vs {
				vs[i] = repl.Replace(vs[i])
			}
		}
	}
	ex.Body, ex.RespBody = replaceBytes(repl, ex.Body), replaceBytes(repl, ex.RespBody)
	if ex.Err != nil {
		ex.Err = errors.New(repl.Replace(msg))
	}
	return ex
}

// learn adds values long enough to be told apart from ordinary text; the
// caller holds mu (or owns r).
func (r *Redactor) learn(values []string) {
	for _, v := range values {
		if len(v) >= minSecret && v != Marker && !r.secrets[v] {
			r.secrets[v] = true
			r.repl = nil
		}
	}
}

// replacer replaces every known secret in each form it may take: plain,
// query- or path-escaped, inside a JSON string, and a JSON string inside
// a query (a login token). Longer forms go first so that a secret which
// contains another is replaced whole.
func (r *Redactor) replacer() *strings.Replacer {
	if r.repl != nil {
		return r.repl
	}
	forms := map[string]bool{}
	for s := range r.secrets {
		j := jsonEscape(s)
		for _, f := range []string{s, url.QueryEscape(s), url.PathEscape(s), j, url.QueryEscape(j), jsonEscape(url.QueryEscape(s))} {
			forms[f] = true
		}
	}
	old := make([]string, 0, len(forms))
	for f := range forms {
		old = append(old, f)
	}
	slices.SortFunc(old, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	pairs := make([]string, 0, 2*len(old))
	for _, f := range old {
		pairs = append(pairs, f, Marker)
	}
	r.repl = strings.NewReplacer(pairs...)
	return r.repl
}

func replaceBytes(repl *strings.Replacer, b []byte) []byte {
	if b == nil {
		return nil
	}
	return []byte(repl.Replace(string(b)))
}

// pass is the redaction of one exchange by structure and by pattern; it
// collects the secrets it removes, for the Redactor to learn.
type pass struct{ found []string }

func (p *pass) secret(v string) string {
	p.found = append(p.found, v)
	return Marker
}

// header redacts credentials by header name, and URLs and queries in any
// other value (Referer, Location).
func (p *pass) header(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	h = h.Clone()
	for name, vs := range h {
		for i, v := range vs {
			switch http.CanonicalHeaderKey(name) {
			case "Cookie":
				vs[i] = p.cookies(v, "; ")
			case "Set-Cookie":
				first, attrs, ok := strings.Cut(v, ";")
				vs[i] = p.cookies(first, "")
				if ok {
					vs[i] += ";" + attrs
				}
			case "Authorization", "Proxy-Authorization":
				if scheme, cred, ok := strings.Cut(strings.TrimSpace(v), " "); ok {
					vs[i] = scheme + " " + p.secret(strings.TrimSpace(cred))
				} else {
					vs[i] = p.secret(v)
				}
			default:
				vs[i] = p.text(v)
			}
		}
	}
	return h
}

// cookies redacts the values of "a=1; b=2" (sep "" for one cookie).
func (p *pass) cookies(v, sep string) string {
	parts := []string{v}
	if sep != "" {
		parts = strings.Split(v, ";")
	}
	for i, c := range parts {
		name, value, ok := strings.Cut(strings.TrimSpace(c), "=")
		if ok && strings.Trim(value, `" `) != "" {
			value = p.secret(strings.Trim(value, `" `))
		}
		parts[i] = name
		if ok {
			parts[i] += "=" + value
		}
	}
	return strings.Join(parts, "; ")
}

// body redacts a request or reply body by what it holds: JSON, JSONP
// (v.qq.com's QZOutputJson=...;), a form, or other text; a body that is
// not text is replaced whole.
func (p *pass) body(b []byte, contentType string) []byte {
	if len(b) == 0 {
		return b
	}
	if !isText(b) {
		return fmt.Appendf(nil, "%s (%d bytes that are not text)", Marker, len(b))
	}
	s := string(b)
	trimmed := strings.TrimSpace(s)
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case strings.HasPrefix(trimmed, "{") || strings.HasPrefix(trimmed, "["):
		if out, ok := p.jsonText(trimmed); ok {
			s = out
		}
	case jsonpStart.MatchString(s):
		s = p.jsonp(s)
	case mt == "application/x-www-form-urlencoded" || !strings.ContainsAny(trimmed, " \t\r\n") && strings.Contains(trimmed, "="):
		s, _ = p.query(trimmed)
	}
	return []byte(p.patterns(s))
}

// jsonpStart is a JSON value assigned to a name or passed to a callback.
var jsonpStart = regexp.MustCompile(`^\s*[A-Za-z_$][\w$.]*\s*(=|\()\s*[{\[]`)

func (p *pass) jsonp(s string) string {
	i := strings.IndexAny(s, "{[")
	end, ok := jsonEnd(s[i:])
	if !ok {
		return s
	}
	out, ok := p.jsonText(s[i : i+end])
	if !ok {
		return s
	}
	return s[:i] + out + s[i+end:]
}

// text redacts a string of unknown shape: a URL, a query, JSON, or text
// with name=value or "name":"value" pairs in it.
func (p *pass) text(s string) string {
	if s == "" {
		return s
	}
	out, _ := p.value(s)
	return p.patterns(out)
}

// value redacts a value that may itself be structured: JSON, a URL or a
// query; other strings come back unchanged.
func (p *pass) value(s string) (string, bool) {
	t := strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(t, "{") || strings.HasPrefix(t, "["):
		return p.jsonText(t)
	case strings.Contains(t, "://"):
		return p.url(t)
	case strings.Contains(t, "=") && !strings.ContainsAny(t, " \t\r\n"):
		return p.query(t)
	}
	return s, false
}

// url redacts a URL's credentials and query.
func (p *pass) url(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Opaque != "" {
		return raw, false
	}
	changed := false
	if u.RawQuery != "" {
		u.RawQuery, changed = p.query(u.RawQuery)
	}
	tokens := p.pathTokens(u.EscapedPath())
	changed = changed || len(tokens) > 0
	if u.User == nil {
		if !changed {
			return raw, false
		}
		return cutTokens(u.String(), tokens), true
	}
	if pw, ok := u.User.Password(); ok {
		p.secret(pw)
	}
	p.secret(u.User.Username())
	u.User = nil
	return cutTokens(strings.Replace(u.String(), "//", "//"+Marker+"@", 1), tokens), true
}

// cutTokens replaces the path segments tokens in a URL's text.
func cutTokens(s string, tokens []string) string {
	for _, t := range tokens {
		s = strings.Replace(s, "/"+t, "/"+Marker, 1)
	}
	return s
}

// pathTokens finds (and learns) the access tokens that CDN prefixes carry in their
// path (v.qq.com's TS mode: ".../<token>/svp_50112/"; vkey-like path
// segments): a segment of at least 8 characters of [A-Za-z0-9_-] with an
// upper-case letter and a digit. Video and series ids (lower case) and
// file names (with a dot) are not tokens and stay readable.
func (p *pass) pathTokens(path string) []string {
	var found []string
	for _, seg := range strings.Split(path, "/") {
		if pathToken(seg) {
			p.secret(seg)
			found = append(found, seg)
		}
	}
	return found
}

func pathToken(seg string) bool {
	if len(seg) < 8 || seg == Marker {
		return false
	}
	upper, digit := false, false
	for _, c := range seg {
		switch {
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'a' && c <= 'z', c == '_', c == '-':
		default:
			return false
		}
	}
	return upper && digit
}

// query redacts a URL query or form body, keeping its order and the raw
// form of what it does not change.
func (p *pass) query(raw string) (string, bool) {
	pairs := strings.Split(raw, "&")
	changed := false
	for i, pair := range pairs {
		k, v, ok := strings.Cut(pair, "=")
		if !ok || v == "" {
			continue
		}
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			val = v
		}
		var out string
		var did bool
		switch {
		case secretName(name) && isJSONValue(val):
			out, did = p.jsonField(name, val)
		case secretName(name):
			p.secret(val)
			pairs[i], changed = k+"="+Marker, true
			continue
		default:
			out, did = p.value(val)
		}
		if did {
			// Escaped as it was, the marker left readable: '<' and '>'
			// delimit nothing in a query.
			pairs[i], changed = k+"="+strings.ReplaceAll(url.QueryEscape(out), url.QueryEscape(Marker), Marker), true
		}
	}
	return strings.Join(pairs, "&"), changed
}

// patterns is the last resort for text with no structure vdl reads (a
// page's scripts, a playlist): name=value and "name":"value" pairs of
// secret names, and URL credentials.
func (p *pass) patterns(s string) string {
	s = p.queryPairs(s)
	s = jsonPair.ReplaceAllStringFunc(s, func(m string) string {
		sub := jsonPair.FindStringSubmatch(m)
		prefix, name, raw := sub[1], sub[2], sub[3]
		var val string
		if raw == Marker || json.Unmarshal([]byte(`"`+raw+`"`), &val) != nil {
			return m
		}
		if isJSONValue(val) {
			// A structure in a string (a vkey reply inside a script):
			// its own fields say what is secret.
			if out, did := p.jsonField(name, val); did {
				return prefix + `"` + jsonEscape(out) + `"`
			}
			return m
		}
		return prefix + `"` + p.secret(val) + `"`
	})
	return userInfo.ReplaceAllStringFunc(s, func(m string) string {
		sub := userInfo.FindStringSubmatch(m)
		if _, pw, ok := strings.Cut(sub[2], ":"); ok {
			p.secret(pw)
		}
		return sub[1] + p.secret(sub[2]) + "@"
	})
}

// queryPairs redacts name=value pairs in text. A value the structured
// pass already redacted in part (a login token, marked field by field)
// stays as it is; a JSON value is redacted by its fields.
func (p *pass) queryPairs(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range queryPair.FindAllStringSubmatchIndex(s, -1) {
		nameEnd, raw := m[3], s[m[4]:m[5]]
		if strings.HasPrefix(s[m[1]:], Marker) {
			continue
		}
		val, err := url.QueryUnescape(raw)
		if err != nil {
			val = raw
		}
		out := Marker
		if isJSONValue(val) {
			j, did := p.jsonField(s[m[2]:nameEnd-1], val)
			if !did {
				continue
			}
			out = strings.ReplaceAll(url.QueryEscape(j), url.QueryEscape(Marker), Marker)
		} else {
			p.secret(val)
		}
		b.WriteString(s[last:m[4]])
		b.WriteString(out)
		last = m[5]
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

const secretNames = `ckey|vkey|fvkey|logintoken|access_token|token|guid|flowid|vdevice_guid|openid|appid|vuserid|vusession|main_login`

var (
	queryPair = regexp.MustCompile(`(?i)(\b(?:` + secretNames + `)=)([^&\s"'<>#;\\]+)`)
	jsonPair  = regexp.MustCompile(`(?i)(["']?\b(` + secretNames + `)["']?\s*:\s*)"((?:[^"\\]|\\.)+)"`)
	userInfo  = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*://)([^/\s@"'<>?#]+)@`)
)

// isText reports whether b is UTF-8 text without control characters
// other than white space: what a page, an API reply or a playlist is,
// and what a binary key almost never is.
func isText(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	return !bytes.ContainsFunc(b, func(r rune) bool {
		return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' && r != '\f'
	})
}
