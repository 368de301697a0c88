package qq

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/tidwall/gjson"

	"github.com/vdlproject/vdl/extractors"
)

// maxReplyBytes bounds an API reply or page read: real ones are a few
// hundred KB at most.
const maxReplyBytes = 8 << 20

// siteReferer is what the player sends and what the CDN expects.
const siteReferer = "https://v.qq.com/"

// client makes the extractor's requests. Every request carries the same
// User-Agent: getvinfo's cKey signs it, so the one on the wire must match.
type client struct {
	http *http.Client
	ua   string
	log  *slog.Logger
}

// reply GETs an API URL and returns its decoded, successful reply; a
// refusal in the reply becomes a typed error (replyError).
func (c *client) reply(ctx context.Context, api, rawURL string) (gjson.Result, error) {
	body, err := c.get(ctx, rawURL, http.Header{"Referer": {siteReferer}})
	if err != nil {
		return gjson.Result{}, fmt.Errorf("qq: %s: %w", api, err)
	}
	r, err := decodeReply(api, body)
	if err != nil {
		return r, err
	}
	return r, replyError(api, r)
}

// get reads a URL's body (bounded); a status other than 200 is an
// *extractors.HTTPError naming the URL without its query (API queries
// carry the cKey and guid, which only clutter a message).
func (c *client) get(ctx context.Context, rawURL string, h http.Header) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	req.Header.Set("User-Agent", c.ua)
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = withoutQuery(req.URL)
		}
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &extractors.HTTPError{Method: http.MethodGet, URL: withoutQuery(req.URL), StatusCode: resp.StatusCode, Status: resp.Status}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReplyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", withoutQuery(req.URL), err)
	}
	if len(body) > maxReplyBytes {
		return nil, fmt.Errorf("%w: %s: reply larger than %d bytes", extractors.ErrAPIChanged, withoutQuery(req.URL), maxReplyBytes)
	}
	return body, nil
}

// mediaHeader is what every media request (CDN file, playlist, segment)
// carries.
func (c *client) mediaHeader() http.Header {
	return http.Header{"Referer": {siteReferer}, "User-Agent": {c.ua}}
}

func withoutQuery(u *url.URL) string {
	c := *u
	c.RawQuery, c.User = "", nil
	return c.String()
}

// randomID returns n random characters of [0-9a-z], as the player makes
// its guid and flowid.
func randomID(n int) string {
	const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
