package main

import (
	"encoding/binary"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/vdlproject/vdl/internal/mediaserver"
	"github.com/vdlproject/vdl/internal/testtools"
)

// hlsSite serves every HLS case of these tests from one server.
func hlsSite(t *testing.T) *mediaserver.Site {
	t.Helper()
	files := map[string][]byte{}
	fixtureFiles(t, "hls-ts", "/plain/", files)
	fixtureFiles(t, "hls-aes128", "/aes/", files)
	fixtureFiles(t, "hls-aes128-seqiv", "/seqiv/", files)
	fixtureFiles(t, "hls-fmp4", "/fmp4/", files)
	keyRotationSite(t, files)
	byteRangeSite(t, files)
	separateAVSite(t, files)
	splitTSSite(t, files)
	masterSite(files)
	subtitlesSite(files)
	s := mediaserver.StartSite(files, mediaserver.SiteOptions{})
	t.Cleanup(s.Close)
	return s
}

// TestHLSDownloads runs the binary on each kind of playlist and checks
// the joined file: TS outputs byte for byte against the clear segments
// (a wrong IV only damages 16 bytes and decodes silently), MP4 outputs by
// packets and duration.
func TestHLSDownloads(t *testing.T) {
	s := hlsSite(t)
	_, plain := plainTS(t)
	keepTS := []string{"--remux", "ts"}
	tests := []struct {
		name, path string
		args       []string
		out        string // expected output name
		sameAsTS   bool   // byte-identical to the clear TS segments
		video      int    // else: packet counts and duration (needs ffprobe)
		audio      int
		duration   float64  // default 15.02
		keys       []string // key paths that must be fetched exactly once
		fragmented bool     // an MP4 output keeps moof boxes (--remux fmp4)
	}{
		{name: "ts --remux ts", path: "/plain/index.m3u8", args: keepTS, out: "plain.ts", sameAsTS: true},
		{name: "aes-128 explicit IV", path: "/aes/index.m3u8", args: keepTS, out: "aes.ts", sameAsTS: true, keys: []string{"/aes/key.bin"}},
		{name: "aes-128 sequence IV", path: "/seqiv/index.m3u8", args: keepTS, out: "seqiv.ts", sameAsTS: true, keys: []string{"/seqiv/key.bin"}},
		{name: "key rotation", path: "/rot/index.m3u8", args: keepTS, out: "rot.ts", sameAsTS: true, keys: []string{"/rot/a.key", "/rot/b.key"}},
		{name: "byte ranges", path: "/br/index.m3u8", args: keepTS, out: "br.ts", sameAsTS: true},
		{name: "ts remuxed to MP4 by default", path: "/plain/index.m3u8", out: "plain.mp4", video: 375, audio: 705, duration: 15.04},
		{name: "aes-128 remuxed", path: "/aes/index.m3u8", out: "aes.mp4", video: 375, audio: 705, duration: 15.04, keys: []string{"/aes/key.bin"}},
		{name: "a plain .ts URL with -o x.mp4 is remuxed", path: "/plain/seg000.ts", args: []string{"-o", "seg.mp4"}, out: "seg.mp4", video: 100, audio: 185, duration: 4.04},
		{name: "TS in a codec MP4 output cannot carry stays TS", path: "/ac3/master.m3u8", out: "ac3.ts", sameAsTS: true},
		{name: "-o x.ts keeps TS", path: "/seqiv/index.m3u8", args: []string{"-o", "x.ts"}, out: "x.ts", sameAsTS: true, keys: []string{"/seqiv/key.bin"}},
		{name: "fmp4", path: "/fmp4/index.m3u8", out: "fmp4.mp4", video: 375, audio: 705},
		{name: "fmp4 --remux fmp4", path: "/fmp4/index.m3u8", args: []string{"--remux", "fmp4"}, out: "fmp4.mp4", video: 375, audio: 705, fragmented: true},
		{name: "master best is the fmp4 variant", path: "/master.m3u8", out: "127.0.0.1.mp4", video: 375, audio: 705},
		{name: "master -f 180p", path: "/master.m3u8", args: []string{"-f", "180p"}, out: "127.0.0.1.mp4", video: 375, audio: 705, duration: 15.04},
		{name: "master -f by id with fallback", path: "/master.m3u8", args: []string{"-f", "hls-999/hls-200", "--remux", "ts"}, out: "127.0.0.1.ts", sameAsTS: true},
		{name: "separate audio rendition, fMP4", path: "/av/master.m3u8", out: "av.mp4", video: 375, audio: 705},
		{name: "separate audio rendition, TS", path: "/split/master.m3u8", out: "split.mp4", video: 375, audio: 705, duration: 15.08},
		{name: "separate audio rendition, TS --remux ts", path: "/split/master.m3u8", args: keepTS, out: "split.ts", video: 375, audio: 705, duration: 15.08},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			before := map[string]int{}
			for _, k := range tt.keys {
				before[k] = s.RequestsFor(k)
			}
			r := runVDL(t, nil, append([]string{"-q", "-d", dir, s.URL(tt.path)}, tt.args...)...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			out := filepath.Join(dir, tt.out)
			if tt.sameAsTS {
				if sha(t, out) != sha256Of(plain) {
					t.Fatalf("%s differs from the clear segments", tt.out)
				}
			} else {
				p := testtools.Packets(t, out)
				if p["video"] != tt.video || p["audio"] != tt.audio {
					t.Errorf("packets %v, want %d video + %d audio", p, tt.video, tt.audio)
				}
				want := tt.duration
				if want == 0 {
					want = 15.02
				}
				if d := testtools.Duration(t, out); math.Abs(d-want) > 0.05 {
					t.Errorf("duration %.3f s, want %.2f +- 0.05", d, want)
				}
				if boxes := topBoxes(t, out); strings.HasSuffix(out, ".mp4") && (strings.Contains(boxes, "moof") != tt.fragmented || !strings.HasPrefix(boxes, "ftyp moov")) {
					t.Errorf("top-level boxes %q: want a regular MP4 (moov first, no moof) unless --remux fmp4", boxes)
				}
				if tags := testtools.FormatTags(t, out); strings.HasSuffix(out, ".mp4") && (tags["title"] == "" || !strings.HasPrefix(tags["comment"], "http://")) {
					t.Errorf("tags %v: want the title and the source URL (fragmented and remuxed outputs too)", tags)
				}
			}
			for _, k := range tt.keys {
				if n := s.RequestsFor(k) - before[k]; n != 1 {
					t.Errorf("key %s fetched %d times, want once", k, n)
				}
			}
			if left, _ := os.ReadDir(dir); len(left) != 1 {
				t.Errorf("output dir holds %d entries, want only the output (work dir removed)", len(left))
			}
		})
	}
}

