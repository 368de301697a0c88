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
	files := benchTSFiles(b)
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

// BenchmarkJoinAES joins the TS segments of $VDL_BENCH_TS (the HLS
// fixture by default), AES-128 encrypted here and clear, into .ts and
// .mp4 as vdl does after an HLS download: the decryption's share of a
// join (bench/aes.sh measures it end to end). For the bench's own
// segments: VDL_BENCH_TS='/tmp/vdl-bench-aes/www/clear/seg*.ts'.
func BenchmarkJoinAES(b *testing.B) {
	files := benchTSFiles(b)
	dir := b.TempDir()
	key, iv := mustHex("00112233445566778899aabbccddeeff"), mustHex("000102030405060708090a0b0c0d0e0f")
	var segs, clear []Segment
	var size int64
	for _, f := range files {
		enc := filepath.Join(dir, filepath.Base(f)+".enc")
		plain, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		size += int64(len(plain))
		if err := os.WriteFile(enc, encryptCBC(b, plain, key, iv), 0o644); err != nil {
			b.Fatal(err)
		}
		segs = append(segs, Segment{Path: enc, Key: key, IV: iv})
		clear = append(clear, Segment{Path: f})
	}
	for _, in := range []struct {
		name string
		segs []Segment
	}{{"aes", segs}, {"clear", clear}} {
		for _, out := range []string{"out.ts", "out.mp4"} {
			b.Run(in.name+"-"+out, func(b *testing.B) {
				path := filepath.Join(dir, out)
				b.SetBytes(size)
				for b.Loop() {
					os.Remove(path)
					if _, _, err := Join(context.Background(), path, []Input{{Container: "ts", Segments: in.segs}}, JoinOptions{WorkDir: dir}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// benchTSFiles are the TS segments $VDL_BENCH_TS names (a glob; the HLS
// fixture's by default).
func benchTSFiles(b *testing.B) []string {
	glob := os.Getenv("VDL_BENCH_TS")
	if glob == "" {
		glob = fixture("hls-ts", "seg*.ts")
	}
	files, err := filepath.Glob(glob)
	if err != nil || len(files) == 0 {
		b.Fatalf("no TS files match %q", glob)
	}
	return files
}
