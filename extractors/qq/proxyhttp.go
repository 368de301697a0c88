package qq

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/tidwall/gjson"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/request"
)

// The current web player's API (docs/vqq.md §2D): one POST endpoint,
// vd.l.qq.com/proxyhttp (vd6.l.qq.com answers the same), that wraps the
// getinfo-shaped reply in JSON. Requests are signed with cKey 8.5
// (§3b). Two modes make two flows: TS segments (dtype=3) and MP4 clips
// with a key each (dtype=1).
const (
	proxyAPI      = "https://vd.l.qq.com/proxyhttp"
	proxyAPI6     = "https://vd6.l.qq.com/proxyhttp"
	proxyPlatform = "10201"
	proxyAppVer   = "1.27.3"
	proxyEncrypt  = "8.5"
	proxySdtfrom  = "v1010"
)

// tsModeParams are what the player adds to ask for TS segments (§2D).
var tsModeParams = url.Values{
	"dtype": {"3"}, "spau": {"1"}, "spaudio": {"68"}, "spwm": {"1"}, "sphls": {"2"}, "sphttps": {"1"}, "clip": {"4"},
	"spsrt": {"2"}, "spvvpay": {"1"}, "spadseg": {"3"}, "spav1": {"15"}, "hevclv": {"28"}, "spsfrhdr": {"100"},
	"spvideo": {"1044"},
}

// loginCookies are the cookies whose values make the logintoken, by the
// token's field names (§2D). Without them every field is empty: an
// anonymous request.
var loginCookies = [][2]string{
	{"openid", "vqq_openid"}, {"appid", "vqq_appid"}, {"access_token", "vqq_access_token"},
	{"vuserid", "vqq_vuserid"}, {"vusession", "vqq_vusession"}, {"main_login", "main_login"},
}

// loginToken is the compact JSON of the login cookies of v.qq.com in the
// client's jar, fields in the player's order.
func (c *client) loginToken() string {
	vals := map[string]string{}
	if jar := c.http.HTTP.Jar; jar != nil {
		u, _ := url.Parse(siteReferer)
		for _, ck := range jar.Cookies(u) {
			vals[ck.Name] = ck.Value
		}
	}
	b := []byte{'{'}
	for i, f := range loginCookies {
		if i > 0 {
			b = append(b, ',')
		}
		k, _ := json.Marshal(f[0])
		v, _ := json.Marshal(vals[f[1]])
		b = append(append(append(b, k...), ':'), v...)
	}
	return string(append(b, '}'))
}

// proxySigned is what one signature covers: the guid, flowid and time of
// a request and its cKey.
type proxySigned struct {
	guid, flowid, tm, ckey string
}

func (x *extractor) signProxy(vid string) proxySigned {
	now := x.now().Unix()
	guid := randomFrom("0123456789abcdef", 16)
	return proxySigned{guid: guid, flowid: randomFrom("0123456789abcdef", 32), tm: strconv.FormatInt(now, 10),
		ckey: ckey85(newCkey85Input(vid, proxyAppVer, guid, proxyPlatform, now))}
}

// proxyCommon are the parameters every proxyhttp query carries.
func (x *extractor) proxyCommon(ep episode, s proxySigned) url.Values {
	return url.Values{
		"otype": {"ojson"}, "vid": {ep.vid}, "platform": {proxyPlatform}, "appVer": {proxyAppVer},
		"sdtfrom": {proxySdtfrom}, "refer": {ep.pageURL}, "ehost": {ep.pageURL}, "logintoken": {x.c.loginToken()},
		"encryptVer": {proxyEncrypt}, "guid": {s.guid}, "flowid": {s.flowid}, "tm": {s.tm}, "cKey": {s.ckey},
	}
}

// vinfoParam is the query of a vinfoad request for one quality.
func (x *extractor) vinfoParam(ep episode, defn string, ts bool) url.Values {
	q := x.proxyCommon(ep, x.signProxy(ep.vid))
	for k, v := range map[string]string{"isHLS": "1", "charge": "0", "fhdswitch": "0", "show1080p": "1",
		"defnpayver": "7", "host": "v.qq.com", "defn": defn} {
		q.Set(k, v)
	}
	if ts {
		for k, v := range tsModeParams {
			q[k] = v
		}
	} else {
		q.Set("dtype", "1")
	}
	return q
}

// proxyRequest POSTs one proxyhttp request (buid and its parameter
// field) and returns the decoded inner reply of field ("vinfo" or
// "vkey"). A cKey refusal is asked once more with a fresh signature
// (retries may have outlived the signed time); step names the request
// in messages ("proxyhttp-ts vinfoad defn=shd").
func (x *extractor) proxyRequest(ctx context.Context, step, buid, paramField, replyField string, params func() url.Values) (gjson.Result, error) {
	var r gjson.Result
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		body, merr := json.Marshal(map[string]string{"buid": buid, paramField: params().Encode()})
		if merr != nil {
			return gjson.Result{}, merr
		}
		var raw []byte
		raw, err = x.c.get(ctx, request.Spec{Method: http.MethodPost, URL: proxyAPI, Mirrors: []string{proxyAPI6}, Body: body,
			Header: http.Header{"Referer": {siteReferer}, "Origin": {"https://v.qq.com"}, "Content-Type": {"application/json"}}})
		if err != nil {
			return gjson.Result{}, fmt.Errorf("qq: %s: %w", step, err)
		}
		r, err = decodeProxyReply(step, replyField, raw)
		if !errors.Is(err, ErrCKey) {
			break
		}
	}
	return r, err
}

// decodeProxyReply unwraps a proxyhttp reply: errCode, then field (vinfo
// or vkey), a JSON string holding a getinfo-shaped reply.
func decodeProxyReply(step, field string, body []byte) (gjson.Result, error) {
	outer, err := decodeReply(step, body)
	if err != nil {
		return outer, err
	}
	if code := outer.Get("errCode").Int(); code != 0 {
		return gjson.Result{}, fmt.Errorf("%w: qq: %s refused: %s (errCode %d)", extractors.ErrAPIChanged, step, outer.Get("retMsg").String(), code)
	}
	inner, err := need(step, outer, field)
	if err != nil {
		return inner, err
	}
	if inner.Type != gjson.String {
		return gjson.Result{}, fmt.Errorf("%w: qq: unexpected %s reply (field %s is not a JSON string)", extractors.ErrAPIChanged, step, field)
	}
	r, err := decodeReply(step+" "+field, []byte(inner.String()))
	if err != nil {
		return r, err
	}
	return r, replyError(step, r)
}