// TestHLSListFormats: -F prints the variants with their resolutions,
// codecs and size estimates, best first, and downloads nothing.
func TestHLSListFormats(t *testing.T) {
	s := hlsSite(t)
	r := runVDL(t, nil, "-F", s.URL("/master.m3u8"))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 4 {
		t.Fatalf("want a title, a header and 2 formats:\n%s", r.stdout)
	}
	for i, want := range [][]string{{"hls-300", "480x270", "25", "300k", "avc1.4d4015,mp4a.40.2", "~549.3 KiB", "mp4", "5"},
		{"hls-200", "320x180", "200k", "avc1.4d400d,mp4a.40.2", "~366.2 KiB", "ts", "4"}} {
		for _, w := range want {
			if !strings.Contains(lines[2+i], w) {
				t.Errorf("format line %q lacks %q", lines[2+i], w)
			}
		}
	}
	if s.RequestsFor("/plain/seg000.ts") != 0 {
		t.Error("-F downloaded a segment")
	}
}

// TestHLSRefusals: each bad input gives one error line, the documented
// exit code, and no output file.
func TestHLSRefusals(t *testing.T) {
	files := map[string][]byte{
		"/drm.m3u8":     []byte("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"skd://key\",KEYFORMAT=\"com.apple.streamingkeydelivery\"\n#EXTINF:4,\na.ts\n#EXT-X-ENDLIST\n"),
		"/live.m3u8":    []byte("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:100\n#EXTINF:4,\na.ts\n"),
		"/html.m3u8":    []byte("<!DOCTYPE html>\n<html><body>Please sign in</body></html>\n"),
		"/empty.m3u8":   {},
		"/gone.m3u8":    []byte("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\nok.ts\n#EXTINF:4,\nmissing.ts\n#EXT-X-ENDLIST\n"),
		"/nokey.m3u8":   []byte("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-KEY:METHOD=AES-128,URI=\"nokey.bin\"\n#EXTINF:4,\nkeyless.ts\n#EXT-X-ENDLIST\n"),
		"/keyless.ts":   []byte(strings.Repeat("\x47", 188*4)), // the key is fetched beside the segments
		"/ts.m3u8":      []byte("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\nuntouched.ts\n#EXT-X-ENDLIST\n"),
		"/ac3.m3u8":     []byte("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000,CODECS=\"avc1.4d400d,ac-3\"\nts.m3u8\n"),
		"/fmp4.m3u8":    []byte("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MAP:URI=\"untouched.ts\"\n#EXTINF:4,\nuntouched.ts\n#EXT-X-ENDLIST\n"),
		"/ok.ts":        []byte(strings.Repeat("\x47", 188*4)),
		"/untouched.ts": []byte(strings.Repeat("\x47", 188*4)),
	}
	s := mediaserver.StartSite(files, mediaserver.SiteOptions{})
	defer s.Close()
	tests := []struct {
		path string
		args []string
		code int
		msg  string
	}{
		{"/drm.m3u8", nil, exitRefused, "SAMPLE-AES, FairPlay"},
		{"/live.m3u8", nil, exitRefused, "live stream"},
		{"/html.m3u8", nil, exitFailure, "web page"},
		{"/empty.m3u8", nil, exitFailure, "empty"},
		{"/gone.m3u8", []string{"--retries", "1"}, exitNetwork, "404"},
		{"/nokey.m3u8", nil, exitNetwork, "fetch key"},
		{"/missing.m3u8", nil, exitNetwork, "404"},
		{"/ts.m3u8", []string{"--remux", "ts", "-o", "x.mp4"}, exitUsage, "name it .ts"},
		{"/ac3.m3u8", []string{"-o", "x.mp4"}, exitUsage, "cannot remux"},
		{"/fmp4.m3u8", []string{"-o", "x.ts"}, exitUsage, "use -o NAME.mp4"},
	}
	for _, tt := range tests {
		t.Run(strings.Trim(tt.path, "/")+strings.Join(tt.args, ""), func(t *testing.T) {
			dir := t.TempDir()
			r := runVDL(t, nil, append([]string{"-d", dir, s.URL(tt.path)}, tt.args...)...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", r.code, tt.code, r.stderr)
			}
			oneErrorLine(t, r.stderr, tt.msg)
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if !strings.HasSuffix(e.Name(), ".vdl") {
					t.Errorf("a refused download left %s", e.Name())
				}
			}
		})
	}
	// A key that cannot be had while a long segment is still coming: the
	// key's error ends the transfer, one line, nothing left but the work
	// folder.
	slow := mediaserver.StartSite(map[string][]byte{
		"/nokey.m3u8": files["/nokey.m3u8"], "/keyless.ts": []byte(strings.Repeat("\x47", 188*5000)),
	}, mediaserver.SiteOptions{Throttle: 256 << 10})
	defer slow.Close()
	dir := t.TempDir()
	r := runVDL(t, nil, "-d", dir, slow.URL("/nokey.m3u8"))
	if r.code != exitNetwork {
		t.Errorf("slow segment, missing key: exit %d, want %d (stderr %q)", r.code, exitNetwork, r.stderr)
	}
	oneErrorLine(t, r.stderr, "fetch key")
	if n := s.RequestsFor("/untouched.ts"); n != 0 {
		// An -o the join cannot write is refused before any segment is
		// fetched.
		t.Errorf("/untouched.ts requested %d times, want 0", n)
	}
}

