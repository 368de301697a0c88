package hls

import (
	"bytes"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vdlproject/vdl/extractors"
)

var base, _ = url.Parse("https://cdn.example.com/show/ep1/index.m3u8?token=abc")

func fixture(t *testing.T, dir string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "media", dir, "index.m3u8"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func iv(n byte) []byte { return append(make([]byte, 15), n) }

// TestParseFixtures parses the real playlists of the media fixtures.
func TestParseFixtures(t *testing.T) {
	explicitIV := []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	tests := []struct {
		dir       string
		container string
		init      string
		names     []string
		ivs       [][]byte // nil: clear
	}{
		{dir: "hls-ts", container: "ts", names: []string{"seg000.ts", "seg001.ts", "seg002.ts", "seg003.ts"}},
		{dir: "hls-aes128", container: "ts", names: []string{"seg000.ts", "seg001.ts", "seg002.ts", "seg003.ts"},
			ivs: [][]byte{explicitIV, explicitIV, explicitIV, explicitIV}},
		{dir: "hls-aes128-seqiv", container: "ts", names: []string{"seg007.ts", "seg008.ts", "seg009.ts", "seg010.ts"},
			ivs: [][]byte{iv(7), iv(8), iv(9), iv(10)}},
		{dir: "hls-fmp4", container: "mp4", init: "init.mp4", names: []string{"seg000.m4s", "seg001.m4s", "seg002.m4s", "seg003.m4s"}},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			ml, err := parseMedia(fixture(t, tt.dir), base, extractors.KindMuxed)
			if err != nil {
				t.Fatal(err)
			}
			if ml.container != tt.container || ml.duration != 15*time.Second || ml.drm != "" || ml.exactSize != -1 {
				t.Errorf("container %q duration %v drm %q size %d", ml.container, ml.duration, ml.drm, ml.exactSize)
			}
			st := ml.stream
			switch {
			case tt.init == "" && st.Init != nil:
				t.Errorf("unexpected init %+v", st.Init)
			case tt.init != "" && (st.Init == nil || st.Init.URL != "https://cdn.example.com/show/ep1/"+tt.init):
				t.Errorf("init = %+v, want %s", st.Init, tt.init)
			}
			if len(st.Segments) != len(tt.names) {
				t.Fatalf("%d segments, want %d", len(st.Segments), len(tt.names))
			}
			for i, s := range st.Segments {
				if want := "https://cdn.example.com/show/ep1/" + tt.names[i]; s.URL != want {
					t.Errorf("segment %d URL %s, want %s", i, s.URL, want)
				}
				switch {
				case tt.ivs == nil && s.Key != nil:
					t.Errorf("segment %d has a key", i)
				case tt.ivs != nil && (s.Key == nil || !bytes.Equal(s.Key.IV, tt.ivs[i]) || s.Key.URI != "https://cdn.example.com/show/ep1/key.bin"):
					t.Errorf("segment %d key %+v, want IV %x", i, s.Key, tt.ivs[i])
				}
			}
		})
	}
}

