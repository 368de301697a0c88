//go:build linux

package main

import (
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/vdlproject/vdl/download"
	ms "github.com/vdlproject/vdl/internal/mediaserver"
)

// identitySource is one download the identity tests edit behind vdl's
// back: its URL, extra flags, the name vdl gives it and its bytes.
type identitySource struct {
	url       string
	args      []string
	stem, ext string
	want      []byte
}

func (s identitySource) run(t *testing.T, env []string, dir string, extra ...string) result {
	t.Helper()
	args := append(append(append([]string{}, s.args...), extra...), "-d", dir, s.url)
	return runVDL(t, env, args...)
}

// identitySources serves a plain media file (its size is known before
// the download, so the exact-size rule applies too) and an HLS stream
// (joined: nothing but the recorded identity proves what a file is).
func identitySources(t *testing.T) (plain, joined identitySource) {
	t.Helper()
	data := ms.RandomBytes(300 << 10)
	srv := httptest.NewServer(ms.Handler(data, ms.Options{}))
	t.Cleanup(srv.Close)
	site := hlsSite(t)
	_, ts := plainTS(t)
	plain = identitySource{url: srv.URL + "/media.mp4", stem: "media", ext: ".mp4", want: data}
	joined = identitySource{url: site.URL("/plain/index.m3u8"), args: []string{"--remux", "ts"}, stem: "plain", ext: ".ts", want: ts}
	return plain, joined
}

// downloadTagged downloads src into a fresh folder, checks it, and
// returns the file and the modification time vdl recorded. The test
// needs the extended attribute: it is the record that was trusted
// without a check.
func downloadTagged(t *testing.T, src identitySource, env []string) (string, time.Time) {
	t.Helper()
	dir := t.TempDir()
	r := src.run(t, env, dir, "-q")
	out := filepath.Join(dir, src.stem+src.ext)
	if r.code != 0 || !fileExists(out) || sha(t, out) != sha256Of(src.want) {
		t.Fatalf("first download: exit %d, %s", r.code, r.stderr)
	}
	buf := make([]byte, 4096)
	if _, err := unix.Lgetxattr(out, download.IdentityAttr, buf); err != nil {
		if errors.Is(err, unix.ENOTSUP) {
			t.Skipf("no extended attributes on %s", dir)
		}
		t.Fatalf("the download has no %s: %v", download.IdentityAttr, err)
	}
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	return out, st.ModTime()
}

// invert rewrites a file with other bytes of the same size.
func invert(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range b {
		b[i] ^= 0xff
	}
	if err := os.WriteFile(path, b, 0o644); err != nil { // the attribute stays on the file
		t.Fatal(err)
	}
}

// TestIdentityEditedFile: a finished file edited since (cut short,
// rewritten, even rewritten with its recorded modification time put
// back) is no longer "already downloaded", whichever record vouched for
// it. The rerun takes the next free name, as README promises for a file
// nothing identifies, leaves the edited file alone, and exits 0 with
// the right bytes.
func TestIdentityEditedFile(t *testing.T) {
	plain, joined := identitySources(t)
	tests := []struct {
		name string
		src  identitySource
		edit func(t *testing.T, path string, mtime time.Time)
	}{
		{"plain file cut to 1000 bytes", plain, func(t *testing.T, path string, _ time.Time) {
			if err := os.Truncate(path, 1000); err != nil {
				t.Fatal(err)
			}
		}},
		{"joined file cut to 1000 bytes", joined, func(t *testing.T, path string, _ time.Time) {
			if err := os.Truncate(path, 1000); err != nil {
				t.Fatal(err)
			}
		}},
		{"same size, new time", joined, func(t *testing.T, path string, mtime time.Time) {
			invert(t, path)
			later := mtime.Add(time.Hour) // not left to the clock's granularity
			if err := os.Chtimes(path, later, later); err != nil {
				t.Fatal(err)
			}
		}},
		{"same size, recorded time put back", joined, func(t *testing.T, path string, mtime time.Time) {
			invert(t, path)
			if err := os.Chtimes(path, mtime, mtime); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, mtime := downloadTagged(t, tc.src, nil)
			tc.edit(t, out, mtime)
			edited := sha(t, out)
			r := tc.src.run(t, nil, filepath.Dir(out))
			again := filepath.Join(filepath.Dir(out), tc.src.stem+" (2)"+tc.src.ext)
			if r.code != 0 || strings.Contains(r.stderr, "already downloaded") {
				t.Fatalf("rerun: exit %d, %q; want a new download", r.code, r.stderr)
			}
			if !fileExists(again) || sha(t, again) != sha256Of(tc.src.want) {
				t.Fatalf("rerun: %s missing or wrong (stderr %q)", again, r.stderr)
			}
			if sha(t, out) != edited {
				t.Error("the edited file was touched")
			}
		})
	}
}

// TestIdentityOlderAttribute: an attribute an older vdl wrote holds the
// identity alone, nothing that ties it to the file's bytes; it proves
// nothing by itself (the file may have been edited since), so with no
// record of vdl's own the rerun downloads again under the next name. With
// the state folder's record still matching, the file is recognised.
func TestIdentityOlderAttribute(t *testing.T) {
	_, joined := identitySources(t)
	state := "VDL_STATE_DIR=" + t.TempDir()
	out, _ := downloadTagged(t, joined, []string{state})
	buf := make([]byte, 4096)
	n, err := unix.Lgetxattr(out, download.IdentityAttr, buf)
	if err != nil {
		t.Fatal(err)
	}
	legacy := string(buf[:n])
	var rec struct { // this vdl's attribute; an older one held the identity alone
		Source string `json:"source"`
	}
	if json.Unmarshal(buf[:n], &rec) == nil && rec.Source != "" {
		legacy = rec.Source
	}
	if err := unix.Lsetxattr(out, download.IdentityAttr, []byte(legacy), 0); err != nil {
		t.Fatal(err)
	}
	r := joined.run(t, []string{state}, filepath.Dir(out))
	if r.code != 0 || !strings.Contains(r.stderr, "already downloaded") {
		t.Errorf("with the state record: exit %d, %q; want a skip", r.code, r.stderr)
	}
	r = joined.run(t, []string{"VDL_STATE_DIR=" + t.TempDir()}, filepath.Dir(out), "-q")
	again := filepath.Join(filepath.Dir(out), "plain (2).ts")
	if r.code != 0 || !fileExists(again) || sha(t, again) != sha256Of(joined.want) {
		t.Errorf("older attribute alone: exit %d, %q; want a new download in %s", r.code, r.stderr, again)
	}
}

// TestIdentityEditedOutputFlag: with -o, an edited file in the way is
// not this download either; README makes that an error (exit 5) that
// leaves the file as it is.
func TestIdentityEditedOutputFlag(t *testing.T) {
	plain, _ := identitySources(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "named.mp4")
	r := plain.run(t, nil, dir, "-q", "-o", out)
	if r.code != 0 || sha(t, out) != sha256Of(plain.want) {
		t.Fatalf("first download: exit %d, %s", r.code, r.stderr)
	}
	if err := os.Truncate(out, 1000); err != nil {
		t.Fatal(err)
	}
	r = plain.run(t, nil, dir, "-o", out)
	if r.code != exitDisk {
		t.Errorf("rerun: exit %d, %q; want %d", r.code, r.stderr, exitDisk)
	}
	oneErrorLine(t, r.stderr, "1000 bytes")
	if st, err := os.Stat(out); err != nil || st.Size() != 1000 {
		t.Errorf("the edited file was touched: %v %v", st, err)
	}
}
