package main

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/vdlproject/vdl/download"
	"github.com/vdlproject/vdl/internal/cookiefile"
	"github.com/vdlproject/vdl/internal/pagelog"
	"github.com/vdlproject/vdl/request"
)

// defaultUserAgent is a current desktop browser's: many CDNs refuse
// obvious tool user agents.
const defaultUserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"

type clientOptions struct {
	Policy      request.Policy // retries and timeouts of every request
	Proxy       string
	Insecure    bool
	UserAgent   string
	Referer     string
	Headers     http.Header
	CookieFile  string
	Connections int
	// TrustedHosts are the hosts of the URLs the user gave: the only ones
	// that get the credentials among Headers (sensitiveHeaders), as curl
	// does, unless LocationTrusted sends them everywhere.
	TrustedHosts    []string
	LocationTrusted bool
	// WritePages, if set, is the directory that gets every page and API
	// exchange of the run, redacted (--write-pages).
	WritePages string
}

// maxCookieHeader bounds the Cookie header a request may carry: common
// servers refuse request headers past 8-16 KB.
const maxCookieHeader = 16 << 10

// sensitiveHeaders carry credentials: a -H of one of them goes only to
// the hosts the user named, never to a host a redirect, a playlist or a
// site's API leads to.
var sensitiveHeaders = []string{"Authorization", "Cookie", "Proxy-Authorization"}

// hostKey names a URL's host and port for the trust check.
func hostKey(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[strings.ToLower(u.Scheme)]
	}
	return strings.ToLower(u.Hostname()) + ":" + port
}

