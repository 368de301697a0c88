package qq

import (
	"errors"
	"strings"
	"testing"

	"github.com/vdlproject/vdl/extractors"
)

// TestDecodeProxyReply reads fixture F4: the vinfo wrapper holds F2, the
// vkey wrapper a key, and the -7610 error is reported.
func TestDecodeProxyReply(t *testing.T) {
	r, err := decodeProxyReply("proxyhttp", "vinfo", loadReply(t, "f4-proxyhttp-vinfo.json"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := parseVinfo("proxyhttp", r)
	if err != nil || v.vid != "s0043cwsgj0" || v.quality.name != "hd" || len(v.playlists()) != 1 {
		t.Fatalf("vinfo: %+v, %v", v, err)
	}
	k, err := decodeProxyReply("proxyhttp", "vkey", loadReply(t, "f4-proxyhttp-vkey.json"))
	if err != nil || k.Get("key").String() != "DDDD4444" || k.Get("filename").String() != "x.p217.1.mp4" {
		t.Fatalf("vkey: %v, %v", k, err)
	}
	_, err = decodeProxyReply("proxyhttp", "vinfo", loadReply(t, "f4-proxyhttp-error.json"))
	if !errors.Is(err, extractors.ErrAPIChanged) || !strings.Contains(err.Error(), "-7610") {
		t.Fatalf("error reply: %v", err)
	}
	_, err = decodeProxyReply("proxyhttp", "vinfo", []byte(`{"errCode":0}`))
	if err == nil || !strings.Contains(err.Error(), "field vinfo missing") {
		t.Fatalf("missing field: %v", err)
	}
}
