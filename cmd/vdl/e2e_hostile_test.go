package main

import (
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	ms "github.com/vdlproject/vdl/internal/mediaserver"
)

// hostile starts a server answering every request with h.
func hostile(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

// noFiles fails the test if dir holds anything but the work folders of
// unfinished downloads (kept for a rerun).
func noFiles(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".vdl") {
			t.Errorf("%s was written although the download failed", e.Name())
		}
	}
}

// TestHostileServersNeverPublishWrongBytes: servers that lie about
// ranges, encodings and lengths make vdl fail with the documented code
// (or get the right bytes), never save a wrong file under the name.
func TestHostileServersNeverPublishWrongBytes(t *testing.T) {
	body := []byte(strings.Repeat("0123456789", 10_000))
	tests := []struct {
		name string
		h    http.HandlerFunc
		code int
	}{
		{"ignores Range, sends 1000 bytes and closes", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(200)
			w.Write(body[:1000])
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		}, exitNetwork},
		{"short body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "1000")
			w.WriteHeader(200)
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		}, exitNetwork},
		{"206 with gzip framing", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Content-Range", fmt.Sprintf("bytes 0-%d/%d", len(body)-1, len(body)))
			w.WriteHeader(206)
			gz := gzip.NewWriter(w)
			gz.Write(body)
			gz.Close()
		}, exitNetwork},
		{"200 with gzip framing", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			w.WriteHeader(200)
			gz := gzip.NewWriter(w)
			gz.Write(body)
			gz.Close()
		}, exitNetwork},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := hostile(t, tt.h)
			dir := t.TempDir()
			r := runVDL(t, nil, "-q", "--retries", "2", "-d", dir, s.URL+"/video.mp4")
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d: %s", r.code, tt.code, r.stderr)
			}
			oneErrorLine(t, r.stderr, "")
			noFiles(t, dir)
		})
	}
}

// TestForgedStateIsNotPublished: a resume state with the right key that
// calls 1000 bytes complete, or names an absurd size, does not decide
// the file: the server's size does.
func TestForgedStateIsNotPublished(t *testing.T) {
	data := ms.RandomBytes(4096)
	for name, size := range map[string]string{"smaller size": "1000", "huge size": "4611686018427387894"} {
		t.Run(name, func(t *testing.T) {
			s := ms.Start(data, ms.Options{})
			defer s.Close()
			dir := t.TempDir()
			work := filepath.Join(dir, "file.bin.vdl")
			os.Mkdir(work, 0o755)
			os.WriteFile(filepath.Join(work, "data"), make([]byte, 1000), 0o644)
			state := fmt.Sprintf(`{"version":1,"key":"generic:%s:direct","parts":[{"index":0,"size":%s,"etag":"\"v1\"","done":[{"start":0,"end":1000}]}]}`, s.FileURL(), size)
			os.WriteFile(filepath.Join(work, "state.json"), []byte(state), 0o644)
			r := runVDL(t, nil, "-q", "-d", dir, s.FileURL())
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if sha(t, filepath.Join(dir, "file.bin")) != sha256Of(data) {
				t.Error("the forged state's bytes were published")
			}
		})
	}
}

// TestJunkMediaIsNotSaved: a playlist whose only segment is junk with TS
// sync bytes, and vdl join of parts that only look like media, exit 6
// with nothing at the output.
func TestJunkMediaIsNotSaved(t *testing.T) {
	junk := ms.RandomBytes(22 * 188)
	for i := 0; i < len(junk); i += 188 {
		junk[i], junk[i+1] = 0x47, junk[i+1]&^0x80
	}
	s := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, ".m3u8") {
			fmt.Fprint(w, "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\nseg.ts\n#EXT-X-ENDLIST\n")
			return
		}
		w.Write(junk)
	})
	dir := t.TempDir()
	r := runVDL(t, nil, "-q", "-d", dir, "-o", "out.ts", s.URL+"/index.m3u8")
	if r.code != exitJoin {
		t.Fatalf("HLS of junk: exit %d, want %d: %s", r.code, exitJoin, r.stderr)
	}
	oneErrorLine(t, r.stderr, "corrupt")
	noFiles(t, dir)

	part := filepath.Join(dir, "junk.ts")
	os.WriteFile(part, junk, 0o644)
	out := filepath.Join(dir, "joined.ts")
	r = runVDL(t, nil, "join", "-o", out, part)
	if r.code != exitJoin || fileExists(out) {
		t.Fatalf("join of junk: exit %d (want %d), output left: %v: %s", r.code, exitJoin, fileExists(out), r.stderr)
	}
	oneErrorLine(t, r.stderr, "corrupt")
}

