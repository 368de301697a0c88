package download

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/vdlproject/vdl/extractors/generic"
	ms "github.com/vdlproject/vdl/internal/mediaserver"
	"github.com/vdlproject/vdl/request"
)

// recorder is an Observer that keeps what it saw.
type recorder struct {
	transfers      []string
	skipped, saved []string
}

func (r *recorder) Transfer(label string, _ Progress) func(error) {
	r.transfers = append(r.transfers, label)
	return func(error) {}
}
func (r *recorder) Skipped(out string) { r.skipped = append(r.skipped, out) }
func (r *recorder) Saved(out string)   { r.saved = append(r.saved, out) }

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
	u, _ := url.Parse(s.FileURL())
	for run := range 2 {
		res, err := d.Extract(context.Background(), u)
		if err != nil {
			t.Fatal(err)
		}
		done, err := d.Media(context.Background(), res.Media[0])
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(done.File); !bytes.Equal(got, data) || done.File != filepath.Join(dir, "file.bin") {
			t.Fatalf("run %d: %s does not hold the file", run, done.File)
		}
	}
	if len(rec.saved) != 1 || len(rec.skipped) != 1 || len(rec.transfers) != 1 {
		t.Errorf("observer saw %+v; want one transfer, one save, one skip", rec)
	}
}
