package mux

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// Kind is what a set of parts is, which decides how it is joined.
type Kind int

const (
	KindTS   Kind = iota + 1 // MPEG-TS segments -> .ts
	KindFMP4                 // an fMP4 init segment + media segments -> fragmented .mp4
	KindMP4                  // complete MP4 files (clips, or separate audio and video) -> .mp4
)

func (k Kind) String() string {
	switch k {
	case KindTS:
		return "MPEG-TS segments"
	case KindFMP4:
		return "fMP4 init + segments"
	case KindMP4:
		return "MP4 files"
	}
	return "unknown"
}

// Ext is the natural output extension.
func (k Kind) Ext() string {
	if k == KindTS {
		return ".ts"
	}
	return ".mp4"
}

// Detect sniffs the parts (clear, not encrypted ones).
func Detect(paths []string) (Kind, error) {
	if len(paths) == 0 {
		return 0, fmt.Errorf("mux: no inputs")
	}
	var kinds []string
	for _, p := range paths {
		k, err := sniff(p)
		if err != nil {
			return 0, err
		}
		kinds = append(kinds, k)
	}
	all := func(k string, from int) bool {
		for _, x := range kinds[from:] {
			if x != k {
				return false
			}
		}
		return true
	}
	switch {
	case all("ts", 0):
		return KindTS, nil
	case all("mp4", 0):
		return KindMP4, nil
	case kinds[0] == "init" && len(kinds) > 1 && all("fragment", 1):
		return KindFMP4, nil
	case kinds[0] == "init" && len(kinds) == 1:
		return 0, fmt.Errorf("%w: %s is an init segment with no media", ErrCorrupt, paths[0])
	}
	return 0, fmt.Errorf("%w: cannot join a mix of %s", ErrIncompatible, strings.Join(dedupe(kinds), ", "))
}

// sniff classifies one file: "ts", "mp4" (has moov and samples or is a
// complete fragmented file), "init" (moov, no media), "fragment".
func sniff(path string) (string, error) {
	f, err := openInput(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	head := make([]byte, tsPacket+1)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if head[0] == 0x47 && (n <= tsPacket || head[tsPacket] == 0x47) {
		return "ts", nil
	}
	st, err := f.Stat()
	if err != nil {
		return "", err
	}
	if n < 8 || !printable(string(head[4:8])) {
		return "", fmt.Errorf("%w: %s is neither MP4 nor MPEG-TS", ErrCorrupt, path)
	}
	top, err := children(f, 0, st.Size())
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	_, hasMoov := find(top, "moov")
	_, hasMoof := find(top, "moof")
	_, hasMdat := find(top, "mdat")
	switch {
	case hasMoov && (hasMdat || hasMoof):
		return "mp4", nil
	case hasMoov:
		return "init", nil
	case hasMoof:
		return "fragment", nil
	case hasMdat:
		return "", fmt.Errorf("%w: %s: no moov box (an incomplete download?)", ErrCorrupt, path)
	}
	return "", fmt.Errorf("%w: %s holds no media boxes", ErrCorrupt, path)
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

var mp4Exts = map[string]bool{".mp4": true, ".m4v": true, ".mov": true, ".m4a": true}

// MP4Name says a file name asks for an MP4 (.mp4, .m4v, .mov, .m4a): the
// name that makes a join of TS parts a remux.
func MP4Name(name string) bool { return mp4Exts[strings.ToLower(filepath.Ext(name))] }

func checkExt(k Kind, out string) error {
	ext := strings.ToLower(filepath.Ext(out))
	switch {
	case k != KindTS && (ext == ".ts" || ext == ".m2ts"):
		return fmt.Errorf("%w: MP4 inputs join into MP4, not %s (or use --ffmpeg)", ErrUnsupported, ext)
	}
	return nil
}
