package mux

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkRemuxTS remuxes the TS segments of $VDL_BENCH_TS (a glob;
// the HLS fixture by default) to MP4, as `vdl join -o x.mp4 seg*.ts`
// does. For a profile: go test -run - -bench RemuxTS -cpuprofile cpu.out ./mux
func BenchmarkRemuxTS(b *testing.B) {
	glob := os.Getenv("VDL_BENCH_TS")
	if glob == "" {
		glob = fixture("hls-ts", "seg*.ts")
	}
	files, err := filepath.Glob(glob)
	if err != nil || len(files) == 0 {
		b.Fatalf("no TS files match %q", glob)
	}
	var size int64
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			b.Fatal(err)
		}
		size += st.Size()
	}
	dir := b.TempDir()
	out := filepath.Join(dir, "out.mp4")
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		os.Remove(out)
		if _, err := RemuxTS(context.Background(), out, dir, [][]Segment{tsSegs(files...)}, MP4Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
