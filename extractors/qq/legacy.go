package qq

import (
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/vdlproject/vdl/extractors"
)

// Flow 4 of docs/vqq.md §2A: legacy getinfo (platform 11) names the files of
// one quality; getkey gives each file its vkey. File names are never
// synthesised from quality ids alone (that is what breaks lux and
// you-get): they come from the reply's fn, with the clip index inserted
// the way the player does.
const (
	legacyAPI    = "https://vv.video.qq.com/getinfo"
	legacyKeyAPI = "https://vv.video.qq.com/getkey"
	legacyAppVer = "3.2.19.333"
)

// clipFile is one file of a quality: its name on the CDN and the format
// id getkey wants for it.
type clipFile struct {
	name   string
	format string
	size   int64
}

// clipFiles lists the files of the quality v describes: fn itself for a
// single file, else fn with each clip's index inserted before the
// extension (n0687peq62x.p201.mp4 -> n0687peq62x.p201.2.mp4). The format
// id is the middle token of the clip's keyid (<lnk>.<format>.<idx>).
func clipFiles(v *vinfo) ([]clipFile, error) {
	if v.fn == "" {
		return nil, fmt.Errorf("%w: qq: unexpected getinfo reply (field vl.vi.0.fn missing)", extractors.ErrAPIChanged)
	}
	if len(v.clips) == 0 {
		return []clipFile{{name: v.fn, format: keyIDFormat(v.singleKeyID, v.quality.id), size: v.size}}, nil
	}
	ext := path.Ext(v.fn)
	stem := strings.TrimSuffix(v.fn, ext)
	files := make([]clipFile, len(v.clips))
	for i, c := range v.clips {
		files[i] = clipFile{name: stem + "." + strconv.Itoa(c.idx) + ext, format: keyIDFormat(c.keyID, v.quality.id), size: c.size}
	}
	return files, nil
}

// keyIDFormat takes the format id out of "<lnk>.<format>[.<idx>]", or
// falls back to the quality's id.
func keyIDFormat(keyID string, fallback int64) string {
	parts := strings.Split(keyID, ".")
	if len(parts) >= 2 {
		if _, err := strconv.ParseInt(parts[1], 10, 64); err == nil {
			return parts[1]
		}
	}
	return strconv.FormatInt(fallback, 10)
}

// getinfoURL asks for one quality (defn) of vid on a platform.
func getinfoURL(vid, defn, platform string) string {
	q := url.Values{"otype": {"json"}, "platform": {platform}, "defnpayver": {"1"}, "appver": {legacyAppVer},
		"defn": {defn}, "vid": {vid}}
	return legacyAPI + "?" + q.Encode()
}

// getkeyURL asks for the vkey of one file.
func getkeyURL(vid, platform string, f clipFile) string {
	q := url.Values{"otype": {"json"}, "platform": {platform}, "appver": {legacyAppVer}, "format": {f.format},
		"vid": {vid}, "filename": {f.name}}
	return legacyKeyAPI + "?" + q.Encode()
}

// mediaURL is a file's address on a CDN prefix.
func mediaURL(prefix, file, vkey string) string {
	return prefix + file + "?vkey=" + url.QueryEscape(vkey)
}
