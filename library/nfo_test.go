package library

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vdlproject/vdl/internal/testtools"
)

func sampleShow() *Show {
	return &Show{Work: Work{Title: "青春里的风", Plot: "A & B <together> ]]> \x01end", Year: 2026, Premiered: "2026-03-01",
		Genres: []string{"剧情", "", "爱情"}, Actors: []Actor{{Name: "张三", Order: 0}, {Name: "\x02", Order: 1}, {Name: "李四", Order: 2}},
		IDs: []UniqueID{{Type: "qq", Default: true, ID: "mzc00200vdl26ab"}}, Thumbs: []Thumb{{Aspect: "poster", URL: "poster.jpg"}},
		Fanart: &Fanart{Thumbs: []Thumb{{URL: "fanart.jpg"}}}}}
}

func TestMarshalShow(t *testing.T) {
	data, err := Marshal(sampleShow())
	if err != nil {
		t.Fatal(err)
	}
	var back Show
	if err := xml.Unmarshal(data, &back); err != nil {
		t.Fatalf("not well-formed: %v\n%s", err, data)
	}
	if back.Plot != "A & B <together> ]]> end" || strings.Join(back.Genres, ",") != "剧情,爱情" || len(back.Actors) != 2 ||
		back.IDs[0] != (UniqueID{Type: "qq", Default: true, ID: "mzc00200vdl26ab"}) || back.Thumbs[0].Aspect != "poster" || back.Fanart.Thumbs[0].URL != "fanart.jpg" {
		t.Fatalf("read back %+v\n%s", back, data)
	}
	for _, want := range []string{`<?xml version="1.0" encoding="UTF-8"?>`, "<tvshow>", `<uniqueid type="qq" default="true">mzc00200vdl26ab</uniqueid>`, "<year>2026</year>"} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("no %s in\n%s", want, data)
		}
	}
}

func TestOwnTellsEditedFiles(t *testing.T) {
	data, _ := Marshal(&Episode{Title: "第06集", ShowTitle: "青春里的风", Season: 1, Episode: 6, Runtime: 45})
	if !Own(data) {
		t.Fatal("vdl's own NFO not recognised")
	}
	edited := bytes.Replace(data, []byte("第06集"), []byte("My title"), 1)
	for name, d := range map[string][]byte{"edited": edited, "a user's": []byte("<episodedetails><title>x</title></episodedetails>"), "empty": nil,
		"marker only": []byte(markerPrefix + "00 -->\n")} {
		if Own(d) {
			t.Errorf("%s NFO taken for vdl's", name)
		}
	}
}

func TestNFOsValidWithXmllint(t *testing.T) {
	xmllint := testtools.Require(t, "xmllint")
	dir := t.TempDir()
	for name, v := range map[string]any{"tvshow.nfo": sampleShow(), "episode.nfo": &Episode{Title: "x\x00y", Season: 0, Episode: 1},
		"movie.nfo": &Movie{Work: Work{Title: "电影", Year: 2025, Runtime: 120, Genres: []string{"动作"}}}} {
		data, err := Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		os.WriteFile(p, data, 0o644)
		if _, stderr := testtools.Run(t, xmllint, "--noout", p); stderr != "" {
			t.Errorf("%s: %s", name, stderr)
		}
	}
}

func TestImageExt(t *testing.T) {
	for _, tc := range []struct {
		data string
		ext  string
		ok   bool
	}{
		{"\xff\xd8\xff\xe0rest", "jpg", true},
		{"\x89PNG\r\n\x1a\nrest", "png", true},
		{"RIFF\x00\x00\x00\x00WEBPVP8 ", "webp", true},
		{"<!DOCTYPE html><html>404</html>", "", false},
		{"", "", false},
		{"GIF89a", "", false},
	} {
		ext, ok := ImageExt([]byte(tc.data))
		if ext != tc.ext || ok != tc.ok {
			t.Errorf("ImageExt(%.12q) = %q, %v", tc.data, ext, ok)
		}
	}
}

func FuzzMarshal(f *testing.F) {
	f.Add("plot ]]> <x> &amp;", "title\x00", "id")
	f.Add(strings.Repeat("很长", 40000), "\xff\xfe", "")
	f.Fuzz(func(t *testing.T, plot, title, id string) {
		data, err := Marshal(&Episode{Title: title, Plot: plot, IDs: []UniqueID{{Type: "qq", ID: id}}})
		if err != nil {
			t.Fatal(err)
		}
		var back Episode
		if err := xml.Unmarshal(data, &back); err != nil {
			t.Fatalf("not well-formed: %v", err)
		}
		if back.Plot != Clean(plot) || back.Title != Clean(title) || len(back.Plot) > maxNFOText || !Own(data) {
			t.Fatalf("plot %.30q title %.30q", back.Plot, back.Title)
		}
	})
}

func TestCoverConvertsWebP(t *testing.T) {
	webp1x1 := []byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00")
	out, isPNG, err := Cover(webp1x1)
	if err != nil || !isPNG {
		t.Fatalf("WebP: %v, png %v", err, isPNG)
	}
	if ext, _ := ImageExt(out); ext != "png" {
		t.Fatalf("converted to %q", ext)
	}
	jpeg := []byte("\xff\xd8\xff\xe0 rest")
	if out, isPNG, err := Cover(jpeg); err != nil || isPNG || !bytes.Equal(out, jpeg) {
		t.Fatal("a JPEG is not kept as it is")
	}
	if _, _, err := Cover([]byte("<html>")); err == nil {
		t.Fatal("an HTML page became cover art")
	}
}
