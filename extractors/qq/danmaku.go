package qq

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"
	"golang.org/x/sync/errgroup"

	"github.com/vdlproject/vdl/danmaku"
	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/request"
)

// The bullet-comment API (docs/vqq.md §9): a base request lists the
// video's segments (30 s windows on the site), each segment request gives
// that window's comments.
const (
	danmakuOrigin = "https://dm.video.qq.com"
	// danmakuSpan is the site's segment length, used to name the segments
	// when the base request fails but the duration is known.
	danmakuSpan = 30 * time.Second
	// danmakuParallel: the site throttles by dropping requests (timeouts,
	// no 429) when every segment is asked at once; the peers that work
	// keep 3-4 in flight.
	danmakuParallel = 3
	// maxDanmakuSegments bounds a base reply: 12 hours of 5 s windows.
	maxDanmakuSegments = 12 * 3600 / 5
	// danmakuRetries caps the policy's retries of a comment request: the
	// episode waits for its comments before it is done, and a segment
	// that still fails after a few seconds is named as missing.
	danmakuRetries = 3
)

// segmentName is the only form a segment name may take: it goes into a
// URL path, so anything else in a base reply is refused.
var segmentName = regexp.MustCompile(`^t/v1/(\d{1,10})/(\d{1,10})$`)

var _ extractors.Commenter = (*extractor)(nil)

