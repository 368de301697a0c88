package download

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/internal/atomicfile"
	"github.com/vdlproject/vdl/library"
	"github.com/vdlproject/vdl/request"
)

// maxImageBytes bounds a poster or still: a few MB at most.
const maxImageBytes = 16 << 20

// imageExts are the extensions a saved image may have (named by its bytes).
var imageExts = []string{"jpg", "png", "webp"}

// writeLibrary writes the sidecars the library options ask for beside a
// finished (or found) video: images, NFOs and the info JSON. Each is
// written only when missing (an NFO of vdl's own is refreshed when the
// site's data changed), so a rerun fetches no image twice. An image that
// cannot be had is a warning and a note; the error is the disk's.
func (d *Downloader) writeLibrary(ctx context.Context, t *task, video string) error {
	o := d.opts.Library
	if !o.NFO && !o.Thumbnails && !o.InfoJSON {
		return nil
	}
	p, inShow := d.placeOf(t)
	show := filepath.Dir(video)
	if inShow {
		show = showDir(video)
	}
	stem := strings.TrimSuffix(video, filepath.Ext(video))
	var posterSaved, thumbSaved bool
	if o.Thumbnails {
		var err error
		if s := t.m.Show; s != nil && inShow {
			if posterSaved, err = d.saveImage(ctx, t.m, s.Poster, filepath.Join(show, "poster")); err != nil {
				return err
			}
			if _, err = d.saveImage(ctx, t.m, s.Fanart, filepath.Join(show, "fanart")); err != nil {
				return err
			}
			if !p.movie {
				// The season's own cover (v.qq.com has one per season) as
				// Kodi's and Jellyfin's season poster, in the show folder.
				name := fmt.Sprintf("season%02d-poster", p.season)
				if p.season == 0 {
					name = "season-specials-poster"
				}
				if _, err = d.saveImage(ctx, t.m, s.Poster, filepath.Join(show, name)); err != nil {
					return err
				}
			}
		}
		if !p.movie {
			if thumbSaved, err = d.saveImage(ctx, t.m, t.m.Thumbnail, stem+"-thumb"); err != nil {
				return err
			}
		}
	}
	if o.NFO && inShow { // a plain URL's video belongs to no show: it gets no NFO
		if err := d.writeNFOs(t, p, inShow, show, stem, posterSaved || o.Thumbnails, thumbSaved || o.Thumbnails); err != nil {
			return err
		}
	}
	if o.InfoJSON {
		path := stem + ".info.json"
		if _, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
			data, err := library.MarshalInfo(infoOf(t, p, inShow, video))
			if err != nil {
				return err
			}
			if err := atomicfile.Write(path, data); err != nil {
				return &DiskError{Err: fmt.Errorf("info json: %w", err)}
			}
			d.emit(Event{Kind: FileSaved, File: path})
		}
	}
	return nil
}

// saveImage saves the image at u as base.<ext>, the extension named by
// its bytes, unless an image of that name is there already. saved says
// one is there now.
func (d *Downloader) saveImage(ctx context.Context, m *extractors.Media, u, base string) (saved bool, err error) {
	for _, ext := range imageExts {
		if st, err := os.Lstat(base + "." + ext); err == nil && st.Mode().IsRegular() {
			return true, nil // a rerun: fetched before
		}
	}
	if u == "" {
		return false, nil
	}
	data, err := d.fetchImage(ctx, m, u)
	if err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		msg := fmt.Sprintf("no %s image: %v", filepath.Base(base), err)
		d.log.Warn(msg)
		addNote(ctx, msg)
		return false, nil
	}
	ext, _ := library.ImageExt(data)
	path := base + "." + ext
	if err := atomicfile.Write(path, data); err != nil {
		return false, &DiskError{Err: fmt.Errorf("image: %w", err)}
	}
	d.emit(Event{Kind: FileSaved, File: path})
	return true, nil
}

// fetchImage reads an image through the run's client (its retry policy,
// proxy and cookies) with the page as Referer; a reply that is no image
// (an error page served with 200) is an error.
func (d *Downloader) fetchImage(ctx context.Context, m *extractors.Media, u string) ([]byte, error) {
	h := http.Header{}
	if m.PageURL != "" {
		h.Set("Referer", m.PageURL)
	}
	rep, err := d.opts.Client.Read(ctx, request.Spec{URL: u, Header: h, Limit: maxImageBytes})
	if err != nil {
		return nil, err
	}
	if _, ok := library.ImageExt(rep.Body); !ok {
		return nil, fmt.Errorf("%s: not an image (%d bytes of %s)", request.Redact(u), len(rep.Body), cmp.Or(rep.Header.Get("Content-Type"), "no type"))
	}
	return rep.Body, nil
}

