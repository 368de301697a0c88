package extractors

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// seasonForms are the ways a title names its season, each at the end of
// the title: 第二季 / 第2季, "Season 2", "S2", "2nd Season". The number is
// group 1.
var seasonForms = []*regexp.Regexp{
	regexp.MustCompile(`第\s*([0-9零〇一二两兩三四五六七八九十百]+)\s*季$`),
	regexp.MustCompile(`(?i)\bseason\s*([0-9]{1,3})$`),
	regexp.MustCompile(`(?i)\bs([0-9]{1,3})$`),
	regexp.MustCompile(`(?i)\b([0-9]{1,3})(?:st|nd|rd|th)\s+season$`),
}

// SplitSeason separates a season from a series title: "青春里的风 第二季"
// is the show "青春里的风", season 2, so that both seasons land in one show
// folder. A title that names no season is returned as it is, with season
// 0 (unknown; a library takes it as season 1).
func SplitSeason(title string) (show string, season int) {
	t := strings.TrimSpace(strings.Map(halfWidth, title))
	for _, re := range seasonForms {
		m := re.FindStringSubmatchIndex(t)
		if m == nil {
			continue
		}
		n, ok := parseNumeral(t[m[2]:m[3]])
		if !ok || n <= 0 || n > 999 {
			continue
		}
		show = strings.TrimRightFunc(t[:m[0]], func(r rune) bool {
			return unicode.IsSpace(r) || strings.ContainsRune("-_·:：—–,，(（[【", r)
		})
		if show == "" {
			return strings.TrimSpace(title), n // "第二季" alone: no show name to give
		}
		return show, n
	}
	return strings.TrimSpace(title), 0
}

// parseNumeral reads decimal digits or a Chinese numeral up to the
// hundreds: positional (十二 12, 二十 20, 二十三 23, 一百零五 105, 两 2) or
// digit by digit (二〇 20, 一二 12).
func parseNumeral(s string) (int, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		return n, true
	}
	digits := map[rune]int{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '兩': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	if !strings.ContainsAny(s, "十百") {
		n := 0
		for _, r := range s {
			d, ok := digits[r]
			if !ok || n > 999 {
				return 0, false
			}
			n = n*10 + d
		}
		return n, true
	}
	total, cur := 0, -1 // cur: the digit waiting for its unit (-1: none)
	lastUnit := 1000
	for _, r := range s {
		switch r {
		case '百', '十':
			unit := 100
			if r == '十' {
				unit = 10
			}
			if unit >= lastUnit {
				return 0, false // 十十, 十百: units only go down
			}
			lastUnit = unit
			if cur < 0 {
				cur = 1 // 十二: an implied one
			}
			total += cur * unit
			cur = -1
		default:
			d, ok := digits[r]
			if !ok {
				return 0, false
			}
			if cur > 0 {
				return 0, false // two digits in a row (二三) is no numeral
			}
			cur = d
		}
	}
	if cur > 0 {
		total += cur
	}
	return total, true
}

// halfWidth maps a full-width ASCII form (２, Ｓ) to ASCII, as titles mix
// them.
func halfWidth(r rune) rune {
	if r >= '\uFF01' && r <= '\uFF5E' {
		return r - 0xFEE0
	}
	if r == '\u3000' {
		return ' '
	}
	return r
}