// newClient builds the one HTTP client every request of vdl goes through:
// extraction, keys and media alike, so a proxy and the retry policy
// cover all of them.
func newClient(o clientOptions, log *slog.Logger) (*request.Client, error) {
	proxy := http.ProxyFromEnvironment
	if o.Proxy != "" {
		pu, err := parseProxy(o.Proxy)
		if err != nil {
			return nil, err
		}
		proxy = http.ProxyURL(pu)
	}
	tr := &http.Transport{
		Proxy:               proxy,
		DialContext:         (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout: 30 * time.Second,
		TLSClientConfig:     &tls.Config{InsecureSkipVerify: o.Insecure},
		// One TCP connection per range: HTTP/2 would multiplex the ranges
		// onto one connection, and CDNs throttle per connection.
		TLSNextProto:        map[string]func(string, *tls.Conn) http.RoundTripper{},
		MaxIdleConns:        max(o.Connections, 8) * 2,
		MaxIdleConnsPerHost: max(o.Connections, 8),
		IdleConnTimeout:     90 * time.Second,
		// Byte positions must be of the stored file, never of a gzip stream.
		DisableCompression: true,
	}
	var jar http.CookieJar
	if o.CookieFile != "" {
		j, err := cookiefile.LoadJar(o.CookieFile, time.Now())
		if err != nil {
			return nil, &usageError{fmt.Sprintf("--cookies: %v", err)}
		}
		jar = j
	}
	trusted := map[string]bool{}
	for _, h := range o.TrustedHosts {
		if u, err := url.Parse(h); err == nil && u.Host != "" {
			trusted[hostKey(u)] = true
		}
	}
	wrap := func(base http.RoundTripper) *http.Client {
		return &http.Client{Jar: jar, Transport: &headerTransport{base: base, ua: o.UserAgent, referer: o.Referer, extra: o.Headers,
			trusted: trusted, trustAll: o.LocationTrusted}}
	}
	c := &request.Client{HTTP: wrap(tr), Policy: o.Policy, Log: log}
	if o.WritePages != "" {
		known, err := o.secrets()
		if err != nil {
			return nil, err
		}
		pages, err := pagelog.New(o.WritePages, request.NewRedactor(known), log)
		if err != nil {
			return nil, &download.DiskError{Err: fmt.Errorf("--write-pages %s: %w", o.WritePages, err)}
		}
		c.Record = pages.Record
	}
	return c, nil
}

// secrets are the values of the command line that --write-pages must
// never write, wherever they turn up: the cookies of --cookies (the
// login cookies end up inside v.qq.com's logintoken), the credentials
// of -H and of --proxy.
func (o clientOptions) secrets() ([]string, error) {
	var out []string
	if o.CookieFile != "" {
		f, err := os.Open(o.CookieFile)
		if err != nil {
			return nil, &usageError{fmt.Sprintf("--cookies: %v", err)}
		}
		defer f.Close()
		entries, err := cookiefile.Parse(f, time.Now())
		if err != nil {
			return nil, &usageError{fmt.Sprintf("--cookies: %s: %v", o.CookieFile, err)}
		}
		for _, e := range entries {
			out = append(out, e.Cookie.Value)
		}
	}
	for _, name := range sensitiveHeaders {
		for _, v := range o.Headers.Values(name) {
			if name == "Cookie" {
				for _, c := range strings.Split(v, ";") {
					_, value, _ := strings.Cut(c, "=")
					out = append(out, strings.TrimSpace(value))
				}
				continue
			}
			_, cred, _ := strings.Cut(v, " ")
			out = append(out, v, strings.TrimSpace(cred))
		}
	}
	if pu, err := url.Parse(o.Proxy); err == nil && pu.User != nil {
		pw, _ := pu.User.Password()
		out = append(out, pu.User.Username(), pw)
	}
	return out, nil
}

// userAgent is the User-Agent requests carry: -H wins over --user-agent.
func (o clientOptions) userAgent() string {
	if ua := o.Headers.Get("User-Agent"); ua != "" {
		return ua
	}
	return o.UserAgent
}

// parseProxy accepts http, https, socks5 and socks5h proxy URLs, with
// optional user:password.
func parseProxy(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	shown := request.Redact(s) // a password never reaches a message
	if err != nil || u.Host == "" {
		return nil, &usageError{fmt.Sprintf("--proxy %q: want scheme://[user:pass@]host:port", shown)}
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "socks5", "socks5h":
		return u, nil
	}
	return nil, &usageError{fmt.Sprintf("--proxy %q: scheme must be http, https, socks5 or socks5h", shown)}
}

// headerTransport adds the user's identity headers to every request. The
// request is cloned: a RoundTripper must not modify its input.
type headerTransport struct {
	base    http.RoundTripper
	ua      string
	referer string
	extra   http.Header // -H: overrides whatever the request had
	// trusted hosts get extra's credentials too (all of them: trustAll).
	trusted  map[string]bool
	trustAll bool
}

// ClonePool gives fetch a transfer connection of its own
// (fetch.PoolCloner): the same proxy, TLS and identity over a separate
// pool, so it keeps its socket between requests (and fetch can trust its
// measured speed).
func (t *headerTransport) ClonePool() http.RoundTripper {
	base, ok := t.base.(*http.Transport)
	if !ok {
		return t
	}
	own := base.Clone()
	own.MaxIdleConns, own.MaxIdleConnsPerHost = 2, 2
	c := *t
	c.base = own
	return &c
}

func (t *headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	if r.Header.Get("User-Agent") == "" {
		r.Header.Set("User-Agent", t.ua)
	}
	if t.referer != "" && r.Header.Get("Referer") == "" {
		r.Header.Set("Referer", t.referer)
	}
	if n := len(r.Header.Get("Cookie")); n > maxCookieHeader {
		// Servers refuse such requests (431) one by one; say why at once.
		return nil, request.Permanent(&usageError{fmt.Sprintf("--cookies: the cookies for %s add up to %d bytes, more than the %d a server accepts; export only the site's cookies",
			r.URL.Hostname(), n, maxCookieHeader)})
	}
	trusted := t.trustAll || t.trusted[hostKey(r.URL)]
	for k, vs := range t.extra {
		if !trusted && isSensitive(k) {
			continue
		}
		r.Header[k] = vs
	}
	return t.base.RoundTrip(r)
}

func isSensitive(name string) bool {
	for _, s := range sensitiveHeaders {
		if strings.EqualFold(name, s) {
			return true
		}
	}
	return false
}

// parseHeaders reads repeated -H 'Name: value' flags.
func parseHeaders(lines []string) (http.Header, error) {
	h := http.Header{}
	for _, l := range lines {
		name, value, ok := strings.Cut(l, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t\r\n") || strings.ContainsAny(value, "\r\n") {
			return nil, &usageError{fmt.Sprintf("-H %q: want 'Name: value'", l)}
		}
		h.Add(name, strings.TrimSpace(value))
	}
	return h, nil
}
