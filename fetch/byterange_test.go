package fetch

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	ms "github.com/vdlproject/vdl/internal/mediaserver"
)

// TestByteRangeParts downloads several byte ranges of one file as separate
// parts (HLS EXT-X-BYTERANGE), from servers that honour Range, ignore it,
// and cut connections, and requires each part to hold exactly its range.
func TestByteRangeParts(t *testing.T) {
	const size = 1<<20 + 777
	data := ms.RandomBytes(size)
	ranges := []struct{ off, n int64 }{{0, 1000}, {1000, 300 << 10}, {1000 + 300<<10, size - 1000 - 300<<10}, {5, 1}}
	for _, tt := range []struct {
		name string
		opts ms.Options
	}{
		{"ranges", ms.Options{}},
		{"ignore range", ms.Options{IgnoreRange: true}},
		{"resets", ms.Options{CutAfter: 64 << 10, CutTimes: 3}},
		{"wrong content-range", ms.Options{WrongContentRange: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := startServer(t, data, tt.opts)
			dir := t.TempDir()
			var parts []Part
			for i, r := range ranges {
				parts = append(parts, Part{URL: s.FileURL(), Size: -1, Offset: r.off, Length: r.n,
					Path: filepath.Join(dir, fmt.Sprintf("p%d", i))})
			}
			o := fastOpts(dir)
			o.MinSplit = 16 << 10
			j, err := New(parts, o)
			if err != nil {
				t.Fatal(err)
			}
			if err := j.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			for i, r := range ranges {
				sameFile(t, parts[i].Path, data[r.off:r.off+r.n])
			}
		})
	}
}

// TestByteRangePastEnd: a range beyond the file is a permanent error, not
// a retry loop or a short part.
func TestByteRangePastEnd(t *testing.T) {
	data := ms.RandomBytes(4096)
	for _, opts := range []ms.Options{{}, {IgnoreRange: true}} {
		s := startServer(t, data, opts)
		dir := t.TempDir()
		j, err := New([]Part{{URL: s.FileURL(), Offset: 4000, Length: 200, Path: filepath.Join(dir, "p")}}, fastOpts(dir))
		if err != nil {
			t.Fatal(err)
		}
		err = j.Run(context.Background())
		if !errors.Is(err, errRangeMissing) {
			t.Fatalf("range past the end: err = %v, want ErrRangeMissing", err)
		}
		if got := s.Requests.Load(); got > 1 {
			t.Errorf("a permanent error was retried: %d requests", got)
		}
	}
}