// TestHLSThroughNginx serves the fixtures and a master playlist from a
// real nginx (throttled per connection under /slow/) and downloads the
// AES-128 TS variant and the fMP4 variant through it.
func TestHLSThroughNginx(t *testing.T) {
	root := t.TempDir()
	files := map[string][]byte{}
	fixtureFiles(t, "hls-aes128", "/aes/", files)
	fixtureFiles(t, "hls-fmp4", "/fmp4/", files)
	files["/show/master.m3u8"] = []byte("#EXTM3U\n" +
		"#EXT-X-STREAM-INF:BANDWIDTH=200000,RESOLUTION=320x180,CODECS=\"avc1.4d400d,mp4a.40.2\"\n../aes/index.m3u8\n" +
		"#EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=480x270,CODECS=\"avc1.4d4015,mp4a.40.2\"\n../fmp4/index.m3u8\n")
	for p, b := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	base := startNginx(t, root, "128k")
	_, plain := plainTS(t)
	dir := t.TempDir()

	r := runVDL(t, nil, "-q", "-n", "4", "-d", dir, "-f", "180p", "--remux", "ts", base+"/slow/show/master.m3u8")
	if r.code != 0 {
		t.Fatalf("TS variant: exit %d: %s", r.code, r.stderr)
	}
	if sha(t, filepath.Join(dir, "show.ts")) != sha256Of(plain) {
		t.Error("the decrypted TS variant differs from the clear segments")
	}
	r = runVDL(t, nil, "-q", "-n", "4", "-d", dir, base+"/slow/show/master.m3u8")
	if r.code != 0 {
		t.Fatalf("fMP4 variant: exit %d: %s", r.code, r.stderr)
	}
	out := filepath.Join(dir, "show.mp4")
	if p := testtools.Packets(t, out); p["video"] != 375 || p["audio"] != 705 {
		t.Errorf("fMP4 variant packets %v, want 375 video + 705 audio", p)
	}
	if errs := testtools.DecodeErrors(t, out); errs != "" {
		t.Errorf("decoding the fMP4 variant: %s", errs)
	}
}

