package request

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// defaultLimit bounds a body read by Read when the Spec names no limit.
const defaultLimit = 16 << 20

// ErrTooBig is a body over the Spec's limit; it is not retried.
var ErrTooBig = errors.New("reply too big")

// ErrBadReply is a reply that breaks what was asked of it (an encoded
// body after asking for identity, a file shorter than its byte range):
// a server fault, like a status error, but not one a retry would cure.
var ErrBadReply = errors.New("bad reply")

// Client makes requests under one Policy. It is safe for concurrent use.
type Client struct {
	HTTP   *http.Client
	Policy Policy
	Log    *slog.Logger // retries at debug level; nil discards
	// Record, if set, is told of every attempt Read makes (pages, API
	// calls, playlists, keys; not Open's media transfers), failed ones
	// included: for --write-pages. It is called synchronously, once per
	// attempt, from the goroutine of the Read, so it must be safe for
	// concurrent use; it must not modify the Exchange's slices.
	Record func(Exchange)
}

// Spec describes one logical request; its attempts may go to mirrors.
type Spec struct {
	Method  string // default GET
	URL     string
	Body    []byte   // sent with every attempt (a POST's JSON)
	Mirrors []string // other URLs of the same bytes
	// Fresh, if set, gives the URL of each attempt instead of URL: for
	// requests signed with the time (v.qq.com's cKey), so that a retry
	// after a long wait is not refused as stale.
	Fresh  func() string
	Header http.Header // added to the request
	// Limit bounds the body Read keeps (default 16 MiB).
	Limit int64
	// Accept says which statuses are an answer; default 200 only. Any
	// other status is a *StatusError.
	Accept func(status int) bool
	// HideQuery leaves the query out of messages (long signed API
	// queries only clutter them).
	HideQuery bool
	// Stall bounds each silence of an accepted body; default the
	// policy's Timeout.
	Stall time.Duration
}

// Reply is a read response.
type Reply struct {
	StatusCode int
	Header     http.Header
	URL        *url.URL // after redirects: the base for relative references
	Body       []byte
	// Mirror is the index of the URL that answered: 0 for Spec.URL, i for
	// Spec.Mirrors[i-1].
	Mirror int
}

// Read performs the request and reads its whole body, retrying every
// transient failure on the way, the body included.
func (c *Client) Read(ctx context.Context, s Spec) (*Reply, error) {
	limit := s.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	var rep *Reply
	all := append([]string{s.URL}, s.Mirrors...)
	err := c.retry(ctx, s, func(ctx context.Context, u string) (bool, error) {
		rec := c.recording(s, u, limit)
		var err error
		rep, err = c.readOnce(ctx, s, u, limit, all, rec)
		rec.done(err)
		return false, err
	})
	return rep, err
}

// readOnce is one attempt of Read.
func (c *Client) readOnce(ctx context.Context, s Spec, u string, limit int64, all []string, rec *recording) (*Reply, error) {
	resp, err := c.attempt(ctx, s, u, rec)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	rec.reply(resp, body)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", label(s, u), err)
	}
	if int64(len(body)) > limit {
		return nil, Permanent(fmt.Errorf("%w: %s sent more than %d bytes", ErrTooBig, label(s, u), limit))
	}
	return &Reply{StatusCode: resp.StatusCode, Header: resp.Header, URL: resp.Request.URL, Body: body,
		Mirror: max(0, slices.Index(all, u))}, nil
}

// Open performs the request until an accepted status arrives and returns
// the response, its body still to read, guarded by the policy's timeout
// on silence. Faults while reading the body are the caller's to handle.
// The caller closes the body.
func (c *Client) Open(ctx context.Context, s Spec) (*http.Response, error) {
	var resp *http.Response
	err := c.retry(ctx, s, func(ctx context.Context, u string) (bool, error) {
		var err error
		resp, err = c.attempt(ctx, s, u, nil)
		return false, err
	})
	return resp, err
}

// Send makes one attempt of s at u, with no retry: the request with s's
// method, body and headers, the wait for headers bounded by the policy's
// Timeout, an accepted status checked (any other is a *StatusError),
// and the body watched for silence (Spec.Stall): a silent body fails
// with a *TimeoutError. Messages name u redacted. Closing the body ends
// the attempt. It is the attempt that Retry decorates for callers that
// read the body themselves (package fetch, range by range).
func (c *Client) Send(ctx context.Context, s Spec, u string) (*http.Response, error) {
	return c.attempt(ctx, s, u, nil)
}

// retry runs attempt under the policy at the spec's URLs.
func (c *Client) retry(ctx context.Context, s Spec, attempt Attempt) error {
	urls := &specURLs{c: c, s: s, m: NewMirrors(s.URL, s.Mirrors)}
	return c.Retry(ctx, urls, Retry{Label: func(u string) string { return label(s, u) }}, attempt)
}

// attempt makes one request and checks its status. The returned body is
// watched for silence and releases the request's context when closed.
// rec, if not nil, is told of the request and of a refused reply.
func (c *Client) attempt(ctx context.Context, s Spec, u string, rec *recording) (*http.Response, error) {
	timeout := c.Policy.HeaderTimeout()
	rctx, wd := watch(ctx, timeout)
	method := s.Method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if s.Body != nil {
		body = bytes.NewReader(s.Body) // afresh for every attempt
	}
	req, err := http.NewRequestWithContext(rctx, method, u, body)
	if err != nil {
		wd.Stop()
		return nil, Permanent(fmt.Errorf("bad URL %q: %w", Redact(u), err))
	}
	for k, vs := range s.Header {
		req.Header[k] = append([]string(nil), vs...)
	}
	resp, err := c.HTTP.Do(req)
	rec.sent(req)
	if err != nil {
		fired := wd.Fired()
		wd.Stop()
		if fired && ctx.Err() == nil {
			return nil, &TimeoutError{What: "no response headers", After: timeout, URL: label(s, u)}
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = label(s, u)
		}
		return nil, err
	}
	accept := s.Accept
	if accept == nil {
		accept = func(status int) bool { return status == http.StatusOK }
	}
	if !accept(resp.StatusCode) {
		rec.refused(resp)
		resp.Body.Close()
		wd.Stop()
		return nil, NewStatusError(resp, label(s, u))
	}
	wd.Reset(cmp.Or(s.Stall, timeout))
	resp.Body = &watchedBody{ReadCloser: resp.Body, wd: wd, url: label(s, u), parent: ctx}
	return resp, nil
}

func (c *Client) log() *slog.Logger {
	if c.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Log
}

// label names a URL in messages: without credentials, and without its
// query when the spec says so.
func label(s Spec, raw string) string {
	if !s.HideQuery {
		return Redact(raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return Redact(raw)
	}
	c := *u
	c.RawQuery, c.User = "", nil
	return c.String()
}

// watchedBody re-arms the watchdog on every read and turns its firing
// into a TimeoutError.
type watchedBody struct {
	io.ReadCloser
	wd     *watchdog
	url    string
	parent context.Context
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.wd.Reset(0)
	}
	if err != nil && err != io.EOF && b.wd.Fired() && b.parent.Err() == nil {
		err = &TimeoutError{What: "no data", After: b.wd.d, URL: b.url}
	}
	return n, err
}

func (b *watchedBody) Close() error {
	err := b.ReadCloser.Close()
	b.wd.Stop()
	return err
}
