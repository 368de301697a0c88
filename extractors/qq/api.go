package qq

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/tidwall/gjson"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/request"
)

// maxReplyBytes bounds an API reply or page read: real ones are a few
// hundred KB at most.
const maxReplyBytes = 8 << 20

// siteReferer is what the player sends and what the CDN expects.
const siteReferer = "https://v.qq.com/"

// client makes the extractor's requests. Every request carries the same
// User-Agent: getvinfo's cKey signs it, so the one on the wire must match.
type client struct {
	http *request.Client
	ua   string
	log  *slog.Logger
}

// reply GETs an API URL (made afresh for each attempt: the cKey signs the
// time) and returns its decoded, successful reply; a refusal in the reply
// becomes a typed error (replyError).
func (c *client) reply(ctx context.Context, api string, makeURL func() string) (gjson.Result, error) {
	body, err := c.get(ctx, request.Spec{Fresh: makeURL, Header: http.Header{"Referer": {siteReferer}}})
	if err != nil {
		return gjson.Result{}, fmt.Errorf("qq: %s: %w", api, err)
	}
	r, err := decodeReply(api, body)
	if err != nil {
		return r, err
	}
	return r, replyError(api, r)
}

// page reads a v.qq.com page.
func (c *client) page(ctx context.Context, pageURL string) ([]byte, error) {
	return c.get(ctx, request.Spec{URL: pageURL, Header: http.Header{"Referer": {siteReferer}}})
}

// get reads a body (bounded) under vdl's retry policy. Messages name the
// URL without its query: API queries carry the cKey and guid, which only
// clutter them.
func (c *client) get(ctx context.Context, s request.Spec) ([]byte, error) {
	s.Header = s.Header.Clone()
	s.Header.Set("User-Agent", c.ua)
	s.Limit, s.HideQuery = maxReplyBytes, true
	rep, err := c.http.Read(ctx, s)
	if errors.Is(err, request.ErrTooBig) {
		return nil, fmt.Errorf("%w: %w", extractors.ErrAPIChanged, err)
	}
	if err != nil {
		return nil, err
	}
	return rep.Body, nil
}

// mediaHeader is what every media request (CDN file, playlist, segment)
// carries.
func (c *client) mediaHeader() http.Header {
	return http.Header{"Referer": {siteReferer}, "User-Agent": {c.ua}}
}

// randomID returns n random characters of [0-9a-z], as the player makes
// its guid and flowid.
func randomID(n int) string { return randomFrom("0123456789abcdefghijklmnopqrstuvwxyz", n) }
