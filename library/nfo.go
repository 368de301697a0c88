// Package library writes what a media server (Jellyfin, Plex via its
// agents, Emby, Kodi) reads beside a video: NFO files in Kodi's schema,
// and the image names and kinds it expects. It knows nothing of sites or
// HTTP: download fills the records from the extractor's model.
package library

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Work is what a show and a movie NFO share, in Kodi's element order.
type Work struct {
	Title     string     `xml:"title"`
	Plot      string     `xml:"plot,omitempty"`
	Year      int        `xml:"year,omitempty"`
	Premiered string     `xml:"premiered,omitempty"` // YYYY-MM-DD
	Runtime   int        `xml:"runtime,omitempty"`   // minutes (a movie's)
	Genres    []string   `xml:"genre,omitempty"`
	Actors    []Actor    `xml:"actor,omitempty"`
	IDs       []UniqueID `xml:"uniqueid,omitempty"`
	Thumbs    []Thumb    `xml:"thumb,omitempty"`
	Fanart    *Fanart    `xml:"fanart,omitempty"`
}

// Show is a tvshow.nfo.
type Show struct {
	XMLName xml.Name `xml:"tvshow"`
	Work
}

// Movie is a movie.nfo.
type Movie struct {
	XMLName xml.Name `xml:"movie"`
	Work
}

// Episode is an <episode file>.nfo.
type Episode struct {
	XMLName   xml.Name   `xml:"episodedetails"`
	Title     string     `xml:"title"`
	ShowTitle string     `xml:"showtitle,omitempty"`
	Season    int        `xml:"season"`
	Episode   int        `xml:"episode,omitempty"`
	Plot      string     `xml:"plot,omitempty"`
	Aired     string     `xml:"aired,omitempty"` // YYYY-MM-DD
	Year      int        `xml:"year,omitempty"`
	Runtime   int        `xml:"runtime,omitempty"` // minutes
	IDs       []UniqueID `xml:"uniqueid,omitempty"`
	Thumbs    []Thumb    `xml:"thumb,omitempty"`
}

// Actor is one cast member, in billing order.
type Actor struct {
	Name  string `xml:"name"`
	Role  string `xml:"role,omitempty"`
	Order int    `xml:"order"`
}

// UniqueID is the site's id of the show or episode: type "qq" for
// v.qq.com, default="true" on the one a scraper should trust.
type UniqueID struct {
	Type    string `xml:"type,attr"`
	Default bool   `xml:"default,attr,omitempty"`
	ID      string `xml:",chardata"`
}

// Thumb is an image: aspect "poster" for the portrait cover, "" for an
// episode's still. The value is a URL or a file name beside the NFO.
type Thumb struct {
	Aspect string `xml:"aspect,attr,omitempty"`
	URL    string `xml:",chardata"`
}

// Fanart holds the landscape art.
type Fanart struct {
	Thumbs []Thumb `xml:"thumb"`
}

// maxNFOText bounds one text field: a plot, not a book.
const maxNFOText = 32 << 10

// markerPrefix starts the comment vdl puts in every NFO it writes; the
// hash after it covers the document, so an NFO a user edited (or wrote)
// is told from vdl's own and never overwritten.
const markerPrefix = "<!-- written by vdl; sha256:"

// Marshal renders an NFO record (Show, Episode or Movie) as a complete
// XML document with vdl's marker. Text is cleaned of what XML 1.0 cannot
// hold (control characters, invalid UTF-8) and bounded.
func Marshal(v any) ([]byte, error) {
	cleanRecord(v)
	body, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("nfo: %w", err)
	}
	sum := sha256.Sum256(body)
	var b bytes.Buffer
	b.WriteString(xml.Header)
	fmt.Fprintf(&b, "%s%s -->\n", markerPrefix, hex.EncodeToString(sum[:]))
	b.Write(body)
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// Own reports whether data is an NFO vdl wrote and nobody changed since:
// only such a file may be replaced.
func Own(data []byte) bool {
	_, rest, ok := bytes.Cut(data, []byte(markerPrefix))
	if !ok {
		return false
	}
	sum, body, ok := bytes.Cut(rest, []byte(" -->\n"))
	if !ok {
		return false
	}
	got := sha256.Sum256(bytes.TrimSuffix(body, []byte("\n")))
	return string(sum) == hex.EncodeToString(got[:])
}

// Clean makes s fit for an XML text node: invalid UTF-8 and the control
// characters XML 1.0 forbids are dropped (tabs and line breaks kept, as
// \n),
// and s is cut to maxNFOText bytes on a character boundary.
func Clean(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n") // XML readers turn them into \n anyway
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n':
			return r
		case r < 0x20, r == 0xFFFE, r == 0xFFFF, r >= 0xD800 && r <= 0xDFFF, r == utf8.RuneError:
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	if len(s) > maxNFOText {
		s = s[:maxNFOText]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return strings.TrimSpace(s)
}

func cleanAll(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s = Clean(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func cleanIDs(ids []UniqueID) {
	for i := range ids {
		ids[i].Type, ids[i].ID = Clean(ids[i].Type), Clean(ids[i].ID)
	}
}

func cleanThumbs(ts []Thumb) {
	for i := range ts {
		ts[i].URL = Clean(ts[i].URL)
	}
}

func cleanActors(as []Actor) []Actor {
	var out []Actor
	for _, a := range as {
		if a.Name = Clean(a.Name); a.Name != "" {
			a.Role = Clean(a.Role)
			out = append(out, a)
		}
	}
	return out
}

// cleanRecord cleans every text field of an NFO record in place.
func cleanRecord(v any) {
	switch r := v.(type) {
	case *Show:
		r.Work.clean()
	case *Movie:
		r.Work.clean()
	case *Episode:
		r.Title, r.ShowTitle, r.Plot, r.Aired = Clean(r.Title), Clean(r.ShowTitle), Clean(r.Plot), Clean(r.Aired)
		cleanIDs(r.IDs)
		cleanThumbs(r.Thumbs)
	}
}

func (w *Work) clean() {
	w.Title, w.Plot, w.Premiered = Clean(w.Title), Clean(w.Plot), Clean(w.Premiered)
	w.Genres, w.Actors = cleanAll(w.Genres), cleanActors(w.Actors)
	cleanIDs(w.IDs)
	cleanThumbs(w.Thumbs)
	if w.Fanart != nil {
		cleanThumbs(w.Fanart.Thumbs)
	}
}
