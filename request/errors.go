package request

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"
)

// StatusError is a response status the caller does not accept. Callers
// inspect it with errors.As (an expired signed URL answers 403 or 410).
type StatusError struct {
	Method     string
	URL        string // redacted
	StatusCode int
	Status     string        // e.g. "404 Not Found", control characters removed
	RetryAfter time.Duration // the server's Retry-After, 0 if none
}

// NewStatusError describes resp; label names the request in messages.
func NewStatusError(resp *http.Response, label string) *StatusError {
	status, code := cleanText(resp.Status), strconv.Itoa(resp.StatusCode)
	if !strings.HasPrefix(status, code) {
		status = strings.TrimSpace(code + " " + status)
	}
	method := http.MethodGet
	if resp.Request != nil && resp.Request.Method != "" {
		method = resp.Request.Method
	}
	return &StatusError{Method: method, URL: label, StatusCode: resp.StatusCode, Status: status,
		RetryAfter: retryAfter(resp.Header, time.Now())}
}

func (e *StatusError) Error() string { return fmt.Sprintf("%s %s: %s", e.Method, e.URL, e.Status) }

// StatusRefused is the non-standard status Tencent's CDN answers for a
// file it will not serve to this request (yt-dlp#8171: the getvinfo
// flow's media): a refusal like 403, not a server fault.
const StatusRefused = 564

// Temporary reports whether the same request may succeed later: 408,
// 425, 429 and 5xx (but not 564, a refusal).
func (e *StatusError) Temporary() bool {
	switch e.StatusCode {
	case http.StatusRequestTimeout, http.StatusTooEarly, http.StatusTooManyRequests:
		return true
	case StatusRefused:
		return false
	}
	return e.StatusCode >= 500
}

// TimeoutError is an attempt that got no headers, or no body bytes, for
// the policy's timeout. It is retried like a network fault.
type TimeoutError struct {
	What  string // "no response headers", "no data"
	After time.Duration
	URL   string
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("%s: %s for %s", e.URL, e.What, e.After)
}

// Timeout says that this is a timeout, as net.Error does.
func (e *TimeoutError) Timeout() bool { return true }

// permanent marks an error that retrying cannot cure.
type permanent struct{ err error }

func (e *permanent) Error() string { return e.err.Error() }
func (e *permanent) Unwrap() error { return e.err }

// Permanent wraps err so that Retryable reports false; errors.Is/As still
// see err.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanent{err}
}

// transient marks a caller's error as a network fault (a body that ended
// before its promised length, say).
type transient struct{ err error }

func (e *transient) Error() string { return e.err.Error() }
func (e *transient) Unwrap() error { return e.err }

// Transient wraps err so that Retryable reports true.
func Transient(err error) error {
	if err == nil {
		return nil
	}
	return &transient{err}
}

// Retryable reports whether err is a fault of the network or the server
// that another attempt may cure: a failed or reset connection, EOF before
// or inside the headers or the body, a timeout, a temporary status (408,
// 425, 429, 5xx), or an error marked Transient. Everything else is not:
// cancellation, other statuses, refused certificates, unknown hosts, bad
// URLs, errors marked Permanent, and errors of no known network kind
// (a reply that does not parse is an answer, not a fault). After a
// request's retries are spent, the same test tells a caller that its
// failure was a network one.
func Retryable(err error) bool {
	var (
		se   *StatusError
		te   *TimeoutError
		perm *permanent
		tr   *transient
		dns  *net.DNSError
		tlsv *tls.CertificateVerificationError
		cert x509.UnknownAuthorityError
		host x509.HostnameError
		inv  x509.CertificateInvalidError
		ue   *url.Error
		ne   net.Error
	)
	switch {
	case err == nil, errors.As(err, &perm):
		return false
	case errors.As(err, &te), errors.As(err, &tr):
		return true
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false
	case errors.As(err, &se):
		return se.Temporary()
	case errors.As(err, &dns):
		return !dns.IsNotFound
	case errors.As(err, &tlsv), errors.As(err, &cert), errors.As(err, &host), errors.As(err, &inv):
		return false // a certificate that is refused now is refused later too
	case errors.As(err, &ue):
		msg := ue.Err.Error()
		for _, refusal := range []string{"unsupported protocol scheme", "authentication failed", "Proxy Authentication Required"} {
			if strings.Contains(msg, refusal) {
				return false // a bad URL, or a proxy refusing our credentials
			}
		}
		return !proxyRefusal(msg)
	case errors.As(err, &ne), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EPIPE),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, net.ErrClosed):
		return true
	}
	return false
}

// MirrorWorthy says whether a failure on one URL is worth trying another
// URL of the same bytes for at once: the node refuses the file (403, 404,
// 410), is failing (5xx), or cannot be reached.
func MirrorWorthy(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		switch se.StatusCode {
		case http.StatusForbidden, http.StatusNotFound, http.StatusGone, StatusRefused:
			return true
		}
		return se.StatusCode >= 500
	}
	return Retryable(err)
}

// Redact returns a URL without its credentials, for messages, IDs and
// state files. A string that does not parse is returned without anything
// between "//" and "@".
func Redact(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Opaque == "" {
		if u.User == nil {
			return raw
		}
		return RedactURL(u)
	}
	// Not a URL Go can read ("user:pass@host:port", a bad escape): cut
	// whatever precedes an "@" in what would be the authority.
	start := 0
	if i := strings.Index(raw, "//"); i >= 0 {
		start = i + 2
	}
	end := len(raw)
	if i := strings.IndexAny(raw[start:], "/?#"); i >= 0 {
		end = start + i
	}
	if j := strings.LastIndex(raw[start:end], "@"); j >= 0 {
		return raw[:start] + raw[start+j+1:]
	}
	return raw
}

// RedactURL is Redact for a parsed URL.
func RedactURL(u *url.URL) string {
	if u.User == nil {
		return u.String()
	}
	c := *u
	c.User = nil
	return c.String()
}

// cleanText drops control characters from text a server chose (a status
// line), so that it cannot drive the user's terminal.
func cleanText(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}

// proxyRefusal reports the error net/http gives for a proxy that answers
// CONNECT with a 4xx status: the status text alone ("Unauthorized" from
// tinyproxy for a wrong password, "Forbidden"). Asking again gets the
// same answer; 408 and 429 are the exceptions, as for any request.
func proxyRefusal(msg string) bool {
	for code := 400; code < 500; code++ {
		if code != http.StatusRequestTimeout && code != http.StatusTooManyRequests && msg == http.StatusText(code) {
			return true
		}
	}
	return false
}
