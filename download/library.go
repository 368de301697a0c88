package download

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vdlproject/vdl/extractors"
)

// LibraryOptions make the output something a media server (Jellyfin,
// Plex, Emby, Kodi) shows with no renaming and no scraper. --library sets
// them all.
type LibraryOptions struct {
	// Layout names a single episode as a series' episodes are named:
	// <Show> (<year>)/Season NN/<Show> - SxxEyy - <title>.<ext>, a movie
	// <Title> (<year>)/<Title> (<year>).<ext>.
	Layout         bool
	NFO            bool // --write-nfo: tvshow.nfo, <episode>.nfo, movie.nfo
	Thumbnails     bool // --write-thumbnail: poster, fanart, <episode>-thumb
	EmbedThumbnail bool // --embed-thumbnail: the still (or poster) as MP4 cover art
	InfoJSON       bool // --write-info-json: <file>.info.json, yt-dlp's fields
}

// place is where a media library files an item.
type place struct {
	show    string // the show's name, its season taken out of the title
	folder  string // the show's folder: "<show> (<year>)", or one already there
	year    int
	season  int // 0 holds the specials
	episode int
	title   string // the episode's own title; "" when it says only its number
	movie   bool
}

// The library layouts, filled from the place (and -o may use every field).
const (
	libraryEpisodeTemplate = "%(library_folder)s/Season %(season_number)02d/%(series)s - S%(season_number)02dE%(episode_number)02d - %(episode_title)s.%(ext)s"
	// libraryNumberTemplate: the title says only the number (第06集).
	libraryNumberTemplate = "%(library_folder)s/Season %(season_number)02d/%(series)s - S%(season_number)02dE%(episode_number)02d.%(ext)s"
	libraryMovieTemplate  = "%(library_folder)s/%(library_folder)s.%(ext)s"
)

// movieTypes are the words sites use for a film.
var movieTypes = map[string]bool{"电影": true, "movie": true, "film": true}

// placeOf says where t's item goes in a library. ok is false when the
// item is no part of a show (a plain URL).
func (d *Downloader) placeOf(t *task) (place, bool) {
	m := t.m
	full := cmp.Or(t.series, m.Series)
	if m.Show != nil {
		full = cmp.Or(full, m.Show.Title)
	}
	if full == "" {
		return place{}, false
	}
	p := place{}
	if m.Show != nil {
		p.year = m.Show.Year
		p.movie = movieTypes[strings.ToLower(m.Show.Type)]
	}
	if p.movie {
		p.show = cmp.Or(m.Show.Title, full)
		p.folder = p.show
		if p.year > 0 {
			p.folder = fmt.Sprintf("%s (%d)", p.show, p.year)
		}
		return p, true
	}
	p.show, p.season = extractors.SplitSeason(full)
	p.season = cmp.Or(m.Season, p.season, 1)
	p.episode = cmp.Or(t.episode, m.Episode)
	if p.episode <= 0 {
		p.season, p.episode = 0, max(t.special, 1) // a special: Season 00, in list order
	}
	p.title = episodeTitle(m.Title, p.show, full)
	p.folder = d.showFolder(p.show, p.year)
	return p, true
}

// showFolder is the show's folder in Dir: "<show> (<year>)", unless one
// folder "<show> (<some year>)" is there already (an earlier season, whose
// cover gave another year): both seasons go into one show.
func (d *Downloader) showFolder(show string, year int) string {
	name := fieldValue(show)
	if entries, err := os.ReadDir(d.opts.Dir); err == nil {
		var found []string
		for _, e := range entries {
			if rest, ok := strings.CutPrefix(e.Name(), name+" ("); ok && e.IsDir() && yearSuffix.MatchString(rest) {
				found = append(found, e.Name())
			}
		}
		if len(found) == 1 {
			return found[0]
		}
	}
	if year > 0 {
		return fmt.Sprintf("%s (%d)", show, year)
	}
	return show
}

var yearSuffix = regexp.MustCompile(`^[0-9]{4}\)$`)

// numberOnly matches an episode title that says nothing but its number.
var numberOnly = regexp.MustCompile(`(?i)^(?:第\s*[0-9零〇一二两三四五六七八九十百]+\s*[集话話期回]|e(?:p(?:isode)?)?\s*\.?\s*[0-9]+|[0-9]+)$`)

