package generic

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/extractors/hls"
	"github.com/vdlproject/vdl/request"
)

func TestExtract(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/ranged/clip.MP4", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Range") != "bytes=0-0" {
			t.Errorf("probe sent Range %q", r.Header.Get("Range"))
		}
		w.Header().Set("Content-Range", "bytes 0-0/123456")
		w.WriteHeader(http.StatusPartialContent)
		w.Write([]byte{0})
	})
	mux.HandleFunc("/plain/download", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Disposition", `attachment; filename="Show S01E02.mp4"`)
		w.Header().Set("Content-Length", "4321")
		w.Write(make([]byte, 4321))
	})
	mux.HandleFunc("/typed/stream", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "video/mp2t")
		w.Write([]byte("x"))
	})
	mux.HandleFunc("/watch.php", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "video/mp4")
		w.Write([]byte("x"))
	})
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "video/mp4")
		w.Write([]byte("x"))
	})
	mux.HandleFunc("/page.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<html></html>"))
	})
	mux.HandleFunc("/index.m3u8", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("#EXTM3U\n"))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	ex := &extractor{env: extractors.Env{HTTP: &request.Client{HTTP: srv.Client()}}}

	tests := []struct {
		path      string
		name, ext string
		size      int64
		err       error
		status    int
	}{
		{path: "/ranged/clip.MP4", name: "clip.MP4", ext: "mp4", size: 123456},
		{path: "/plain/download", name: "Show S01E02.mp4", ext: "mp4", size: 4321},
		{path: "/typed/stream", name: "stream.ts", ext: "ts", size: 1},
		{path: "/watch.php?id=5", name: "watch.mp4", ext: "mp4", size: 1},
		{path: "/?id=5", name: "127.0.0.1.mp4", ext: "mp4", size: 1},
		{path: "/page.html", err: extractors.ErrUnsupported},
		{path: "/index.m3u8", err: hls.ErrBadPlaylist},
		{path: "/missing.mp4", status: 404},
	}
	for _, tt := range tests {
		u, _ := url.Parse(srv.URL + tt.path)
		res, err := ex.Extract(context.Background(), u)
		if tt.err != nil || tt.status != 0 {
			var he *request.StatusError
			if tt.err != nil && !errors.Is(err, tt.err) || tt.status != 0 && (!errors.As(err, &he) || he.StatusCode != tt.status) {
				t.Errorf("%s: error %v, want %v/%d", tt.path, err, tt.err, tt.status)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tt.path, err)
		}
		m := res.Media[0]
		f := m.Formats[0]
		if m.FileName != tt.name || f.Container != tt.ext || f.Size != tt.size || f.Streams[0].Segments[0].URL != u.String() {
			t.Errorf("%s: got name %q ext %q size %d", tt.path, m.FileName, f.Container, f.Size)
		}
	}
}

// TestPlaylistByContentType: a playlist URL without .m3u8 is recognised by
// its Content-Type and read as HLS.
func TestPlaylistByContentType(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-mpegURL")
		w.Write([]byte("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\na.ts\n#EXTINF:2,\nb.ts\n#EXT-X-ENDLIST\n"))
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL + "/vod/stream?token=1")
	res, err := (&extractor{env: extractors.Env{HTTP: &request.Client{HTTP: srv.Client()}}}).Extract(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	f := res.Media[0].Formats[0]
	segs := f.Streams[0].Segments
	if f.Container != "ts" || len(segs) != 2 || segs[1].URL != srv.URL+"/vod/b.ts" || res.Media[0].Duration != 6*time.Second {
		t.Errorf("format = %+v, duration %v", f, res.Media[0].Duration)
	}
}

func TestLookupFallsBackToGeneric(t *testing.T) {
	u, _ := url.Parse("https://cdn.example.org/a.mp4")
	s, ok := extractors.Lookup(u)
	if !ok || s.Name != "generic" {
		t.Fatalf("Lookup = %v, %v; want the generic site", s.Name, ok)
	}
}