// TestServerTextNeverReachesTheTerminalRaw: control characters from a
// server (a status text, a playlist's key METHOD, a title) are shown
// escaped in errors, warnings and -F, never as raw terminal controls.
func TestServerTextNeverReachesTheTerminalRaw(t *testing.T) {
	const esc = "\x1b[2J\x1b]0;pwned\x07"
	rawStatus := startRawHTTP(t, "HTTP/1.1 404 Not"+esc+"Found\r\nContent-Length: 0\r\n\r\n")
	playlists := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.Contains(r.URL.Path, "drm"):
			fmt.Fprint(w, "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-KEY:METHOD=SAMPLE-AES"+esc+",URI=\"k\",KEYFORMAT=\"x"+esc+"\"\n#EXTINF:4,\nseg.ts\n#EXT-X-ENDLIST\n")
		default:
			fmt.Fprint(w, "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\nseg.ts\n#EXT-X-ENDLIST\n")
		}
	})
	tests := []struct {
		name string
		args []string
	}{
		{"status text", []string{rawStatus + "/file.bin"}},
		{"DRM method", []string{playlists.URL + "/drm.m3u8"}},
		{"title in -F", []string{"-F", playlists.URL + "/%1B%5B2J%1B%5D0%3Bpwned%07.m3u8"}},
		{"title in --json", []string{"--json", playlists.URL + "/%1B%5B2J.m3u8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runVDL(t, nil, append([]string{"-d", t.TempDir()}, tt.args...)...)
			for name, out := range map[string]string{"stdout": r.stdout, "stderr": r.stderr} {
				if i := strings.IndexFunc(out, func(c rune) bool { return c < 0x20 && c != '\n' || c == 0x7f }); i >= 0 {
					t.Errorf("%s carries a raw control character %q: %q", name, out[i], out)
				}
			}
			if r.stdout+r.stderr == "" {
				t.Error("nothing printed")
			}
		})
	}
}

// startRawHTTP answers every connection with reply, byte for byte (for
// replies net/http would not write), and returns its base URL.
func startRawHTTP(t *testing.T, reply string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 4096)
				c.Read(buf) // the request; its content does not matter
				io.WriteString(c, reply)
			}()
		}
	}()
	return "http://" + l.Addr().String()
}

// TestHugePlaylistIsRefused: a playlist of a million segments (13 MB)
// is refused with one line and exit 4 (its parse would cost memory in
// proportion; hls's TestHugePlaylistCostsNoParse bounds that).
func TestHugePlaylistIsRefused(t *testing.T) {
	var b strings.Builder
	b.WriteString("#EXTM3U\n#EXT-X-TARGETDURATION:1\n")
	for range 1_000_000 {
		b.WriteString("#EXTINF:1,\ns\n")
	}
	b.WriteString("#EXT-X-ENDLIST\n")
	huge := b.String()
	s := hostile(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, huge) })
	for _, args := range [][]string{{"-F"}, {"-d", t.TempDir()}} {
		r := runVDL(t, nil, append(args, s.URL+"/huge.m3u8")...)
		if r.code != exitRefused {
			t.Fatalf("%v: exit %d, want %d: %s", args, r.code, exitRefused, r.stderr)
		}
		oneErrorLine(t, r.stderr, "at most 100000")
	}
}
