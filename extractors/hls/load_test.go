package hls

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/request"
)

const testMaster = `#EXTM3U
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English",DEFAULT=NO,URI="audio/en.m3u8"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="Main",DEFAULT=YES,URI="audio/main.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2",FRAME-RATE=25
v360/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=3000000,AVERAGE-BANDWIDTH=2500000,RESOLUTION=1920x1080,CODECS="avc1.640028",AUDIO="aud",FRAME-RATE=29.97
v1080/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=1500000,RESOLUTION=1280x720,CODECS="avc1.4d401f,mp4a.40.2"
v720/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=1400000,RESOLUTION=1280x720,CODECS="avc1.4d401f,mp4a.40.2"
broken/index.m3u8
#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=100000,URI="iframes.m3u8"
`

const testMedia = "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\ns0.ts\n#EXTINF:10,\ns1.ts\n#EXT-X-ENDLIST\n"

// playlistServer serves the given paths and counts requests per path.
func playlistServer(t *testing.T, files map[string]string) (*httptest.Server, *sync.Map) {
	t.Helper()
	var hits sync.Map
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := hits.LoadOrStore(r.URL.Path, new(int))
		*(n.(*int))++
		if r.Header.Get("Referer") != "https://site.example/" {
			http.Error(w, "no referer", http.StatusForbidden)
			return
		}
		body, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func testLoader(srv *httptest.Server) *Loader {
	return &Loader{HTTP: &request.Client{HTTP: srv.Client()}, Header: http.Header{"Referer": {"https://site.example/"}}}
}

func TestMasterFormats(t *testing.T) {
	srv, _ := playlistServer(t, map[string]string{
		"/ep/master.m3u8":      testMaster,
		"/ep/v360/index.m3u8":  testMedia,
		"/ep/v720/index.m3u8":  testMedia,
		"/ep/v1080/index.m3u8": testMedia,
		"/ep/audio/main.m3u8":  strings.ReplaceAll(testMedia, "\ns", "\na"),
	})
	u, _ := url.Parse(srv.URL + "/ep/master.m3u8")
	m, err := testLoader(srv).Media(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	if m.Title != "ep" || m.Duration.Seconds() != 20 {
		t.Errorf("title %q duration %v", m.Title, m.Duration)
	}
	type want struct {
		id        string
		height    int
		codecs    string
		streams   int
		estSize   int64
		firstSeg  string
		container string
	}
	wants := []want{
		{"hls-2500", 1080, "avc1.640028", 2, 2500000 / 8 * 20, srv.URL + "/ep/v1080/s0.ts", "ts"},
		{"hls-1500", 720, "avc1.4d401f,mp4a.40.2", 1, 1500000 / 8 * 20, srv.URL + "/ep/v720/s0.ts", "ts"},
		{"hls-800", 360, "avc1.4d401e,mp4a.40.2", 1, 800000 / 8 * 20, srv.URL + "/ep/v360/s0.ts", "ts"},
	}
	if len(m.Formats) != len(wants) {
		t.Fatalf("%d formats, want %d (the broken variant dropped, the I-frame one ignored): %+v", len(m.Formats), len(wants), m.Formats)
	}
	for i, w := range wants {
		f := m.Formats[i]
		if f.ID != w.id || f.Height != w.height || f.Codecs != w.codecs || len(f.Streams) != w.streams ||
			f.EstSize != w.estSize || f.Size != -1 || f.Streams[0].Segments[0].URL != w.firstSeg || f.Container != w.container {
			t.Errorf("format %d = %+v, want %+v", i, f, w)
		}
	}
	best := m.Formats[0]
	if best.FPS != 29.97 || best.Streams[0].Kind != extractors.KindVideo || best.Streams[1].Kind != extractors.KindAudio ||
		best.Streams[1].Segments[0].URL != srv.URL+"/ep/audio/a0.ts" {
		t.Errorf("best format streams: %+v", best.Streams)
	}
	if m.Formats[1].Streams[0].Kind != extractors.KindMuxed {
		t.Errorf("a variant without an audio group is muxed: %+v", m.Formats[1].Streams[0].Kind)
	}
	f, err := extractors.Select(m.Formats, "720p")
	if err != nil || f.ID != "hls-1500" {
		t.Errorf("Select 720p = %v, %v", f, err)
	}
}

func TestMasterFailures(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		errIs error
	}{
		{"every variant fails", map[string]string{"/m.m3u8": "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n"}, nil},
		{"live variants", map[string]string{"/m.m3u8": "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n", "/a.m3u8": "#EXTM3U\n#EXTINF:4,\nx.ts\n"}, ErrLive},
		{"html page", map[string]string{"/m.m3u8": "<html><body>Sign in</body></html>"}, ErrBadPlaylist},
		{"no variants", map[string]string{"/m.m3u8": "#EXTM3U\n#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,URI=\"i.m3u8\"\n"}, ErrBadPlaylist},
		{"session key DRM", map[string]string{
			"/m.m3u8": "#EXTM3U\n#EXT-X-SESSION-KEY:METHOD=SAMPLE-AES,URI=\"skd://k\",KEYFORMAT=\"com.apple.streamingkeydelivery\"\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n",
			"/a.m3u8": testMedia}, extractors.ErrDRM},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := playlistServer(t, tt.files)
			u, _ := url.Parse(srv.URL + "/m.m3u8")
			m, err := testLoader(srv).Media(context.Background(), u)
			if tt.errIs == extractors.ErrDRM {
				if err != nil || !m.Formats[0].DRM {
					t.Fatalf("want a DRM-flagged format, got %+v, %v", m, err)
				}
				_, err = extractors.Select(m.Formats, "best")
			}
			var he *request.StatusError
			switch {
			case tt.errIs == nil && !(errors.As(err, &he) && he.StatusCode == 404):
				t.Errorf("err = %v, want the variant's 404", err)
			case tt.errIs != nil && !errors.Is(err, tt.errIs):
				t.Errorf("err = %v, want %v", err, tt.errIs)
			}
		})
	}
}

