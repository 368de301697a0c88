package main

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	ms "github.com/vdlproject/vdl/internal/mediaserver"
)

// victim is a folder of files that are not vdl's; untouched() fails the
// test if any of them changed, moved or vanished.
type victim struct {
	dir   string
	files map[string][]byte
}

func newVictim(t *testing.T) *victim {
	t.Helper()
	v := &victim{dir: t.TempDir(), files: map[string][]byte{
		"data": []byte("precious data"), "state.json": []byte(`{"precious":true}`), "file": []byte("precious file"),
	}}
	for name, b := range v.files {
		if err := os.WriteFile(filepath.Join(v.dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return v
}

func (v *victim) untouched(t *testing.T) {
	t.Helper()
	entries, _ := os.ReadDir(v.dir)
	if len(entries) != len(v.files) {
		t.Errorf("the folder vdl was lured to now holds %d entries, not %d", len(entries), len(v.files))
	}
	for name, want := range v.files {
		if got, err := os.ReadFile(filepath.Join(v.dir, name)); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s outside vdl's files was changed (%q, %v)", name, got, err)
		}
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// TestLinksInTheWayAreNeverFollowed: links planted where vdl keeps its
// work (the work folder, a part file in it, a temp name, the output)
// never make it write, move or delete anything outside its own files.
// Without --force it refuses with one line and exit 5; with --force it
// replaces the link itself.
func TestLinksInTheWayAreNeverFollowed(t *testing.T) {
	data := ms.RandomBytes(300 << 10)
	s := ms.Start(data, ms.Options{})
	defer s.Close()
	tests := []struct {
		name  string
		plant func(t *testing.T, dir string, v *victim)
		args  []string
		want  int    // exit code without --force
		line  string // what the error line says
	}{
		{"work folder is a link", func(t *testing.T, dir string, v *victim) {
			symlink(t, v.dir, filepath.Join(dir, "file.bin.vdl"))
		}, nil, exitDisk, "symbolic link"},
		{"work folder is a link, -o", func(t *testing.T, dir string, v *victim) {
			symlink(t, v.dir, filepath.Join(dir, "out.bin.vdl"))
		}, []string{"-o", "out.bin"}, exitDisk, "symbolic link"},
		{"part file in the work folder is a link", func(t *testing.T, dir string, v *victim) {
			os.Mkdir(filepath.Join(dir, "file.bin.vdl"), 0o755)
			symlink(t, filepath.Join(v.dir, "data"), filepath.Join(dir, "file.bin.vdl", "data"))
		}, nil, exitDisk, "not a file vdl made"},
		{"state file is a link", func(t *testing.T, dir string, v *victim) {
			os.Mkdir(filepath.Join(dir, "file.bin.vdl"), 0o755)
			symlink(t, filepath.Join(v.dir, "state.json"), filepath.Join(dir, "file.bin.vdl", "state.json"))
		}, nil, exitDisk, "not a file vdl made"},
		{"dangling link at the output, -o", func(t *testing.T, dir string, v *victim) {
			symlink(t, filepath.Join(v.dir, "nothing-here"), filepath.Join(dir, "out.bin"))
		}, []string{"-o", "out.bin"}, exitDisk, "not a regular file"},
		{"link to a file at the output, -o", func(t *testing.T, dir string, v *victim) {
			symlink(t, filepath.Join(v.dir, "file"), filepath.Join(dir, "out.bin"))
		}, []string{"-o", "out.bin"}, exitDisk, "not a regular file"},
		{"temp-looking names are links", func(t *testing.T, dir string, v *victim) {
			for _, n := range []string{"out.bin.tmp", ".out.bin.tmp", "out.bin.part"} {
				symlink(t, filepath.Join(v.dir, "file"), filepath.Join(dir, n))
			}
		}, []string{"-o", "out.bin"}, exitOK, ""},
	}
	for _, tt := range tests {
		for _, force := range []bool{false, true} {
			name := tt.name
			if force {
				name += ", --force"
			}
			t.Run(name, func(t *testing.T) {
				dir, v := t.TempDir(), newVictim(t)
				tt.plant(t, dir, v)
				args := append([]string{"-q", "-d", dir}, tt.args...)
				if force {
					args = append(args, "--force")
				}
				r := runVDL(t, nil, append(args, s.FileURL())...)
				v.untouched(t)
				out := filepath.Join(dir, "file.bin")
				if len(tt.args) > 0 {
					out = filepath.Join(dir, "out.bin")
				}
				want := tt.want
				if force {
					want = exitOK
				}
				if r.code != want {
					t.Fatalf("exit %d, want %d: %s", r.code, want, r.stderr)
				}
				if want != exitOK {
					oneErrorLine(t, r.stderr, tt.line)
					return
				}
				if st, err := os.Lstat(out); err != nil || !st.Mode().IsRegular() {
					t.Fatalf("%s is not a regular file after the download (%v)", out, err)
				}
				if sha(t, out) != sha256Of(data) {
					t.Error("content differs")
				}
				if _, err := os.Lstat(out + ".vdl"); err == nil {
					t.Error("the work folder (or the link in its place) is left")
				}
			})
		}
	}
}

// TestJoinNeverWritesThroughLinks: vdl join writes a temp file of its own
// and renames it; a link at a temp-looking name or at the output is
// never written through.
func TestJoinNeverWritesThroughLinks(t *testing.T) {
	segs := []string{filepath.Join(mediaDir, "hls-ts", "seg000.ts"), filepath.Join(mediaDir, "hls-ts", "seg001.ts")}
	t.Run("link at out.tmp", func(t *testing.T) {
		dir, v := t.TempDir(), newVictim(t)
		out := filepath.Join(dir, "out.ts")
		symlink(t, filepath.Join(v.dir, "file"), out+".tmp")
		symlink(t, filepath.Join(v.dir, "file"), filepath.Join(dir, ".out.ts.tmp"))
		r := runVDL(t, nil, append([]string{"join", "-q", "-o", out}, segs...)...)
		v.untouched(t)
		if st, err := os.Lstat(out); r.code != 0 || err != nil || !st.Mode().IsRegular() {
			t.Fatalf("exit %d (%s); the output is not a regular file (%v)", r.code, r.stderr, err)
		}
	})
	for _, target := range []string{"file", "nothing-here"} {
		t.Run("link at the output to "+target, func(t *testing.T) {
			dir, v := t.TempDir(), newVictim(t)
			out := filepath.Join(dir, "out.ts")
			symlink(t, filepath.Join(v.dir, target), out)
			r := runVDL(t, nil, append([]string{"join", "-o", out}, segs...)...)
			v.untouched(t)
			if r.code != exitDisk {
				t.Fatalf("exit %d, want %d: %s", r.code, exitDisk, r.stderr)
			}
			oneErrorLine(t, r.stderr, "exists")
			r = runVDL(t, nil, append([]string{"join", "-q", "--force", "-o", out}, segs...)...)
			v.untouched(t)
			if st, err := os.Lstat(out); r.code != 0 || err != nil || !st.Mode().IsRegular() {
				t.Fatalf("--force: exit %d (%s); the output is not a regular file (%v)", r.code, r.stderr, err)
			}
		})
	}
}

// TestNamesFromServersAreSafe: the names a server suggests become files
// that every filesystem accepts, inside -d: no device names, no trailing
// dots, no paths; a URL without a file name takes its type's extension.
func TestNamesFromServersAreSafe(t *testing.T) {
	tests := []struct {
		disposition, ctype, path string
		want                     string
	}{
		{`attachment; filename="CON.mp4"`, "", "/x", "_CON.mp4"},
		{`attachment; filename="nul"`, "video/mp4", "/x", "_nul.mp4"},
		{`attachment; filename="episode. . ."`, "", "/x", "episode.bin"}, // a server name always ends in a media extension
		{`attachment; filename="../../escape.mp4"`, "", "/x", "_.._escape.mp4"},
		{"", "video/mp4", "/?id=5", "127.0.0.1.mp4"},
		{"", "video/mp2t", "/get.php?v=1", "get.ts"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			s := hostile(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.disposition != "" {
					w.Header().Set("Content-Disposition", tt.disposition)
				}
				if tt.ctype != "" {
					w.Header().Set("Content-Type", tt.ctype)
				}
				w.Write([]byte("some bytes"))
			})
			dir := t.TempDir()
			r := runVDL(t, nil, "-q", "-d", dir, s.URL+tt.path)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 || entries[0].Name() != tt.want {
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Errorf("files %q, want [%s]", names, tt.want)
			}
		})
	}
}

// TestTwoRunsOfOneOutput: a second vdl for the same output, while the
// first is downloading, refuses with one line (exit 5) instead of
// writing the same parts; the first finishes with the right bytes.
func TestTwoRunsOfOneOutput(t *testing.T) {
	data := ms.RandomBytes(2 << 20)
	s := ms.Start(data, ms.Options{Throttle: 2 << 20, NotifyAt: 256 << 10})
	defer s.Close()
	dir := t.TempDir()
	first := exec.Command(vdlBin, "-q", "-n", "2", "-d", dir, s.FileURL())
	var firstErr bytes.Buffer
	first.Stderr = &firstErr
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	<-s.Reached
	r := runVDL(t, nil, "-q", "-d", dir, s.FileURL())
	if err := first.Wait(); err != nil {
		t.Fatalf("the first run failed: %v: %s", err, firstErr.String())
	}
	if r.code != exitDisk {
		t.Fatalf("the second run: exit %d, want %d: %s", r.code, exitDisk, r.stderr)
	}
	oneErrorLine(t, r.stderr, "another vdl is downloading")
	if sha(t, filepath.Join(dir, "file.bin")) != sha256Of(data) {
		t.Error("content differs")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d entries left in the folder, want the file alone", len(entries))
	}
}

// TestDirIsMade: -d names a folder that does not exist yet: it is made.
func TestDirIsMade(t *testing.T) {
	data := ms.RandomBytes(10 << 10)
	s := ms.Start(data, ms.Options{})
	defer s.Close()
	dir := filepath.Join(t.TempDir(), "new", "deeper")
	if r := runVDL(t, nil, "-q", "-d", dir, s.FileURL()); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if sha(t, filepath.Join(dir, "file.bin")) != sha256Of(data) {
		t.Error("content differs")
	}
}
