package download

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vdlproject/vdl/extractors"
	_ "github.com/vdlproject/vdl/extractors/generic"
	ms "github.com/vdlproject/vdl/internal/mediaserver"
	"github.com/vdlproject/vdl/request"
)

// recorder is an Observer that keeps what it saw.
type recorder struct {
	transfers      []string
	skipped, saved []string
}

func (r *recorder) Event(e Event) {
	switch e.Kind {
	case TransferStarted:
		r.transfers = append(r.transfers, e.Label)
	case FileSkipped:
		r.skipped = append(r.skipped, e.File)
	case FileSaved:
		r.saved = append(r.saved, e.File)
	}
}

// TestDownloadWithoutTheBinary: the pipeline runs as a library: extract,
// fetch, publish, and a rerun recognises the file and skips it.
func TestDownloadWithoutTheBinary(t *testing.T) {
	data := ms.RandomBytes(700 << 10)
	s := ms.Start(data, ms.Options{})
	defer s.Close()
	dir := t.TempDir()
	rec := &recorder{}
	d, err := New(Options{Client: &request.Client{HTTP: &http.Client{}}, Observer: rec, Dir: dir, Format: "best",
		Connections: 4, StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for run := range 2 {
		rep, err := d.Run(context.Background(), Inputs{URLs: []string{s.FileURL()}})
		if err != nil {
			t.Fatal(err)
		}
		if rep.List || len(rep.Items) != 1 {
			t.Fatalf("run %d: report %+v, want one download", run, rep)
		}
		file := rep.Items[0].File
		if got, _ := os.ReadFile(file); !bytes.Equal(got, data) || file != filepath.Join(dir, "file.bin") {
			t.Fatalf("run %d: %s does not hold the file", run, file)
		}
		if want := []Outcome{Downloaded, Skipped}[run]; rep.Items[0].Outcome != want {
			t.Errorf("run %d: %s, want %s", run, rep.Items[0].Outcome, want)
		}
	}
	if len(rec.saved) != 1 || len(rec.skipped) != 1 || len(rec.transfers) != 1 {
		t.Errorf("observer saw %+v; want one transfer, one save, one skip", rec)
	}
}

// TestCheckDuration: a result more than 2 % (at least 1 s) shorter than
// the site says is refused as ErrTooShort; whole-second playlist
// durations allow a second of rounding each.
func TestCheckDuration(t *testing.T) {
	src := filepath.Join("..", "testdata", "media", "source", "source.mp4") // 15.02 s
	whole := extractors.Format{Streams: []extractors.Stream{{Segments: []extractors.Segment{
		{Duration: 4 * time.Second}, {Duration: 4 * time.Second}, {Duration: 4 * time.Second}, {Duration: 4 * time.Second}}}}}
	exact := extractors.Format{Streams: []extractors.Stream{{Segments: []extractors.Segment{{Duration: 3760 * time.Millisecond}}}}}
	tests := []struct {
		site    time.Duration
		f       extractors.Format
		skip    bool
		refused bool
	}{
		{15 * time.Second, exact, false, false},
		{16 * time.Second, exact, false, false}, // 0.98 s short: within 1 s
		{17 * time.Second, exact, false, true},
		{60 * time.Second, exact, false, true},
		{60 * time.Second, exact, true, false}, // --no-check-duration
		{19 * time.Second, whole, false, false},
		{25 * time.Second, whole, false, true},
		{0, exact, false, false}, // the site gave no length
	}
	for _, tt := range tests {
		d, _ := New(Options{Client: &request.Client{HTTP: &http.Client{}}, NoCheckDuration: tt.skip})
		err := d.checkDuration(&extractors.Media{Duration: tt.site}, &tt.f, src)
		if refused := errors.Is(err, ErrTooShort); refused != tt.refused || err != nil && !refused {
			t.Errorf("site %v (skip %v): %v, want refused %v", tt.site, tt.skip, err, tt.refused)
		}
	}
}
