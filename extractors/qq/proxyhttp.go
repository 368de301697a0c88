package qq

import (
	"fmt"

	"github.com/tidwall/gjson"

	"github.com/vdlproject/vdl/extractors"
)

// The third flow, vd.l.qq.com/proxyhttp (vqq.md §2D), is what the web
// player uses today, but its cKey (8.5/9.x) comes from obfuscated player
// code that has no pure-code port, so the flow itself is not written. Its
// reply decoder is: the flow will plug into the flow interface with it.

// decodeProxyReply unwraps a proxyhttp reply: errCode, then field (vinfo
// or vkey), a JSON string holding a getinfo-shaped reply.
func decodeProxyReply(field string, body []byte) (gjson.Result, error) {
	outer, err := decodeReply("proxyhttp", body)
	if err != nil {
		return outer, err
	}
	if code := outer.Get("errCode").Int(); code != 0 {
		return gjson.Result{}, fmt.Errorf("%w: qq: proxyhttp refused: %s (errCode %d)", extractors.ErrAPIChanged, outer.Get("retMsg").String(), code)
	}
	inner, err := need("proxyhttp", outer, field)
	if err != nil {
		return inner, err
	}
	r, err := decodeReply("proxyhttp "+field, []byte(inner.String()))
	if err != nil {
		return r, err
	}
	return r, replyError("proxyhttp "+field, r)
}
