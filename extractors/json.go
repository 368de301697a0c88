package extractors

import (
	"encoding/json"
	"strings"
)

// The JSON of --json. Durations are written in seconds (as players and
// scripts expect), not in Go's nanoseconds. Beside vdl's own fields, the
// names yt-dlp's -J uses for the same facts are written too (_type,
// extractor, webpage_url, format_id, ext, vcodec, acodec, tbr, filesize,
// filesize_approx, entries, episode_number, playlist_index), so that
// tools written for yt-dlp's JSON read vdl's.

// MarshalJSON writes Duration in seconds, with yt-dlp's names; subtitles
// as yt-dlp's map of language to files.
func (m Media) MarshalJSON() ([]byte, error) {
	type plain Media
	type subFile struct {
		Ext string `json:"ext"`
		URL string `json:"url"`
	}
	var subs map[string][]subFile
	for _, s := range m.Subtitles {
		if subs == nil {
			subs = map[string][]subFile{}
		}
		subs[s.Lang] = append(subs[s.Lang], subFile{s.Ext, s.URL})
	}
	return json.Marshal(struct {
		plain
		Type          string               `json:"_type"`
		Duration      float64              `json:"duration,omitempty"`
		Extractor     string               `json:"extractor"`
		WebpageURL    string               `json:"webpage_url"`
		EpisodeNumber int                  `json:"episode_number,omitempty"`
		Subtitles     map[string][]subFile `json:"subtitles,omitempty"`
	}{plain(m), "video", m.Duration.Seconds(), m.Site, m.PageURL, m.Episode, subs})
}

// MarshalJSON adds yt-dlp's format fields.
func (f Format) MarshalJSON() ([]byte, error) {
	type plain Format
	v, a := splitCodecs(f.Codecs)
	out := struct {
		plain
		FormatID       string  `json:"format_id"`
		Ext            string  `json:"ext"`
		VCodec         string  `json:"vcodec,omitempty"`
		ACodec         string  `json:"acodec,omitempty"`
		TBR            float64 `json:"tbr,omitempty"` // kbit/s
		FileSize       *int64  `json:"filesize,omitempty"`
		FileSizeApprox int64   `json:"filesize_approx,omitempty"`
	}{plain: plain(f), FormatID: f.ID, VCodec: v, ACodec: a, TBR: float64(f.Bitrate) / 1000}
	out.Ext = f.OutputExt(false) // the file a default download gives, as yt-dlp's ext
	if f.Size >= 0 {
		out.FileSize = &f.Size
	} else {
		out.FileSizeApprox = f.EstSize
	}
	return json.Marshal(out)
}

// splitCodecs sorts an RFC 6381 list into video and audio codecs.
func splitCodecs(codecs string) (video, audio string) {
	var vs, as []string
	for _, c := range strings.Split(codecs, ",") {
		c = strings.TrimSpace(c)
		switch kind, _, _ := strings.Cut(strings.ToLower(c), "."); kind {
		case "":
		case "avc1", "avc3", "hvc1", "hev1", "vp09", "vp8", "vp9", "av01", "dvh1", "dvhe":
			vs = append(vs, c)
		default:
			as = append(as, c)
		}
	}
	return strings.Join(vs, ","), strings.Join(as, ",")
}

// MarshalJSON writes Duration in seconds.
func (s Segment) MarshalJSON() ([]byte, error) {
	type plain Segment
	return json.Marshal(struct {
		plain
		Duration float64 `json:"duration,omitempty"`
	}{plain(s), s.Duration.Seconds()})
}

// MarshalJSON writes a playlist as yt-dlp's -J does: _type "playlist"
// and its entries as _type "url" with their positions.
func (p Playlist) MarshalJSON() ([]byte, error) {
	type entry struct {
		Type string `json:"_type"`
		Entry
		EpisodeNumber int    `json:"episode_number,omitempty"`
		PlaylistIndex int    `json:"playlist_index"`
		IEKey         string `json:"ie_key"`
	}
	entries := make([]entry, len(p.Entries))
	for i, e := range p.Entries {
		entries[i] = entry{Type: "url", Entry: e, EpisodeNumber: e.Episode, PlaylistIndex: i + 1, IEKey: p.Site}
	}
	return json.Marshal(struct {
		Type      string  `json:"_type"`
		Site      string  `json:"site"`
		Extractor string  `json:"extractor"`
		ID        string  `json:"id"`
		Title     string  `json:"title"`
		Show      *Show   `json:"show,omitempty"`
		Count     int     `json:"playlist_count"`
		Entries   []entry `json:"entries"`
	}{"playlist", p.Site, p.Site, p.ID, p.Title, p.Show, len(p.Entries), entries})
}
