package qq

import (
	"cmp"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/vdlproject/vdl/extractors"
)

// ids is what a v.qq.com URL names: an episode (vid), a series (cid), or
// both. A URL with only a cid is a series page.
type ids struct {
	vid, cid string
}

var (
	vidRe = regexp.MustCompile(`^[a-z0-9]{11}$`)
	cidRe = regexp.MustCompile(`^[a-z0-9]{15}$`)
)

// parseURL takes the vid and cid out of every URL form of vqq.md §1:
// desktop and m.v.qq.com pages, cover pages with and without an episode,
// ?vid= queries (which win over the path, as the player does), iframe
// players and the legacy /cover/<c>/ and /page/ forms.
func parseURL(u *url.URL) (ids, error) {
	host := strings.ToLower(u.Hostname())
	if host != "v.qq.com" && host != "m.v.qq.com" && host != "film.qq.com" {
		return ids{}, fmt.Errorf("%w: %s is not a v.qq.com page", extractors.ErrUnsupported, u.Host)
	}
	q := u.Query()
	var id ids
	if v := strings.ToLower(q.Get("vid")); vidRe.MatchString(v) {
		id.vid = v
	}
	if c := strings.ToLower(q.Get("cid")); cidRe.MatchString(c) {
		id.cid = c
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	last := len(segs) - 1
	stem := func(i int) string { return strings.ToLower(strings.TrimSuffix(segs[i], ".html")) }
	switch {
	case len(segs) >= 2 && segs[0] == "x" && segs[1] == "page" && last == 2: // /x/page/<vid>.html
		id.vid = cmp.Or(id.vid, matchVid(stem(2)))
	case len(segs) >= 2 && segs[0] == "x" && segs[1] == "cover" && last == 2: // /x/cover/<cid>.html
		id.cid = cmp.Or(id.cid, matchCid(stem(2)))
	case len(segs) >= 2 && segs[0] == "x" && segs[1] == "cover" && last == 3: // /x/cover/<cid>/<vid>.html
		id.cid = cmp.Or(id.cid, matchCid(stem(2)))
		id.vid = cmp.Or(id.vid, matchVid(stem(3)))
	case segs[0] == "detail" && last == 2: // /detail/<c>/<cid>.html
		id.cid = cmp.Or(id.cid, matchCid(stem(2)))
	case segs[0] == "cover" && last == 2: // /cover/<c>/<cid>.html?vid=, m: /cover/m/<cid>.html?vid=
		id.cid = cmp.Or(id.cid, matchCid(stem(2)))
	case segs[0] == "cover" && last == 3: // /cover/<c>/<cid>/<vid>.html
		id.cid = cmp.Or(id.cid, matchCid(stem(2)))
		id.vid = cmp.Or(id.vid, matchVid(stem(3)))
	case segs[0] == "page" && last >= 1: // /page/<a>/<b>/<c>/<vid>.html
		id.vid = cmp.Or(id.vid, matchVid(stem(last)))
	}
	if id.vid == "" && id.cid == "" {
		return ids{}, fmt.Errorf("%w: no video or series id in %s", extractors.ErrUnsupported, u.Redacted())
	}
	return id, nil
}

func matchVid(s string) string {
	if vidRe.MatchString(s) {
		return s
	}
	return ""
}

func matchCid(s string) string {
	if cidRe.MatchString(s) {
		return s
	}
	return ""
}