// Comments fetches every comment of the episode m, danmakuParallel
// segments at a time, through the same policy, proxy and cookies as its
// media.
func (x *extractor) Comments(ctx context.Context, m *extractors.Media) (*extractors.Comments, error) {
	vid := m.ID
	if !vidRe.MatchString(vid) {
		return nil, fmt.Errorf("qq: danmaku: %q is not a vid", vid)
	}
	c := x.danmakuClient()
	names, err := x.danmakuSegments(ctx, c, vid, m.Duration)
	if errors.Is(err, errNoComments) {
		return &extractors.Comments{}, nil
	}
	if err != nil {
		return nil, err
	}
	lists := make([][]danmaku.Comment, len(names))
	skipped := make([]int, len(names))
	failed := make([]error, len(names))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(danmakuParallel)
	for i, name := range names {
		g.Go(func() error {
			body, err := c.get(gctx, request.Spec{URL: danmakuOrigin + "/barrage/segment/" + vid + "/" + name, Header: danmakuHeader()})
			if err == nil {
				lists[i], skipped[i], err = parseDanmakuSegment(body)
			}
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				failed[i] = err
				x.log.Warn("danmaku segment failed", "vid", vid, "segment", name, "err", err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	out := &extractors.Comments{Segments: danmaku.RawSegments{Total: len(names)}}
	for i := range names {
		if failed[i] != nil {
			out.Segments.Missing = append(out.Segments.Missing, names[i])
			continue
		}
		out.Segments.Fetched++
		out.List = append(out.List, lists[i]...)
		out.Skipped += skipped[i]
	}
	return out, nil
}

// danmakuClient is the extractor's client (the same transport, proxy,
// cookies and recorder) with the retry budget of comment requests.
func (x *extractor) danmakuClient() *client {
	h := *x.c.http
	if h.Policy.Retries == 0 || h.Policy.Retries > danmakuRetries {
		h.Policy.Retries = danmakuRetries
	}
	return &client{http: &h, ua: x.c.ua, log: x.c.log}
}

// errNoComments: the base request's 404, the site's "this video has no
// comments".
var errNoComments = errors.New("no comments")

func danmakuHeader() http.Header {
	return http.Header{"Referer": {siteReferer}, "Origin": {"https://v.qq.com"}}
}

// danmakuSegments returns the names of vid's segments in time order: the
// base reply's, extended by the site's 30 s windows up to the duration
// when the reply covers less. When the base request fails, the windows
// are named from the duration alone (their form is fixed, §9), so one
// failed request does not cost every comment.
func (x *extractor) danmakuSegments(ctx context.Context, c *client, vid string, duration time.Duration) ([]string, error) {
	body, err := c.get(ctx, request.Spec{URL: danmakuOrigin + "/barrage/base/" + vid, Header: danmakuHeader()})
	var se *request.StatusError
	if errors.As(err, &se) && se.StatusCode == http.StatusNotFound {
		return nil, errNoComments
	}
	var names []string
	end := time.Duration(0)
	span := danmakuSpan
	if err == nil {
		names, end, span, err = parseDanmakuBase(body)
	}
	if err != nil {
		if ctx.Err() != nil || duration <= 0 {
			return nil, fmt.Errorf("qq: danmaku: segment list: %w", err)
		}
		x.log.Warn("danmaku segment list failed; naming the segments from the duration", "vid", vid, "err", err)
		names, end, span = nil, 0, danmakuSpan
	}
	for ; end < duration && len(names) < maxDanmakuSegments; end += span {
		names = append(names, fmt.Sprintf("t/v1/%d/%d", end.Milliseconds(), (end+span).Milliseconds()))
	}
	if len(names) == 0 {
		return nil, errNoComments
	}
	return names, nil
}

// parseDanmakuBase reads a base reply: the segment names in time order,
// where the last one ends, and the span.
func parseDanmakuBase(body []byte) (names []string, end, span time.Duration, err error) {
	if !gjson.ValidBytes(body) {
		return nil, 0, 0, fmt.Errorf("%w: danmaku base reply is not JSON", extractors.ErrAPIChanged)
	}
	r := gjson.ParseBytes(body)
	span = time.Duration(r.Get("segment_span").Int()) * time.Millisecond
	if span < time.Second || span > 10*time.Minute {
		span = danmakuSpan
	}
	type seg struct {
		name       string
		start, end int64
	}
	var segs []seg
	var bad error
	r.Get("segment_index").ForEach(func(_, v gjson.Result) bool {
		name := v.Get("segment_name").String()
		m := segmentName.FindStringSubmatch(name)
		if m == nil {
			bad = fmt.Errorf("%w: danmaku segment name %.40q", extractors.ErrAPIChanged, name)
			return false
		}
		s, _ := strconv.ParseInt(m[1], 10, 64)
		e, _ := strconv.ParseInt(m[2], 10, 64)
		segs = append(segs, seg{name, s, e})
		return len(segs) < maxDanmakuSegments
	})
	if bad != nil {
		return nil, 0, 0, bad
	}
	slices.SortFunc(segs, func(a, b seg) int { return int(a.start - b.start) })
	segs = slices.CompactFunc(segs, func(a, b seg) bool { return a.name == b.name })
	for _, s := range segs {
		names = append(names, s.name)
		end = max(end, time.Duration(s.end)*time.Millisecond)
	}
	return names, end, span, nil
}

// parseDanmakuSegment reads one segment reply. An item that is not a
// comment (another shape, a time that is not a number) is skipped and
// counted; a reply without barrage_list is an error (the segment failed).
func parseDanmakuSegment(body []byte) ([]danmaku.Comment, int, error) {
	if !gjson.ValidBytes(body) {
		return nil, 0, fmt.Errorf("%w: danmaku segment reply is not JSON", extractors.ErrAPIChanged)
	}
	list := gjson.GetBytes(body, "barrage_list")
	if !list.IsArray() {
		return nil, 0, fmt.Errorf("%w: danmaku segment reply has no barrage_list", extractors.ErrAPIChanged)
	}
	var out []danmaku.Comment
	skipped := 0
	list.ForEach(func(_, it gjson.Result) bool {
		c, ok := parseDanmakuItem(it)
		if ok {
			out = append(out, c)
		} else {
			skipped++
		}
		return true
	})
	return out, skipped, nil
}

// parseDanmakuItem reads one comment. Ids exceed 2^53, so they are kept
// as the reply's digits; content_style is JSON inside a string (or "").
func parseDanmakuItem(it gjson.Result) (danmaku.Comment, bool) {
	if !it.IsObject() {
		return danmaku.Comment{}, false
	}
	ms, err := strconv.ParseInt(strings.TrimSpace(it.Get("time_offset").String()), 10, 64)
	text := it.Get("content")
	if err != nil || ms < 0 || text.Type != gjson.String {
		return danmaku.Comment{}, false
	}
	c := danmaku.Comment{ID: it.Get("id").String(), Time: time.Duration(ms) * time.Millisecond, Text: text.String(),
		Color: danmaku.White, User: it.Get("vuid").String()}
	style := it.Get("content_style")
	if style.Type == gjson.String {
		style = gjson.Parse(style.String()) // "" or broken JSON: no style, a white scrolling comment
	}
	switch style.Get("position").Int() {
	case 2:
		c.Mode = danmaku.Top
	case 3:
		c.Mode = danmaku.Bottom
	}
	// The first gradient stop is the colour VIP comments show; "color"
	// stays ffffff beside a gradient.
	for _, v := range append(style.Get("gradient_colors").Array(), style.Get("color")) {
		if s := v.String(); isHexColour(s) {
			c.Color = danmaku.ParseColor(s)
			break
		}
	}
	return c, true
}

func isHexColour(s string) bool {
	s = strings.TrimPrefix(s, "#")
	if len(s) != 6 {
		return false
	}
	_, err := strconv.ParseUint(s, 16, 32)
	return err == nil
}