// episodeTitle is an episode's own title: its series' name taken off the
// front, and nothing when only the number is left ("第06集"). A title
// that starts like an episode number (E3, x264) is put in parentheses:
// Jellyfin would read "S01E06 - E3" as episodes 6 to 3.
func episodeTitle(title, show, full string) string {
	s := strings.TrimSpace(title)
	for _, prefix := range []string{full, show} {
		if rest, ok := strings.CutPrefix(s, prefix); ok && prefix != "" && wordEnds(prefix, rest) {
			s = strings.TrimLeft(rest, " -_·:：|")
			break
		}
	}
	if s == "" || numberOnly.MatchString(s) {
		return ""
	}
	if len(s) > 1 && strings.ContainsRune("EeXx", rune(s[0])) && s[1] >= '0' && s[1] <= '9' {
		s = "(" + s + ")"
	}
	return s
}

// wordEnds says a title's prefix ends a word: "Show" is not taken off
// "Showdown", nor "x" off "x264"; CJK titles have no spaces to look for.
func wordEnds(prefix, rest string) bool {
	if rest == "" {
		return true
	}
	a, _ := utf8.DecodeLastRuneInString(prefix)
	b, _ := utf8.DecodeRuneInString(rest)
	return a >= utf8.RuneSelf || b >= utf8.RuneSelf || !unicode.IsLetter(b) && !unicode.IsDigit(b)
}

// libraryName is the library's name of t (a relative path under Dir).
func libraryName(t *task, p place, ext string) (string, error) {
	tmpl := libraryEpisodeTemplate
	switch {
	case p.movie:
		tmpl = libraryMovieTemplate
	case p.title == "":
		tmpl = libraryNumberTemplate
	}
	return expandTemplate(tmpl, libraryFields(templateFields(t, ext), p))
}

// libraryFields adds the place to a template's fields: yt-dlp's names
// where it has them (series, season_number, season, episode_number,
// release_year), and the layout's own.
func libraryFields(fields map[string]any, p place) map[string]any {
	fields["series"] = fieldValue(p.show)
	fields["season_number"] = p.season
	fields["season"] = "Season " + strconv.Itoa(p.season)
	fields["episode_number"] = p.episode
	fields["episode_title"] = fieldValue(p.title)
	fields["release_year"], fields["year"] = p.year, p.year
	fields["library_folder"] = fieldValue(p.folder)
	return fields
}

// legacyName is where vdl before its library layout put a series'
// episode (seriesTemplate, the full series title), so that a rerun finds
// what it downloaded then.
func legacyName(t *task, ext string) (string, bool) {
	if t.series == "" {
		return "", false
	}
	tmpl := seriesTemplate
	if t.episode <= 0 && t.m.Episode <= 0 {
		tmpl = "%(series)s/%(series)s - %(title)s.%(ext)s" // an unnumbered item (a special)
	}
	rel, err := expandTemplate(tmpl, templateFields(t, ext))
	return rel, err == nil
}

// showDir is the show's folder of an output: the parent of its "Season
// NN" folder, or its own folder (a movie, an older layout).
func showDir(out string) string {
	dir := filepath.Dir(out)
	if strings.HasPrefix(filepath.Base(dir), "Season ") {
		return filepath.Dir(dir)
	}
	return dir
}

// provenFile reports whether p is this download, complete (as
// chooseOutput proves it): by its identity, or a plain file's exact size.
func (d *Downloader) provenFile(p, ident string, size int64) bool {
	if _, err := checkParents(d.opts.Dir, p); err != nil {
		return false
	}
	st, err := os.Lstat(p)
	if err != nil || !st.Mode().IsRegular() {
		return false
	}
	if _, err := os.Lstat(workDir(p)); err == nil {
		return false
	}
	return readIdentity(d.opts.StateDir, p) == ident || size >= 0 && st.Size() == size
}

// noteLegacy says once a run that episodes of the older layout stay put.
func (d *Downloader) noteLegacy() {
	if d.legacyNoted.CompareAndSwap(false, true) {
		d.log.Warn("episodes downloaded in the layout of an earlier vdl are left where they are (and not fetched again); new ones go into Season folders")
	}
}
