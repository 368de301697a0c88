package request

import (
	"io"
	"net/http"
	"time"
)

// Exchange is one attempt of a Client.Read as it happened: the request
// that went out and the reply that came back, or the failure. It is what
// Client.Record is told, for --write-pages. Nothing in it is redacted:
// pass it through a Redactor before it leaves the process.
type Exchange struct {
	Start    time.Time     // when the attempt began
	Duration time.Duration // until its reply was read or it failed

	Method string
	URL    string // the attempt's URL: Spec.URL, a mirror's, or Fresh's
	// Header is the request's header as the client sent it: the Spec's,
	// and the cookies of the client's jar. (Headers a RoundTripper adds
	// to its own copy of the request, such as a default User-Agent, are
	// not seen here.)
	Header http.Header
	Body   []byte // the request body, nil for none

	// Status is the reply's status code, 0 when no reply arrived.
	Status int
	// FinalURL is where redirects led, when that is not URL.
	FinalURL   string
	RespHeader http.Header
	// RespBody is the reply's body as far as it was read: up to the
	// Spec's limit (one byte past it for a body that was too big), and
	// for a refused status too.
	RespBody []byte

	// Err is why the attempt failed; nil for an accepted reply.
	Err error
}

// recording collects one attempt of a Read for Client.Record. A nil
// *recording records nothing, so the request path does not branch on
// whether anyone listens.
type recording struct {
	record func(Exchange)
	limit  int64
	ex     Exchange
}

// recording starts the record of an attempt on u; nil when the client
// has no Record hook.
func (c *Client) recording(s Spec, u string, limit int64) *recording {
	if c.Record == nil {
		return nil
	}
	method := s.Method
	if method == "" {
		method = http.MethodGet
	}
	return &recording{record: c.Record, limit: limit,
		ex: Exchange{Start: time.Now(), Method: method, URL: u, Body: s.Body}}
}

// sent notes the request as the client sent it: after Do, its header
// holds the cookies the jar added.
func (r *recording) sent(req *http.Request) {
	if r == nil {
		return
	}
	r.ex.Header = req.Header.Clone()
}

// reply notes the response and the body read from it.
func (r *recording) reply(resp *http.Response, body []byte) {
	if r == nil {
		return
	}
	r.ex.Status, r.ex.RespHeader, r.ex.RespBody = resp.StatusCode, resp.Header.Clone(), body
	if resp.Request != nil && resp.Request.URL != nil {
		if final := resp.Request.URL.String(); final != r.ex.URL {
			r.ex.FinalURL = final
		}
	}
}

// refused notes a response whose status the caller does not accept,
// reading its body (bounded): a refusal's body often says why.
func (r *recording) refused(resp *http.Response) {
	if r == nil {
		return
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, r.limit))
	r.reply(resp, body)
}

// done hands the attempt to the hook. It is called once per attempt,
// synchronously, so that a recorder learning secrets from a reply knows
// them before the caller can put them into another request.
func (r *recording) done(err error) {
	if r == nil {
		return
	}
	r.ex.Duration, r.ex.Err = time.Since(r.ex.Start), err
	r.record(r.ex)
}
