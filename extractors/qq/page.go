package qq

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// pageInfo is what a v.qq.com page says beyond the API: the series, the
// episode list and the episode the page plays (vqq.md §4).
type pageInfo struct {
	ogTitle    string
	coverTitle string // coverInfo.title: the series name
	videoTitle string // videoInfo.title
	currentVid string
	episodes   []string // vids in page order
}

var (
	// The embedded state is a JS object literal (window.__PINIA__, formerly
	// __pinia, VIDEO_INFO/COVER_INFO on old pages). Keys may or may not be
	// quoted, so these read single fields rather than parse the object.
	currentVidRe = regexp.MustCompile(`currentVid["']?\s*:\s*["']([a-z0-9]{11})["']`)
	coverTitleRe = regexp.MustCompile(`coverInfo["']?\s*[:=]\s*\{[^{}]*?\btitle["']?\s*:\s*("(?:[^"\\]|\\.)*")`)
	videoTitleRe = regexp.MustCompile(`videoInfo["']?\s*[:=]\s*\{[^{}]*?\btitle["']?\s*:\s*("(?:[^"\\]|\\.)*")`)
	videoIDsRe   = regexp.MustCompile(`video_ids["']?\s*:\s*\[([^\]]*)\]`)
	anyVidRe     = regexp.MustCompile(`\bvid["']?\s*[=:]\s*["']?([a-z0-9]{11})\b`)
	quotedVidRe  = regexp.MustCompile(`["']([a-z0-9]{11})["']`)
	// Site suffixes of og:title (yt-dlp's clean-title rule).
	titleSuffixRe = regexp.MustCompile(`\s*[_-]\s*(?:Watch online|Watch HD Video Online|WeTV|腾讯视频|(?:高清)?1080P在线观看平台).*$`)
)

// readPage fetches and reads a page.
func (x *extractor) readPage(ctx context.Context, pageURL string) (*pageInfo, error) {
	body, err := x.c.page(ctx, pageURL)
	if err != nil {
		return nil, err
	}
	return parsePage(body)
}

// parsePage reads the og tags and the episode list of the HTML, and the
// embedded state of its scripts.
func parsePage(body []byte) (*pageInfo, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	p := &pageInfo{ogTitle: strings.TrimSpace(doc.Find(`meta[property="og:title"]`).AttrOr("content", ""))}
	seen := map[string]bool{}
	// The episode selector: one element per episode, in broadcast order;
	// an item marked as a trailer is not an episode (nor numbered).
	doc.Find(`[data-vid]`).Each(func(_ int, s *goquery.Selection) {
		vid, class := s.AttrOr("data-vid", ""), s.AttrOr("class", "")
		if vidRe.MatchString(vid) && strings.Contains(class, "episode-item") && !seen[vid] && !strings.Contains(class, "trailer") {
			seen[vid] = true
			p.episodes = append(p.episodes, vid)
		}
	})
	var state string
	doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		t := s.Text()
		if strings.Contains(t, "__PINIA__") || strings.Contains(t, "__pinia") || strings.Contains(t, "_piniaState") ||
			strings.Contains(t, "COVER_INFO") || strings.Contains(t, "VIDEO_INFO") {
			state += t + "\n"
		}
	})
	if m := currentVidRe.FindStringSubmatch(state); m != nil {
		p.currentVid = m[1]
	}
	p.coverTitle = jsString(coverTitleRe, state)
	p.videoTitle = jsString(videoTitleRe, state)
	if len(p.episodes) == 0 {
		if m := videoIDsRe.FindStringSubmatch(state); m != nil {
			for _, q := range quotedVidRe.FindAllStringSubmatch(m[1], -1) {
				if !seen[q[1]] {
					seen[q[1]] = true
					p.episodes = append(p.episodes, q[1])
				}
			}
		}
	}
	if p.currentVid == "" && len(p.episodes) == 0 {
		if m := anyVidRe.FindStringSubmatch(state); m != nil {
			p.currentVid = m[1]
		}
	}
	return p, nil
}

// jsString reads the first match's quoted JS string.
func jsString(re *regexp.Regexp, s string) string {
	m := re.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	if v, err := strconv.Unquote(m[1]); err == nil {
		return strings.TrimSpace(v)
	}
	return strings.TrimSpace(strings.Trim(m[1], `"`))
}

// firstVid is the episode a series page plays: the current one, else the
// first of the list.
func (p *pageInfo) firstVid() string {
	if p.currentVid != "" {
		return p.currentVid
	}
	if len(p.episodes) > 0 {
		return p.episodes[0]
	}
	return ""
}

// seriesTitle is the series name: the embedded cover title, else, on a
// page that lists episodes, og:title without the site's suffix. A lone
// video's page has no series.
func (p *pageInfo) seriesTitle() string {
	if p.coverTitle != "" || len(p.episodes) == 0 {
		return p.coverTitle
	}
	return cleanTitle(p.ogTitle)
}

// episodeNumber is the 1-based position of vid in the episode list, 0 if
// the page does not list it.
func (p *pageInfo) episodeNumber(vid string) int {
	for i, v := range p.episodes {
		if v == vid {
			return i + 1
		}
	}
	return 0
}

func cleanTitle(t string) string {
	return strings.TrimSpace(titleSuffixRe.ReplaceAllString(t, ""))
}
