package fakeqq

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
)

// What a media library needs of the 2026 catalogue (issue 19): a second
// season as a cover of its own, whose title names the season, with a
// special; a movie; per-episode stills; posters and fanart. The stills
// are served as the site serves them: mostly JPEG, episode 2's as WebP
// under a .jpg URL (named by its bytes), and episode 3's is an HTML error
// page with status 200 (not an image: never saved).
const (
	// Cid2026S2 is the second season, Title2026S2 its title.
	Cid2026S2   = "mzc00200vdl26s2"
	Title2026S2 = Title2026 + " 第二季"
	Year2026S2  = "2027"
	// Special2026S2Vid is season 2's special (its list title is not a
	// number): a library's Season 00.
	Special2026S2Vid   = "sp1vdl26s20"
	Special2026S2Title = "特别篇"
	// CidMovie is a movie: a cover of type 电影 with one video.
	CidMovie   = "mzc00200vdlmov1"
	TitleMovie = "二〇二六测试电影"
	YearMovie  = "2025"
	MovieVid   = "m01vdlmov01"
	// Genres2026 are the series' main_genres.
	Genres2026 = "剧情,悬疑"
)

// Season2Numbers are season 2's episode numbers.
func Season2Numbers() []int { return []int{1, 2} }

// Season2Vid is the vid of season 2's episode n.
func Season2Vid(n int) string { return fmt.Sprintf("e%02dvdl26s20", n) }

// Thumb2026 is the still image URL of a 2026 video.
func Thumb2026(vid string) string { return "https://" + CDNA + "/pic/vpic_cover/" + vid + "_hz.jpg" }

// ThumbKind is what the CDN serves for vid's still: "jpg", "webp" or
// "html" (an error page, status 200).
func ThumbKind(vid string) string {
	switch vid {
	case Series2026Vid(2):
		return "webp"
	case Series2026Vid(3):
		return "html"
	}
	return "jpg"
}

func posterOf(cid string) string { return "https://" + CDNA + "/pic/vcover_vt_pic/" + cid + ".jpg" }
func fanartOf(cid string) string { return "https://" + CDNA + "/pic/vcover_hz_pic/" + cid + ".png" }

// libraryCatalogue is season 2 and the movie.
func libraryCatalogue() ([]*Ep26, []*Series) {
	s2 := &Series{Cid: Cid2026S2, Title: Title2026S2, Form2026: true, Year: Year2026S2, TypeName: TypeName2026,
		Description: "第二季：两集和一个特别篇。", Actors: Actors2026(), Genres: strings.Split(Genres2026, ","),
		Poster: posterOf(Cid2026S2), Fanart: fanartOf(Cid2026S2)}
	var eps []*Ep26
	for _, n := range Season2Numbers() {
		e := &Ep26{Vid: Season2Vid(n), Cid: Cid2026S2, Number: n, Title: fmt.Sprintf("%s 第%02d集", Title2026S2, n), Duration: duration26,
			M3U8: m3u8Text, AirDate: fmt.Sprintf("2027-01-%02d", n)}
		eps = append(eps, e)
		s2.Items = append(s2.Items, Item{Vid: e.Vid, Title: fmt.Sprint(n), PlayTitle: e.Title})
	}
	sp := &Ep26{Vid: Special2026S2Vid, Cid: Cid2026S2, Title: Title2026S2 + " " + Special2026S2Title, Duration: duration26, M3U8: m3u8Text}
	eps = append(eps, sp)
	s2.Items = append(s2.Items, Item{Vid: sp.Vid, Title: Special2026S2Title, PlayTitle: sp.Title})

	mv := &Series{Cid: CidMovie, Title: TitleMovie, Form2026: true, Year: YearMovie, TypeName: "电影",
		Description: "一部为 vdl 写的测试电影。", Actors: []string{"演员丙"}, Genres: []string{"动作"},
		Poster: posterOf(CidMovie), Fanart: fanartOf(CidMovie)}
	m := &Ep26{Vid: MovieVid, Cid: CidMovie, Title: TitleMovie, Duration: duration26, M3U8: m3u8Text, AirDate: "2025-06-01"}
	eps = append(eps, m)
	mv.Items = append(mv.Items, Item{Vid: m.Vid, Title: TitleMovie, PlayTitle: m.Title})
	return eps, []*Series{s2, mv}
}

// picture draws a w x h gradient, tinted by seed, so that images differ.
func picture(w, h int, seed uint8) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{R: uint8(255 * x / w), G: uint8(255 * y / h), B: seed, A: 255})
		}
	}
	return img
}

// webp1x1 is a valid 1x1 lossless WebP: the standard library writes no
// WebP, and a still in it must be told by its bytes.
var webp1x1 = []byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00")

// addPictures puts every series' poster (JPEG) and fanart (PNG) and every
// 2026 video's still on the CDN.
func (s *Site) addPictures(files map[string][]byte) error {
	path := func(u string) string { return strings.TrimPrefix(u, "https://"+CDNA) }
	for cid, sr := range s.series {
		if !sr.Form2026 {
			continue
		}
		var jb, pb bytes.Buffer
		seed := cid[len(cid)-1] * 3
		if err := jpeg.Encode(&jb, picture(120, 160, seed), &jpeg.Options{Quality: 80}); err != nil {
			return fmt.Errorf("fakeqq: poster: %w", err)
		}
		if err := png.Encode(&pb, picture(320, 180, seed)); err != nil {
			return fmt.Errorf("fakeqq: fanart: %w", err)
		}
		files[path(sr.Poster)], files[path(sr.Fanart)] = jb.Bytes(), pb.Bytes()
	}
	for vid := range s.eps26 {
		switch ThumbKind(vid) {
		case "webp":
			files[path(Thumb2026(vid))] = webp1x1
		case "html":
			files[path(Thumb2026(vid))] = []byte("<!DOCTYPE html><html><body>404 图片不存在</body></html>")
		default:
			var b bytes.Buffer
			if err := jpeg.Encode(&b, picture(160, 90, vid[1]), &jpeg.Options{Quality: 80}); err != nil {
				return fmt.Errorf("fakeqq: still: %w", err)
			}
			files[path(Thumb2026(vid))] = b.Bytes()
		}
	}
	return nil
}
