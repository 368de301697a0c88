package library

import (
	"encoding/json"
	"fmt"
)

// Info is a video's <file>.info.json in yt-dlp's field names and types,
// so that tools written for yt-dlp's output (media-server plugins,
// archivers) read vdl's. Empty fields are left out, never written as
// null, "None" or "NA".
type Info struct {
	Type          string      `json:"_type"` // "video"
	ID            string      `json:"id"`
	Title         string      `json:"title"`
	FullTitle     string      `json:"fulltitle,omitempty"`
	Description   string      `json:"description,omitempty"`
	WebpageURL    string      `json:"webpage_url,omitempty"`
	Extractor     string      `json:"extractor"`
	ExtractorKey  string      `json:"extractor_key"`
	Duration      float64     `json:"duration,omitempty"` // seconds
	Series        string      `json:"series,omitempty"`
	SeriesID      string      `json:"series_id,omitempty"`
	Season        string      `json:"season,omitempty"`
	SeasonNumber  int         `json:"season_number,omitempty"`
	Episode       string      `json:"episode,omitempty"`
	EpisodeNumber int         `json:"episode_number,omitempty"`
	EpisodeID     string      `json:"episode_id,omitempty"`
	ReleaseYear   int         `json:"release_year,omitempty"`
	ReleaseDate   string      `json:"release_date,omitempty"` // YYYYMMDD
	Categories    []string    `json:"categories,omitempty"`
	Cast          []string    `json:"cast,omitempty"`
	Thumbnail     string      `json:"thumbnail,omitempty"`
	Thumbnails    []Thumbnail `json:"thumbnails,omitempty"`
	FormatID      string      `json:"format_id,omitempty"`
	Format        string      `json:"format,omitempty"`
	Ext           string      `json:"ext,omitempty"`
	Width         int         `json:"width,omitempty"`
	Height        int         `json:"height,omitempty"`
	Filename      string      `json:"filename,omitempty"`
	Epoch         int64       `json:"epoch,omitempty"` // when the file was written
}

// Thumbnail is one image of Info.Thumbnails.
type Thumbnail struct {
	ID  string `json:"id,omitempty"`
	URL string `json:"url"`
}

// MarshalInfo renders i as indented JSON.
func MarshalInfo(i *Info) ([]byte, error) {
	if i.Type == "" {
		i.Type = "video"
	}
	b, err := json.MarshalIndent(i, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("info json: %w", err)
	}
	return append(b, '\n'), nil
}
