package hls

import (
	"bufio"
	"bytes"
	"strings"

	"github.com/grafov/m3u8"
)

// rawFacts are what grafov/m3u8 drops on the floor and vdl needs: whether
// each EXT-X-BYTERANGE named an offset (an absent one continues from the
// previous range of the same URI, which grafov cannot tell from "@0"),
// every key tag (grafov keeps only the last before a segment, hiding a DRM
// key listed beside an identity one), and whether a key applies to the
// EXT-X-MAP init section.
type rawFacts struct {
	hasHeader    bool   // the first line is #EXTM3U
	firstLine    string // for messages when it is not
	rangeOffset  []bool // per segment, in order: its BYTERANGE had "@offset"
	drm          []string
	mapEncrypted *m3u8.Key // the AES-128 key in force where EXT-X-MAP appeared
}

// scanRaw reads the playlist text line by line the way grafov does: a URI
// line is a segment only after an #EXTINF.
func scanRaw(data []byte) rawFacts {
	var f rawFacts
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var (
		first      = true
		sawInf     bool
		pendOffset bool
		curKey     *m3u8.Key
	)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if first {
			line = strings.TrimPrefix(line, "\uFEFF")
			if line == "" {
				continue
			}
			first = false
			f.hasHeader = line == "#EXTM3U"
			f.firstLine = line
		}
		switch {
		case line == "":
		case strings.HasPrefix(line, "#EXTINF:"):
			sawInf = true
		case strings.HasPrefix(line, "#EXT-X-BYTERANGE:"):
			pendOffset = strings.Contains(line, "@")
		case strings.HasPrefix(line, "#EXT-X-KEY:"), strings.HasPrefix(line, "#EXT-X-SESSION-KEY:"):
			_, attrs, _ := strings.Cut(line, ":")
			k := keyFromAttrs(m3u8.DecodeAttributeList(attrs))
			if scheme := drmScheme(k); scheme != "" {
				f.drm = append(f.drm, scheme)
			}
			if strings.HasPrefix(line, "#EXT-X-KEY:") {
				curKey = k
			}
		case strings.HasPrefix(line, "#EXT-X-MAP:"):
			if curKey != nil && strings.EqualFold(curKey.Method, "AES-128") {
				f.mapEncrypted = curKey
			}
		case !strings.HasPrefix(line, "#"):
			if sawInf {
				f.rangeOffset = append(f.rangeOffset, pendOffset)
			}
			sawInf, pendOffset = false, false
		}
	}
	return f
}

func keyFromAttrs(a map[string]string) *m3u8.Key {
	return &m3u8.Key{Method: a["METHOD"], URI: a["URI"], IV: a["IV"], Keyformat: a["KEYFORMAT"], Keyformatversions: a["KEYFORMATVERSIONS"]}
}

// drmScheme names the DRM a key tag stands for, or "" for clear and
// AES-128 (identity) content. Any method vdl cannot decrypt counts as DRM.
func drmScheme(k *m3u8.Key) string {
	method := strings.ToUpper(strings.TrimSpace(k.Method))
	switch {
	case method == "" || method == "NONE":
		return ""
	case k.Keyformat != "" && k.Keyformat != "identity":
		return method + ", " + keyFormatName(k.Keyformat)
	case method == "AES-128":
		return ""
	}
	return method
}

// keyFormatName turns well-known KEYFORMAT values into names people know.
func keyFormatName(kf string) string {
	switch strings.ToLower(kf) {
	case "com.apple.streamingkeydelivery":
		return "FairPlay (" + kf + ")"
	case "urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed":
		return "Widevine (" + kf + ")"
	case "com.microsoft.playready", "urn:uuid:9a04f079-9840-4286-ab92-e65be0885f95":
		return "PlayReady (" + kf + ")"
	}
	return "KEYFORMAT=" + kf
}