// TestFetchKeys: each key URI is fetched once, with the loader's headers;
// a key of the wrong length is refused.
func TestFetchKeys(t *testing.T) {
	srv, hits := playlistServer(t, map[string]string{"/k1": "0123456789abcdef", "/k2": "fedcba9876543210", "/short": "abc"})
	key := func(p string) *extractors.Key { return &extractors.Key{Method: "AES-128", URI: srv.URL + p} }
	streams := []extractors.Stream{
		{Init: &extractors.Segment{Key: key("/k1")}, Segments: []extractors.Segment{{Key: key("/k1")}, {Key: key("/k2")}, {}, {Key: key("/k1")}}},
		{Segments: []extractors.Segment{{Key: key("/k2")}}},
	}
	keys, err := testLoader(srv).FetchKeys(context.Background(), streams)
	if err != nil {
		t.Fatal(err)
	}
	if string(keys[srv.URL+"/k1"]) != "0123456789abcdef" || string(keys[srv.URL+"/k2"]) != "fedcba9876543210" || len(keys) != 2 {
		t.Errorf("keys = %q", keys)
	}
	for _, p := range []string{"/k1", "/k2"} {
		if n, _ := hits.Load(p); *(n.(*int)) != 1 {
			t.Errorf("%s fetched %d times, want once", p, *(n.(*int)))
		}
	}
	for p, want := range map[string]error{"/short": ErrBadKey, "/missing": nil} {
		_, err := testLoader(srv).FetchKeys(context.Background(), []extractors.Stream{{Segments: []extractors.Segment{{Key: key(p)}}}})
		var he *request.StatusError
		if want != nil && !errors.Is(err, want) || want == nil && !errors.As(err, &he) {
			t.Errorf("%s: err = %v", p, err)
		}
	}
}

// TestFetchKeysUseTheirStreamHeaders: the keys of each stream go out with
// that stream's headers (a site may sign audio and video differently);
// the loader's own headers are only the fallback.
func TestFetchKeysUseTheirStreamHeaders(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		want := map[string]string{"/vk": "video", "/ak": "audio"}[r.URL.Path]
		if want == "" || r.Header.Get("X-Stream") != want {
			http.Error(w, "wrong stream header", http.StatusForbidden)
			return
		}
		w.Write([]byte("0123456789abcdef"))
	}))
	defer srv.Close()
	key := func(p string) *extractors.Key { return &extractors.Key{Method: "AES-128", URI: srv.URL + p} }
	streams := []extractors.Stream{
		{Kind: extractors.KindVideo, Header: http.Header{"X-Stream": {"video"}}, Segments: []extractors.Segment{{Key: key("/vk")}}},
		{Kind: extractors.KindAudio, Header: http.Header{"X-Stream": {"audio"}}, Segments: []extractors.Segment{{Key: key("/ak")}}},
	}
	l := &Loader{HTTP: &request.Client{HTTP: srv.Client()}, Header: streams[0].Header}
	keys, err := l.FetchKeys(context.Background(), streams)
	if err != nil || len(keys) != 2 {
		t.Fatalf("keys %v, err %v", keys, err)
	}
}
