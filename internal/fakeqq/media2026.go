package fakeqq

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The 2026 catalogue's media on the CDN. TS segments live at
// tsCanon+"<stem>.<idx>.ts" (requests reach them under a path token,
// /ts/<token>/svp_50112/..., which the CDN strips); MP4 files under
// cdnToken, signed by vkeys; pictures and subtitles are open.
const (
	tsCanon   = "/ts26/"
	tsSubPath = "/svp_50112/"
)

// segment26 is one TS segment of the hls-ts fixture.
type segment26 struct {
	file     string // seg000.ts
	duration string // EXTINF, as the fixture writes it
	data     []byte
}

// tsStem is the TS-mode file stem of a quality: fn is stem + ".ts".
func tsStem(vid string, q quality26) string { return fmt.Sprintf("%s.f%d", vid, q.tsID) }

// tsSegments is how many segments a quality has: a trial quality only
// its first.
func tsSegments(q quality26, all int) int {
	if q.trial {
		return 1
	}
	return all
}

// clipFile26 names file idx of an MP4 quality: "<vid>.p<id%10000>.mp4"
// for one file (clips 0), the index inserted before ".mp4" for clips.
func clipFile26(vid string, id, clips, idx int) string {
	if clips == 0 {
		return fmt.Sprintf("%s.p%d.mp4", vid, id%10000)
	}
	return fmt.Sprintf("%s.p%d.%d.mp4", vid, id%10000, idx)
}

// legacy26ID is the one quality the legacy getinfo offers for a 2026
// episode: hd (480P at most, lux#1071) as three clips.
const legacy26ID = 10212

// addMedia2026 puts the 2026 episodes' files into the CDN's table.
func (s *Site) addMedia2026(eps []*Ep26, files map[string][]byte) error {
	segs, err := s.readSegments("hls-ts")
	if err != nil {
		return err
	}
	s.segs26 = segs
	clips, one := []string{"mp4-clips/clip1.mp4", "mp4-clips/clip2.mp4", "mp4-clips/clip3.mp4"}, "source/source.mp4"
	read := func(name string) ([]byte, error) {
		p := filepath.Join(s.cfg.MediaDir, name)
		if b, ok := s.read[p]; ok {
			return b, nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("fakeqq: %w", err)
		}
		s.read[p] = b
		return b, nil
	}
	put := func(vid string, id, n int, names []string) error {
		for i, name := range names {
			b, err := read(name)
			if err != nil {
				return err
			}
			path := cdnToken + clipFile26(vid, id, n, i+1)
			files[path] = b
			s.files26[path] = i + 1
			if n == 0 {
				s.files26[path] = 0
			}
		}
		return nil
	}
	for _, e := range eps {
		for _, q := range qualities26() {
			stem := tsStem(e.Vid, q)
			n := tsSegments(q, len(segs))
			for i, sg := range segs[:n] {
				files[fmt.Sprintf("%s%s.%d.ts", tsCanon, stem, i+1)] = sg.data
			}
			files[tsCanon+stem+".ts.m3u8"] = []byte(playlist26(stem, segs[:n]))
			switch {
			case q.clips == 3:
				err = put(e.Vid, q.clipID, 3, clips)
			case q.trial:
				err = put(e.Vid, q.clipID, 1, clips[:1])
			default:
				err = put(e.Vid, q.clipID, 0, []string{one})
			}
			if err != nil {
				return err
			}
		}
		if err := put(e.Vid, legacy26ID, 3, clips); err != nil {
			return err
		}
		if e.Subtitles {
			for _, name := range subtitles26(e.Vid) {
				b, err := os.ReadFile(filepath.Join(s.cfg.PagesDir, "subs", name))
				if err != nil {
					return fmt.Errorf("fakeqq: %w", err)
				}
				files[cdnToken+"subs/"+name] = b
			}
		}
	}
	return nil
}

// subtitles26 are episode 1's subtitle files in PagesDir/subs: the HLS
// WebVTT playlist and its two segments, and an SRT.
func subtitles26(vid string) []string {
	return []string{vid + ".zh-cn.vtt.m3u8", vid + ".zh-cn.1.vtt", vid + ".zh-cn.2.vtt", vid + ".en.srt"}
}

// readSegments reads an HLS fixture's segments and EXTINF durations from
// its index.m3u8.
func (s *Site) readSegments(dir string) ([]segment26, error) {
	idx, err := os.ReadFile(filepath.Join(s.cfg.MediaDir, dir, "index.m3u8"))
	if err != nil {
		return nil, fmt.Errorf("fakeqq: %w", err)
	}
	var segs []segment26
	dur := ""
	sc := bufio.NewScanner(bytes.NewReader(idx))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "#EXTINF:"):
			dur, _, _ = strings.Cut(strings.TrimPrefix(line, "#EXTINF:"), ",")
		case line != "" && !strings.HasPrefix(line, "#"):
			b, err := os.ReadFile(filepath.Join(s.cfg.MediaDir, dir, line))
			if err != nil {
				return nil, fmt.Errorf("fakeqq: %w", err)
			}
			segs = append(segs, segment26{file: line, duration: dur, data: b})
		}
	}
	if len(segs) == 0 {
		return nil, fmt.Errorf("fakeqq: %s/index.m3u8 lists no segment", dir)
	}
	return segs, nil
}

// playlist26 is a TS quality's media playlist: segment lines relative to
// the prefix (the playlist's own folder), as ul.m3u8 and the link give it.
func playlist26(stem string, segs []segment26) string {
	var b strings.Builder
	target := 0
	for _, sg := range segs {
		d, _ := strconv.ParseFloat(sg.duration, 64)
		target = max(target, int(d+0.999))
	}
	fmt.Fprintf(&b, "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:%d\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n", target)
	for i, sg := range segs {
		fmt.Fprintf(&b, "#EXTINF:%s,\n%s.%d.ts?sdtfrom=v1010\n", sg.duration, stem, i+1)
	}
	b.WriteString("#EXT-X-ENDLIST\n")
	return b.String()
}

// SegmentPath is the CDN file-table path of TS segment idx (1-based) of a
// 2026 episode's quality, whatever token the request carried: for tests
// that count what was sent (CDN().SentFor, CDN().RequestsFor).
func (s *Site) SegmentPath(vid, quality string, idx int) string {
	return fmt.Sprintf("%s%s.%d.ts", tsCanon, tsStem(vid, quality26ByName(quality)), idx)
}
