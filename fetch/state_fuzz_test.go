package fetch

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoadState: any state file is either discarded or applied in a way
// that holds: every done range lies inside its part's size and its file,
// and a part is complete only when its file has exactly its size.
func FuzzLoadState(f *testing.F) {
	f.Add([]byte(`{"version":2,"key":"k","count":3,"complete":[{"start":0,"end":2}],"sizes":[-1,10]}`))
	f.Add([]byte(`{"version":2,"key":"k","count":3,"parts":[{"index":2,"size":100,"done":[{"start":0,"end":50}]}]}`))
	f.Add([]byte(`{"version":1,"key":"k","parts":[{"index":0,"size":10,"done":[{"start":0,"end":10}]},{"index":1,"size":-1,"done":[]},{"index":2,"size":100,"done":[{"start":5,"end":9}]}]}`))
	f.Fuzz(func(t *testing.T, state []byte) {
		dir := t.TempDir()
		sizes := []int64{10, 10, 100} // the files on disk
		var parts []Part
		for i, n := range sizes {
			p := filepath.Join(dir, string(rune('a'+i)))
			if err := os.WriteFile(p, make([]byte, n), 0o644); err != nil {
				t.Fatal(err)
			}
			hint := int64(-1)
			if i == 0 {
				hint = 10
			}
			parts = append(parts, Part{URL: "http://127.0.0.1:1/x", Size: hint, Path: p})
		}
		statePath := filepath.Join(dir, "state.json")
		if err := os.WriteFile(statePath, state, 0o644); err != nil {
			t.Fatal(err)
		}
		j, err := New(parts, Options{StatePath: statePath, Key: "k"})
		if err != nil {
			t.Fatal(err)
		}
		if err := j.loadState(); err != nil {
			return
		}
		for i, p := range j.parts {
			if !p.done.valid(p.size) {
				t.Fatalf("part %d: done %v does not fit size %d", i, p.done, p.size)
			}
			if n := len(p.done); n > 0 && p.done[n-1].End > sizes[i] {
				t.Fatalf("part %d: done %v past its file's %d bytes", i, p.done, sizes[i])
			}
			if p.complete && p.size != sizes[i] {
				t.Fatalf("part %d: complete at %d bytes, its file has %d", i, p.size, sizes[i])
			}
			if i == 0 && p.complete && p.size != 10 {
				t.Fatalf("part 0: complete at %d bytes against the caller's 10", p.size)
			}
		}
	})
}
