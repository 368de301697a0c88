package mux

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestWriteAtomicOwnTempFile: the temp file is new and unique, so a link
// planted at the old fixed name "<out>.tmp" is never written through, and
// two writers of one output do not collide (the last rename wins whole).
func TestWriteAtomicOwnTempFile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.ts")
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, out+".tmp"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = writeAtomic(context.Background(), out, func(w *bufio.Writer) error {
				_, err := fmt.Fprintf(w, "writer %d: %0100d", i, 0)
				return err
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("writer %d: %v", i, err)
		}
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious" {
		t.Errorf("the symlink's target was overwritten: %q", b)
	}
	if fi, err := os.Lstat(out); err != nil || !fi.Mode().IsRegular() || fi.Size() != int64(len("writer 0: ")+100) {
		t.Errorf("output %v, %v: want a regular file from one writer", fi, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 { // out.ts, out.ts.tmp (the planted link), victim
		t.Errorf("folder holds %d entries, want no temp files left", len(entries))
	}
}
