package download

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/fetch"
	"github.com/vdlproject/vdl/request"
)

// TestSameShape: a refreshed format must line up segment by segment
// with the bytes already on disk.
func TestSameShape(t *testing.T) {
	format := func(sizes ...int64) *extractors.Format {
		st := extractors.Stream{}
		for i, s := range sizes {
			st.Segments = append(st.Segments, extractors.Segment{URL: fmt.Sprintf("https://cdn/%d?vkey=old", i), Size: s})
		}
		return &extractors.Format{ID: "shd", Streams: []extractors.Stream{st}}
	}
	tests := []struct {
		name       string
		old, fresh *extractors.Format
		ok         bool
	}{
		{"same sizes, new URLs", format(10, 20, 30), format(10, 20, 30), true},
		{"unknown size on one side", format(10, -1, 30), format(10, 20, 30), true},
		{"a clip more", format(10, 20, 30), format(10, 20, 30, 40), false},
		{"a clip resized", format(10, 20, 30), format(10, 21, 30), false},
		{"another stream count", format(10), &extractors.Format{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := sameShape(tc.old, tc.fresh); (err == nil) != tc.ok {
				t.Errorf("sameShape = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

// TestURLsExpired: which fetch failures ask for fresh URLs.
func TestURLsExpired(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("part 2: %w", fetch.ErrExpired), true},
		{fmt.Errorf("part 0: %w", &request.StatusError{StatusCode: 403}), true},
		{&request.StatusError{StatusCode: 410}, true},
		{&request.StatusError{StatusCode: 404}, false},
		{&request.StatusError{StatusCode: 503}, false},
		{fetch.ErrNoSpace, false},
	}
	for _, tc := range tests {
		if got := urlsExpired(tc.err); got != tc.want {
			t.Errorf("urlsExpired(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// twoMediaSite answers every page with two media, the one being
// refreshed second, each with a format "shd" of a different shape.
type twoMediaSite struct{}

func (twoMediaSite) Extract(context.Context, *url.URL) (*extractors.Result, error) {
	mk := func(id string, sizes ...int64) *extractors.Media {
		st := extractors.Stream{}
		for i, s := range sizes {
			st.Segments = append(st.Segments, extractors.Segment{URL: fmt.Sprintf("https://cdn/%s/%d?vkey=new", id, i), Size: s})
		}
		return &extractors.Media{Site: "refreshtest", ID: id, Formats: []extractors.Format{{ID: "shd", Streams: []extractors.Stream{st}}}}
	}
	return &extractors.Result{Media: []*extractors.Media{mk("other", 99), mk("wanted", 10, 20)}}, nil
}

func init() {
	extractors.Register(extractors.Site{Name: "refreshtest", Hosts: []string{"refresh.test"},
		New: func(extractors.Env) extractors.Extractor { return twoMediaSite{} }})
}

// TestRefreshTakesTheSameMedia: fresh URLs come from the media with the
// same ID, not from whichever the page lists first.
func TestRefreshTakesTheSameMedia(t *testing.T) {
	d, err := New(Options{Client: &request.Client{HTTP: http.DefaultClient}})
	if err != nil {
		t.Fatal(err)
	}
	m := &extractors.Media{Site: "refreshtest", ID: "wanted", PageURL: "https://refresh.test/page"}
	old := &extractors.Format{ID: "shd", Streams: []extractors.Stream{{Segments: []extractors.Segment{{Size: 10}, {Size: 20}}}}}
	f, err := d.refreshFormat(context.Background(), m, old)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Streams[0].Segments[0].URL; got != "https://cdn/wanted/0?vkey=new" {
		t.Errorf("refreshed URL %s, want the wanted media's", got)
	}
}