// writeNFOs writes tvshow.nfo in the show folder and <episode>.nfo beside
// the video (a movie: movie.nfo and <movie>.nfo). When images are saved
// beside them the NFOs name none: Jellyfin prefers an NFO's artwork to
// the files and refuses a relative one, so the site's URLs go in only
// when no image is saved.
func (d *Downloader) writeNFOs(t *task, p place, inShow bool, show, stem string, posterOnDisk, thumbOnDisk bool) error {
	m := t.m
	s := m.Show
	if s == nil {
		s = &extractors.Show{}
	}
	var actors []library.Actor
	for i, name := range s.Cast {
		actors = append(actors, library.Actor{Name: name, Order: i})
	}
	var fanart *library.Fanart
	if !posterOnDisk && s.Fanart != "" {
		fanart = &library.Fanart{Thumbs: []library.Thumb{{URL: s.Fanart}}}
	}
	runtime := int((m.Duration + time.Minute - 1) / time.Minute)
	if p.movie {
		mv := &library.Movie{Work: library.Work{Title: p.show, Plot: cmp.Or(m.Description, s.Description), Year: s.Year, Premiered: m.AirDate,
			Runtime: runtime, Genres: s.Genres, Actors: actors, IDs: uniqueIDs(m.Site, m.ID), Thumbs: artOf(posterOnDisk, "poster", s.Poster), Fanart: fanart}}
		for _, path := range []string{filepath.Join(show, "movie.nfo"), stem + ".nfo"} {
			if err := d.writeNFO(path, mv); err != nil {
				return err
			}
		}
		return nil
	}
	if inShow {
		tv := &library.Show{Work: library.Work{Title: p.show, Plot: s.Description, Year: s.Year, Genres: s.Genres, Actors: actors, IDs: uniqueIDs(m.Site, s.ID),
			Thumbs: artOf(posterOnDisk, "poster", s.Poster), Fanart: fanart}}
		// The show's NFO is the first season's: another season's cover
		// (its own id, year and plot) does not replace it.
		path := filepath.Join(show, "tvshow.nfo")
		if old, err := os.ReadFile(path); err == nil && s.ID != "" && !bytes.Contains(old, []byte(">"+s.ID+"</uniqueid>")) {
			return d.writeNFO(stem+".nfo", episodeNFO(m, p, s, runtime, thumbOnDisk))
		}
		if err := d.writeNFO(path, tv); err != nil {
			return err
		}
	}
	return d.writeNFO(stem+".nfo", episodeNFO(m, p, s, runtime, thumbOnDisk))
}

// episodeNFO is an episode's NFO record.
func episodeNFO(m *extractors.Media, p place, s *extractors.Show, runtime int, thumbOnDisk bool) *library.Episode {
	return &library.Episode{Title: cmp.Or(p.title, m.Title), ShowTitle: p.show, Season: p.season, Episode: p.episode,
		Plot: m.Description, Aired: m.AirDate, Year: s.Year, Runtime: runtime, IDs: uniqueIDs(m.Site, m.ID),
		Thumbs: artOf(thumbOnDisk, "", m.Thumbnail)}
}

// uniqueIDs is an NFO's id of the site's: the one a scraper should trust.
func uniqueIDs(site, id string) []library.UniqueID {
	if id == "" {
		return nil
	}
	return []library.UniqueID{{Type: site, Default: true, ID: id}}
}

// artOf names an image in an NFO, unless it is saved beside it (Jellyfin
// would take the NFO's over the file) or there is none.
func artOf(onDisk bool, aspect, u string) []library.Thumb {
	if onDisk || u == "" {
		return nil
	}
	return []library.Thumb{{Aspect: aspect, URL: u}}
}

// writeNFO writes an NFO unless one is there that vdl did not write (or
// that was edited since): a user's NFO is never overwritten.
func (d *Downloader) writeNFO(path string, record any) error {
	data, err := library.Marshal(record)
	if err != nil {
		return err
	}
	if old, err := os.ReadFile(path); err == nil {
		if bytes.Equal(old, data) {
			return nil
		}
		if !library.Own(old) {
			d.log.Info("kept an NFO vdl did not write (or one edited since)", "file", path)
			return nil
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return &DiskError{Err: err}
	}
	if st, err := os.Lstat(path); err == nil && !st.Mode().IsRegular() {
		return nil // something else by that name: left alone
	}
	if err := atomicfile.Write(path, data); err != nil {
		return &DiskError{Err: fmt.Errorf("nfo: %w", err)}
	}
	d.emit(Event{Kind: FileSaved, File: path})
	return nil
}

// infoOf is the info JSON of a finished video.
func infoOf(t *task, p place, inShow bool, video string) *library.Info {
	m, f := t.m, t.f
	i := &library.Info{ID: m.ID, Title: m.Title, FullTitle: m.Title, Description: m.Description, WebpageURL: m.PageURL,
		Extractor: m.Site, ExtractorKey: strings.ToUpper(m.Site), Duration: m.Duration.Seconds(), Thumbnail: m.Thumbnail,
		Filename: filepath.Base(video), Ext: strings.TrimPrefix(filepath.Ext(video), "."), Epoch: time.Now().Unix()}
	if f != nil {
		i.FormatID, i.Format, i.Width, i.Height = f.ID, f.Label, f.Width, f.Height
	}
	if m.Thumbnail != "" {
		i.Thumbnails = []library.Thumbnail{{ID: "0", URL: m.Thumbnail}}
	}
	if d := strings.ReplaceAll(m.AirDate, "-", ""); len(d) == 8 {
		i.ReleaseDate = d
	}
	if s := m.Show; s != nil {
		i.Categories, i.Cast, i.ReleaseYear = s.Genres, s.Cast, s.Year
		i.SeriesID = s.ID
	}
	if inShow && !p.movie {
		i.Series, i.SeasonNumber, i.Season = p.show, p.season, fmt.Sprintf("Season %d", p.season)
		i.EpisodeNumber, i.Episode, i.EpisodeID = p.episode, cmp.Or(p.title, fmt.Sprintf("Episode %d", p.episode)), fmt.Sprintf("S%02dE%02d", p.season, p.episode)
	}
	return i
}