// TestParseMedia covers the tags beyond the fixtures: byte ranges with
// and without offsets, key rotation and METHOD=NONE, DRM, discontinuities.
func TestParseMedia(t *testing.T) {
	const head = "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:100\n"
	type seg struct {
		url          string
		off, n       int64
		keyURI       string
		iv           byte
		discontinued bool
	}
	tests := []struct {
		name   string
		body   string
		segs   []seg
		size   int64
		drm    string
		disc   int
		errIs  error
		errHas string
	}{
		{name: "byte ranges continue without offset",
			body: "#EXT-X-MAP:URI=\"all.mp4\",BYTERANGE=\"700@0\"\n#EXTINF:5,\n#EXT-X-BYTERANGE:1000@700\nall.mp4\n#EXTINF:5,\n#EXT-X-BYTERANGE:2000\nall.mp4\n#EXTINF:5,\n#EXT-X-BYTERANGE:500@0\nother.mp4\n#EXTINF:5,\n#EXT-X-BYTERANGE:300\nall.mp4\n#EXT-X-ENDLIST\n",
			segs: []seg{{url: "all.mp4", off: 700, n: 1000}, {url: "all.mp4", off: 1700, n: 2000}, {url: "other.mp4", off: 0, n: 500}, {url: "all.mp4", off: 3700, n: 300}},
			size: 700 + 1000 + 2000 + 500 + 300},
		{name: "key rotation and NONE",
			body: "#EXT-X-KEY:METHOD=AES-128,URI=\"k1\"\n#EXTINF:5,\na.ts\n#EXTINF:5,\nb.ts\n#EXT-X-KEY:METHOD=AES-128,URI=\"/keys/k2\",IV=0x2a\n#EXTINF:5,\nc.ts\n#EXT-X-KEY:METHOD=NONE\n#EXTINF:5,\nd.ts\n#EXT-X-ENDLIST\n",
			segs: []seg{{url: "a.ts", keyURI: "https://cdn.example.com/show/ep1/k1", iv: 100}, {url: "b.ts", keyURI: "https://cdn.example.com/show/ep1/k1", iv: 101},
				{url: "c.ts", keyURI: "https://cdn.example.com/keys/k2", iv: 42}, {url: "d.ts"}},
			size: -1},
		{name: "discontinuity and absolute URIs",
			body: "#EXTINF:5,\nhttps://ads.example.net/ad.ts\n#EXT-X-DISCONTINUITY\n#EXTINF:5,\n../main/a.ts\n#EXT-X-ENDLIST\n",
			segs: []seg{{url: "https://ads.example.net/ad.ts"}, {url: "https://cdn.example.com/show/main/a.ts", discontinued: true}},
			size: -1, disc: 1},
		{name: "sample-aes", body: "#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"skd://x\",KEYFORMAT=\"com.apple.streamingkeydelivery\"\n#EXTINF:5,\na.ts\n#EXT-X-ENDLIST\n",
			segs: []seg{{url: "a.ts"}}, size: -1, drm: "SAMPLE-AES, FairPlay (com.apple.streamingkeydelivery)"},
		{name: "widevine beside an identity key", body: "#EXT-X-KEY:METHOD=SAMPLE-AES-CTR,URI=\"data:x\",KEYFORMAT=\"urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed\"\n#EXT-X-KEY:METHOD=AES-128,URI=\"k\"\n#EXTINF:5,\na.ts\n#EXT-X-ENDLIST\n",
			segs: []seg{{url: "a.ts", keyURI: "https://cdn.example.com/show/ep1/k", iv: 100}}, size: -1, drm: "SAMPLE-AES-CTR, Widevine (urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed)"},
		{name: "live", body: "#EXTINF:5,\na.ts\n", errIs: ErrLive},
		{name: "live is unsupported", body: "#EXTINF:5,\na.ts\n", errIs: extractors.ErrUnsupported},
		{name: "no segments", body: "#EXT-X-ENDLIST\n", errIs: ErrBadPlaylist, errHas: "no segments"},
		{name: "map changes", body: "#EXT-X-MAP:URI=\"i1.mp4\"\n#EXTINF:5,\na.m4s\n#EXT-X-MAP:URI=\"i2.mp4\"\n#EXTINF:5,\nb.m4s\n#EXT-X-ENDLIST\n", errIs: extractors.ErrUnsupported, errHas: "EXT-X-MAP"},
		{name: "bad IV", body: "#EXT-X-KEY:METHOD=AES-128,URI=\"k\",IV=0xzz\n#EXTINF:5,\na.ts\n#EXT-X-ENDLIST\n", errIs: ErrBadPlaylist, errHas: "IV"},
		{name: "key without URI", body: "#EXT-X-KEY:METHOD=AES-128\n#EXTINF:5,\na.ts\n#EXT-X-ENDLIST\n", errIs: ErrBadPlaylist},
		{name: "non-http segment", body: "#EXTINF:5,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n", errIs: extractors.ErrUnsupported},
		{name: "master where media expected", body: "#EXT-X-STREAM-INF:BANDWIDTH=1000\nv.m3u8\n", errIs: ErrBadPlaylist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ml, err := parseMedia([]byte(head+tt.body), base, extractors.KindMuxed)
			if tt.errIs != nil {
				if !errors.Is(err, tt.errIs) || !strings.Contains(err.Error(), tt.errHas) {
					t.Fatalf("err = %v, want %v containing %q", err, tt.errIs, tt.errHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ml.exactSize != tt.size || ml.drm != tt.drm || ml.discontinuities != tt.disc {
				t.Errorf("size %d drm %q discontinuities %d; want %d %q %d", ml.exactSize, ml.drm, ml.discontinuities, tt.size, tt.drm, tt.disc)
			}
			if len(ml.stream.Segments) != len(tt.segs) {
				t.Fatalf("%d segments, want %d", len(ml.stream.Segments), len(tt.segs))
			}
			for i, w := range tt.segs {
				g := ml.stream.Segments[i]
				wantURL, _ := base.Parse(w.url)
				if g.URL != wantURL.String() || g.Offset != w.off || g.Length != w.n || g.Discontinuity != w.discontinued {
					t.Errorf("segment %d = %+v, want %+v", i, g, w)
				}
				switch {
				case w.keyURI == "" && g.Key != nil:
					t.Errorf("segment %d: unexpected key %+v", i, g.Key)
				case w.keyURI != "" && (g.Key == nil || g.Key.URI != w.keyURI || !bytes.Equal(g.Key.IV, iv(w.iv))):
					t.Errorf("segment %d: key %+v, want %s IV %d", i, g.Key, w.keyURI, w.iv)
				}
			}
		})
	}
}

func TestNotAPlaylist(t *testing.T) {
	for _, body := range []string{"", "\n\n", "<!DOCTYPE html><html><body>403 Forbidden</body></html>", "{\"error\":1}", "\x47\x40\x00\x10"} {
		_, err := parseMedia([]byte(body), base, extractors.KindMuxed)
		if !errors.Is(err, ErrBadPlaylist) {
			t.Errorf("%q: err = %v, want ErrBadPlaylist", body, err)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: multi-line error %q", body, err)
		}
	}
}

func TestEncryptedInit(t *testing.T) {
	body := "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-KEY:METHOD=AES-128,URI=\"k\",IV=0x01\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:5,\na.m4s\n#EXT-X-ENDLIST\n"
	ml, err := parseMedia([]byte(body), base, extractors.KindMuxed)
	if err != nil {
		t.Fatal(err)
	}
	if k := ml.stream.Init.Key; k == nil || !bytes.Equal(k.IV, iv(1)) {
		t.Errorf("init key = %+v, want the AES-128 key with IV 1", k)
	}
	clear := strings.Replace(body, "#EXT-X-MAP:URI=\"init.mp4\"\n", "", 1)
	clear = strings.Replace(clear, "#EXTM3U\n", "#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n", 1)
	if ml, err = parseMedia([]byte(clear), base, extractors.KindMuxed); err != nil || ml.stream.Init.Key != nil {
		t.Errorf("a map before the key is clear: %+v, %v", ml, err)
	}
}

// FuzzParse: any input gives a result or an error, never a panic.
func FuzzParse(f *testing.F) {
	for _, dir := range []string{"hls-ts", "hls-aes128", "hls-aes128-seqiv", "hls-fmp4"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "media", dir, "index.m3u8"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=2x3\nv.m3u8\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",URI=\"a.m3u8\"\n"))
	f.Add([]byte("#EXTM3U\n#EXTINF:1,\n#EXT-X-BYTERANGE:10@-5\na\n#EXT-X-MAP:URI=\"\",BYTERANGE=\"x\"\n#EXT-X-ENDLIST"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ml, err := parseMedia(data, base, extractors.KindMuxed)
		if err == nil && (len(ml.stream.Segments) == 0 || ml.container == "") {
			t.Fatalf("success without segments: %+v", ml)
		}
		if pl, _, _, err := decode(data); err == nil && pl == nil {
			t.Fatal("decode returned no playlist and no error")
		}
	})
}

// TestHugePlaylistCostsNoParse: a playlist past MaxSegments is refused
// before any parse, at no memory cost in proportion to its size; one at
// the bound parses within a bounded cost per segment.
func TestHugePlaylistCostsNoParse(t *testing.T) {
	playlist := func(n int) []byte {
		var b bytes.Buffer
		b.WriteString("#EXTM3U\n#EXT-X-TARGETDURATION:1\n")
		for range n {
			b.WriteString("#EXTINF:1,\ns\n")
		}
		b.WriteString("#EXT-X-ENDLIST\n")
		return b.Bytes()
	}
	allocated := func(data []byte) (uint64, error) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := parseMedia(data, base, extractors.KindMuxed)
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc, err
	}
	huge := playlist(1_000_000)
	got, err := allocated(huge)
	if !errors.Is(err, extractors.ErrUnsupported) || !strings.Contains(err.Error(), "1000000 segments") {
		t.Fatalf("huge playlist: %v", err)
	}
	if got > 1<<20 {
		t.Errorf("refusing a %d MB playlist allocated %d KB", len(huge)>>20, got>>10)
	}
	got, err = allocated(playlist(MaxSegments))
	if err != nil {
		t.Fatal(err)
	}
	if per := got / MaxSegments; per > 4<<10 {
		t.Errorf("parsing allocated %d bytes per segment", per)
	}
}
