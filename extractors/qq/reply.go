package qq

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/vdlproject/vdl/extractors"
)

// Errors of the Tencent APIs (vqq.md §5), each wrapping the extractors
// error the CLI maps to an exit code.
var (
	// ErrCannotPlayOutside is the platform refusal that another platform
	// may not give; the flows try the next one.
	ErrCannotPlayOutside = fmt.Errorf("%w: cannot play outside (platform restriction)", extractors.ErrGeo)
	// ErrCKey is the 85.-3 reply: the request signature was refused.
	ErrCKey = fmt.Errorf("%w: the API refused the request signature (cKey, code 85.-3)", extractors.ErrAPIChanged)
)

const replyMarker = "QZOutputJson="

// decodeReply returns the one JSON value of a getinfo-family reply:
// "QZOutputJson={...};" (otype=json) or plain JSON (otype=ojson). It
// decodes exactly one value after the marker, so trailing ";" or script
// text does not matter, and anything else is a clear error.
func decodeReply(api string, body []byte) (gjson.Result, error) {
	data := bytes.TrimSpace(body)
	if i := bytes.Index(data, []byte(replyMarker)); i >= 0 {
		data = data[i+len(replyMarker):]
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil || len(raw) == 0 || raw[0] != '{' {
		return gjson.Result{}, fmt.Errorf("%w: qq: %s reply is not JSON (%s)", extractors.ErrAPIChanged, api, preview(body))
	}
	return gjson.ParseBytes(raw), nil
}

// replyError turns a refusal in the reply into a typed error; nil when
// the reply says success.
func replyError(api string, r gjson.Result) error {
	msg := strings.TrimSpace(r.Get("msg").String())
	em, exem := r.Get("em").Int(), r.Get("exem").Int()
	code := r.Get("code").String()
	failed := r.Get("s").String() == "f" || (code != "" && code != "0.0") || msg != "" && em != 0
	if !failed {
		return nil
	}
	switch {
	case msg == "not pay" || em == 83:
		return fmt.Errorf("%w: qq: this video needs a VIP account (%s: not pay, code %d.%d)", extractors.ErrVIP, api, em, exem)
	case msg == "cannot play outside" || em == 100:
		return fmt.Errorf("qq: %s: %w", api, ErrCannotPlayOutside)
	case strings.Contains(msg, "区域") || strings.Contains(strings.ToLower(msg), "not available in your area"):
		return fmt.Errorf("%w: qq: %s", extractors.ErrGeo, msg)
	case code == "85.-3" || em == 85 && exem == -3:
		return fmt.Errorf("qq: %s: %w", api, ErrCKey)
	case strings.Contains(msg, "不存在") || strings.Contains(strings.ToLower(msg), "not exist"):
		return fmt.Errorf("%w: qq: %s", extractors.ErrNotFound, msg)
	}
	if msg == "" {
		msg = "no message"
	}
	return fmt.Errorf("qq: %s refused: %s (code %d.%d)", api, msg, em, exem)
}

// need returns the value at path or a clear "API changed" error naming
// the missing field: a changed reply is never a panic or an index error.
func need(api string, r gjson.Result, path string) (gjson.Result, error) {
	v := r.Get(path)
	if !v.Exists() {
		return v, fmt.Errorf("%w: qq: unexpected %s reply (field %s missing)", extractors.ErrAPIChanged, api, path)
	}
	return v, nil
}

func preview(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 60 {
		s = s[:60] + "..."
	}
	if s == "" {
		return "empty"
	}
	return fmt.Sprintf("%q", s)
}
