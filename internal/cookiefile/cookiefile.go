// Package cookiefile reads Netscape cookies.txt files, the format written
// by browser export extensions, curl and yt-dlp, into a cookie jar.
package cookiefile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Bounds of what is read: a browser's whole export is a few hundred KB
// and a few thousand cookies; more is not a cookies file to load whole.
const (
	MaxFileBytes = 8 << 20
	MaxCookies   = 20_000
)

// ErrTooBig is a cookies file past MaxFileBytes or MaxCookies.
var ErrTooBig = errors.New("cookies file too big")

// Entry is one cookie and the URL it applies to.
type Entry struct {
	URL    *url.URL
	Cookie *http.Cookie
}

// Parse reads cookies.txt lines: domain, include-subdomains, path, secure,
// expiry (Unix seconds, 0 = session), name, value, separated by tabs.
// Comment and blank lines are skipped; "#HttpOnly_" marks an HttpOnly
// cookie. Cookies already expired at now are dropped. A malformed line is
// an error naming its line number.
func Parse(r io.Reader, now time.Time) ([]Entry, error) {
	var out []Entry
	lr := &io.LimitedReader{R: r, N: MaxFileBytes + 1}
	sc := bufio.NewScanner(lr)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		httpOnly := false
		if rest, ok := strings.CutPrefix(line, "#HttpOnly_"); ok {
			line, httpOnly = rest, true
		}
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		e, err := parseLine(line, httpOnly, now)
		if err != nil {
			return nil, fmt.Errorf("cookies line %d: %w", n, err)
		}
		if e != nil {
			out = append(out, *e)
		}
		if len(out) > MaxCookies {
			return nil, fmt.Errorf("%w: more than %d cookies", ErrTooBig, MaxCookies)
		}
	}
	if lr.N <= 0 {
		return nil, fmt.Errorf("%w: over %d MiB", ErrTooBig, MaxFileBytes>>20)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("cookies: %w", err)
	}
	return out, nil
}

func parseLine(line string, httpOnly bool, now time.Time) (*Entry, error) {
	f := strings.Split(line, "\t")
	if len(f) == 6 {
		f = append(f, "") // some exporters drop an empty value's tab
	}
	if len(f) != 7 {
		return nil, fmt.Errorf("want 7 tab-separated fields, got %d", len(f))
	}
	domain, sub, path, secure, expiry, name, value := f[0], f[1], f[2], f[3], f[4], f[5], f[6]
	host := strings.TrimPrefix(strings.ToLower(domain), ".")
	if host == "" || strings.ContainsAny(host, "/ :@") {
		return nil, fmt.Errorf("bad domain %q", domain)
	}
	if name == "" {
		return nil, fmt.Errorf("empty cookie name")
	}
	isSub, err := parseBool(sub)
	if err != nil {
		return nil, err
	}
	isSecure, err := parseBool(secure)
	if err != nil {
		return nil, err
	}
	exp, err := strconv.ParseInt(expiry, 10, 64)
	if err != nil || exp < 0 {
		return nil, fmt.Errorf("bad expiry %q", expiry)
	}
	if exp != 0 && time.Unix(exp, 0).Before(now) {
		return nil, nil
	}
	if path == "" || path[0] != '/' {
		path = "/"
	}
	scheme := "http"
	if isSecure {
		scheme = "https"
	}
	c := &http.Cookie{Name: name, Value: value, Path: path, Secure: isSecure, HttpOnly: httpOnly}
	if isSub {
		c.Domain = host
	}
	if exp != 0 {
		c.Expires = time.Unix(exp, 0)
	}
	return &Entry{URL: &url.URL{Scheme: scheme, Host: host, Path: path}, Cookie: c}, nil
}

func parseBool(s string) (bool, error) {
	switch strings.ToUpper(s) {
	case "TRUE":
		return true, nil
	case "FALSE":
		return false, nil
	}
	return false, fmt.Errorf("want TRUE or FALSE, got %q", s)
}

// LoadJar reads path into a new cookie jar.
func LoadJar(path string, now time.Time) (http.CookieJar, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	entries, err := Parse(f, now)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		jar.SetCookies(e.URL, []*http.Cookie{e.Cookie})
	}
	return jar, nil
}
