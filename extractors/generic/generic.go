// Package generic handles URLs no site claims: a direct media file or an
// HLS playlist.
package generic

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/extractors/hls"
	"github.com/vdlproject/vdl/request"
)

func init() {
	extractors.Register(extractors.Site{Name: "generic", New: func(env extractors.Env) extractors.Extractor {
		return &extractor{env: env}
	}})
}

type extractor struct{ env extractors.Env }

var _ extractors.Extractor = (*extractor)(nil)

// Extract probes u with a one-byte ranged GET: one round trip tells the
// size, the suggested name and whether it is media at all.
func (e *extractor) Extract(ctx context.Context, u *url.URL) (*extractors.Result, error) {
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%w: scheme %q (want http or https)", extractors.ErrUnsupported, u.Scheme)
	}
	if strings.EqualFold(path.Ext(u.Path), ".m3u8") {
		return e.hls(ctx, u) // no need to probe: one GET reads the playlist
	}
	resp, err := e.env.HTTP.Open(ctx, request.Spec{
		URL:    u.String(),
		Header: http.Header{"Range": {"bytes=0-0"}, "Accept-Encoding": {"identity"}},
		Accept: func(status int) bool {
			return status == http.StatusOK || status == http.StatusPartialContent || status == http.StatusRequestedRangeNotSatisfiable
		},
	})
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		// The byte (or error page) of a ranged answer is read, so that the
		// connection stays open for the download; a whole file is not.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	}
	resp.Body.Close()
	size, rangesOK := int64(-1), false
	switch resp.StatusCode {
	case http.StatusPartialContent:
		size = totalFromContentRange(resp.Header.Get("Content-Range"))
		rangesOK = size > 0 && resp.Header.Get("Content-Range") == fmt.Sprintf("bytes 0-0/%d", size)
	case http.StatusOK:
		size = resp.ContentLength
	case http.StatusRequestedRangeNotSatisfiable:
		size = 0 // an empty file has no byte 0
	}
	ctype, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	name, named := fileName(resp, u)
	switch {
	case isPlaylist(ctype, name):
		return e.hls(ctx, u)
	case ctype == "text/html" || ctype == "application/xhtml+xml":
		return nil, fmt.Errorf("%w: %s is a web page, and no site extractor knows it", extractors.ErrUnsupported, request.RedactURL(u))
	}
	base, ext := name, ""
	if named {
		base, ext = splitExt(name)
	}
	if t := extFromType(ctype); t != "" && (ext == "" || scriptExt[ext]) {
		// "/watch.php?id=5" or "/?id=5" serving video/mp4 is a .mp4.
		ext, name = t, base+"."+t
	}
	m := &extractors.Media{
		Site: "generic", ID: request.RedactURL(u), Title: base, PageURL: request.RedactURL(u), FileName: name,
		Formats: []extractors.Format{{
			ID: "direct", Label: "original file", Container: ext, Size: size, Plain: true,
			Streams: []extractors.Stream{{Kind: extractors.KindMuxed, Segments: []extractors.Segment{{URL: u.String(), Size: size, RangesOK: rangesOK}}}},
		}},
	}
	return &extractors.Result{Media: []*extractors.Media{m}}, nil
}

// KnownIDs: a plain URL's item is named by the URL itself, as a file
// ("generic") or, when it turns out to be a playlist, as "hls".
func (e *extractor) KnownIDs(u *url.URL) []extractors.ArchiveKey {
	id := request.RedactURL(u)
	return []extractors.ArchiveKey{{Site: "generic", ID: id}, {Site: "hls", ID: id}}
}

var _ extractors.KnownIDs = (*extractor)(nil)

// hls reads an HLS playlist URL: its variants become the formats.
func (e *extractor) hls(ctx context.Context, u *url.URL) (*extractors.Result, error) {
	m, err := (&hls.Loader{HTTP: e.env.HTTP, Log: e.env.Log}).Media(ctx, u)
	if err != nil {
		return nil, err
	}
	return &extractors.Result{Media: []*extractors.Media{m}}, nil
}

// fileName prefers Content-Disposition, then the last path element;
// named is false when neither gives one and the host stands in (its
// dots are not an extension).
func fileName(resp *http.Response, u *url.URL) (name string, named bool) {
	if _, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err == nil {
		if n := params["filename"]; n != "" {
			return n, true
		}
	}
	if n := path.Base(u.Path); n != "" && n != "/" && n != "." {
		return n, true
	}
	return u.Hostname(), false
}

// scriptExt are extensions of pages that serve a file, not of the file.
var scriptExt = map[string]bool{"php": true, "asp": true, "aspx": true, "jsp": true, "cgi": true, "do": true, "action": true, "html": true, "htm": true}

func splitExt(name string) (base, ext string) {
	e := path.Ext(name)
	if e == "" || len(e) > 6 || strings.ContainsAny(e, " /\\") {
		return name, ""
	}
	return strings.TrimSuffix(name, e), strings.ToLower(e[1:])
}

func extFromType(ctype string) string {
	switch ctype {
	case "video/mp4":
		return "mp4"
	case "video/mp2t":
		return "ts"
	case "video/webm":
		return "webm"
	case "audio/mpeg":
		return "mp3"
	case "audio/mp4":
		return "m4a"
	case "audio/aac":
		return "aac"
	case "video/quicktime":
		return "mov"
	case "video/x-matroska":
		return "mkv"
	case "video/x-flv":
		return "flv"
	}
	return ""
}

func isPlaylist(ctype, name string) bool {
	switch ctype {
	case "application/vnd.apple.mpegurl", "application/x-mpegurl", "audio/mpegurl", "audio/x-mpegurl":
		return true
	}
	return strings.EqualFold(path.Ext(name), ".m3u8")
}

// totalFromContentRange reads the total of "bytes a-b/total"; -1 if absent.
func totalFromContentRange(v string) int64 {
	_, total, ok := strings.Cut(v, "/")
	if !ok {
		return -1
	}
	n, err := strconv.ParseInt(total, 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}