// TestHLSThroughProxyWithIdentity: the playlist, the key and every
// segment go through the proxy (tinyproxy's Via header) with the user's
// headers; a request without them is refused and counted.
func TestHLSThroughProxyWithIdentity(t *testing.T) {
	files := map[string][]byte{}
	fixtureFiles(t, "hls-aes128", "/aes/", files)
	var refused atomic.Int64
	s := mediaserver.StartSite(files, mediaserver.SiteOptions{Check: func(r *http.Request) int {
		if r.Header.Get("Via") == "" || r.Header.Get("X-Token") != "abc" || r.UserAgent() != "TestAgent/2.0" {
			refused.Add(1)
			return http.StatusForbidden
		}
		return 0
	}})
	defer s.Close()
	port, _ := startTinyproxy(t)
	dir := t.TempDir()
	r := runVDL(t, nil, "-q", "--remux", "ts", "--proxy", fmt.Sprintf("http://127.0.0.1:%d", port), "-H", "X-Token: abc",
		"--user-agent", "TestAgent/2.0", "-d", dir, s.URL("/aes/index.m3u8"))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	_, plain := plainTS(t)
	if sha(t, filepath.Join(dir, "aes.ts")) != sha256Of(plain) {
		t.Error("output differs from the clear segments")
	}
	if refused.Load() != 0 || s.RequestsFor("/aes/key.bin") != 1 {
		t.Errorf("%d requests lacked the proxy or the headers; key fetched %d times (want 0 and 1)", refused.Load(), s.RequestsFor("/aes/key.bin"))
	}
}

// topBoxes lists a file's top-level MP4 boxes, "ftyp moov mdat".
func topBoxes(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for off := 0; off+8 <= len(data); {
		size := int(binary.BigEndian.Uint32(data[off:]))
		names = append(names, string(data[off+4:off+8]))
		if size == 1 && off+16 <= len(data) {
			size = int(binary.BigEndian.Uint64(data[off+8:]))
		}
		if size < 8 {
			break
		}
		off += size
	}
	return strings.Join(names, " ")
}

// TestHLSSubtitles: the master's WebVTT renditions are listed and saved
// as one sidecar per language, the segments' cues merged on one timeline
// (the repeated boundary cue once); --embed-subs writes them as tracks.
func TestHLSSubtitles(t *testing.T) {
	s := hlsSite(t)
	r := runVDL(t, nil, "-F", s.URL("/subs/master.m3u8"))
	if r.code != 0 || !strings.Contains(r.stdout, "subtitles: en (vtt), fr (vtt)") {
		t.Fatalf("-F: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	dir := t.TempDir()
	if r := runVDL(t, nil, "-q", "-d", dir, "-o", "v.mp4", "--write-subs", s.URL("/subs/master.m3u8")); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	en, _ := os.ReadFile(filepath.Join(dir, "v.en.vtt"))
	want := "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nHello\n\n00:00:07.000 --> 00:00:09.000\nacross\n\n00:00:10.500 --> 00:00:12.000\nBye\n"
	if string(en) != want {
		t.Errorf("v.en.vtt:\n%s\nwant:\n%s", en, want)
	}
	if fr, _ := os.ReadFile(filepath.Join(dir, "v.fr.vtt")); !strings.Contains(string(fr), "Bonjour") {
		t.Errorf("v.fr.vtt: %q", fr)
	}
	testtools.Require(t, "ffprobe")
	out := filepath.Join(dir, "embedded.mp4")
	if r := runVDL(t, nil, "-q", "-d", dir, "-o", "embedded.mp4", "--embed-subs", s.URL("/subs/master.m3u8")); r.code != 0 {
		t.Fatalf("--embed-subs: exit %d: %s", r.code, r.stderr)
	}
	var langs []string
	for _, st := range testtools.Streams(t, out) {
		if st["codec_name"] == "mov_text" {
			langs = append(langs, st["TAG:language"])
		}
	}
	if strings.Join(langs, ",") != "eng,fra" {
		t.Errorf("embedded subtitle tracks %v", langs)
	}
}
