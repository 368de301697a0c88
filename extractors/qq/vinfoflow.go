package qq

import (
	"context"
	"net/url"
)

// Flow 3 (docs/vqq.md §2C): getvinfo signed with cKey 8.1, as yt-dlp does it.
// One request per quality; each reply describes that quality's HLS
// playlist or progressive MP4 on every CDN prefix.
const (
	vinfoAPI      = "https://h5vv6.video.qq.com/getvinfo"
	vinfoAppVer   = "3.5.57"
	vinfoPlatform = "10901"
)

type vinfoFlow struct{ x *extractor }

func (f *vinfoFlow) name() string { return flowVinfo }

func (f *vinfoFlow) resolve(ctx context.Context, ep episode) (*resolved, error) {
	first, err := f.request(ctx, ep, "hd")
	if err != nil {
		return nil, err
	}
	ask := func(ctx context.Context, defn string) (*vinfo, error) { return f.request(ctx, ep, defn) }
	vinfos, err := f.x.perQuality(ctx, first, ask)
	if err != nil {
		return nil, err
	}
	return f.x.buildFormats(ctx, first, vinfos, f.x.streamFormat, ask)
}

// request asks for one quality.
func (f *vinfoFlow) request(ctx context.Context, ep episode, defn string) (*vinfo, error) {
	r, err := f.x.c.reply(ctx, "getvinfo", func() string { return f.signedURL(ep, defn) })
	if err != nil {
		return nil, err
	}
	return parseVinfo("getvinfo", r)
}

// signedURL is one getvinfo request: a fresh guid, flowid and cKey of
// this moment, the cKey signing the User-Agent the client sends.
func (f *vinfoFlow) signedURL(ep episode, defn string) string {
	guid, now := randomID(16), f.x.now().Unix()
	ckey := ckey81(ckeyInput{vid: ep.vid, unix: now, appVer: vinfoAppVer, guid: guid, platform: vinfoPlatform,
		pageURL: ep.pageURL, userAgent: f.x.c.ua})
	q := url.Values{
		"vid": {ep.vid}, "cid": {ep.cid}, "cKey": {ckey}, "encryptVer": {"8.1"}, "spcaptiontype": {"0"},
		"sphls": {"2"}, "dtype": {"3"}, "defn": {defn}, "spsrt": {"2"}, "sphttps": {"1"}, "otype": {"json"},
		"spwm": {"1"}, "hevclv": {"28"}, "drm": {"40"}, "spvideo": {"4"}, "spsfrhdr": {"100"},
		"host": {"v.qq.com"}, "referer": {"v.qq.com"}, "ehost": {ep.pageURL}, "appVer": {vinfoAppVer},
		"platform": {vinfoPlatform}, "guid": {guid}, "flowid": {randomID(32)},
	}
	return vinfoAPI + "?" + q.Encode()
}
