package download

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const testIdent = "qq:m00tsmode01:321003"

// writeMedia writes a file of n bytes with varied content and returns it.
func writeMedia(t *testing.T, dir string, n int) string {
	t.Helper()
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	p := filepath.Join(dir, "video.mp4")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestIdentityRecordRoundTrip(t *testing.T) {
	tests := []identityRecord{
		{Source: testIdent, Size: 1234, MTime: 1700000000123456789, Sample: "00ff", Path: "/x/video.mp4"},
		{Source: "generic:http://h/a%20b.mp4?x=\"1\":direct", Size: 0, MTime: -5},
		{Source: "hls:http://h/i.m3u8:720p", Size: 1 << 40, MTime: 1, Sample: strings.Repeat("a", 32)},
	}
	for _, rec := range tests {
		b, err := encodeRecord(rec)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeRecord(b)
		if err != nil || got != rec {
			t.Errorf("decode(encode(%+v)) = %+v, %v", rec, got, err)
		}
	}
}

func TestIdentityRecordDecodeRefuses(t *testing.T) {
	tests := []struct{ name, data string }{
		{"an older vdl's attribute", testIdent},
		{"empty", ""},
		{"blank", "  \n"},
		{"empty object", "{}"},
		{"no size", `{"source":"qq:a:b","mtime_ns":5}`},
		{"no time", `{"source":"qq:a:b","size":5}`},
		{"no identity", `{"size":5,"mtime_ns":5}`},
		{"negative size", `{"source":"qq:a:b","size":-1,"mtime_ns":5}`},
		{"size as text", `{"source":"qq:a:b","size":"5","mtime_ns":5}`},
		{"cut short", `{"source":"qq:a:b","size":5,"mti`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := decodeRecord([]byte(tc.data))
			if !errors.Is(err, errUnproven) {
				t.Errorf("decode(%q) = %+v, %v; want an unproven record", tc.data, rec, err)
			}
		})
	}
}

// An older vdl's state record has no sample; it still decodes.
func TestIdentityRecordDecodeOlderStateRecord(t *testing.T) {
	rec, err := decodeRecord([]byte(`{"path":"/d/v.mp4","size":10,"mtime_ns":20,"source":"qq:a:b"}`))
	want := identityRecord{Source: "qq:a:b", Size: 10, MTime: 20, Path: "/d/v.mp4"}
	if err != nil || rec != want {
		t.Errorf("got %+v, %v; want %+v", rec, err, want)
	}
}

// edit changes a recorded file behind vdl's back; restore puts the
// recorded modification time back afterwards.
type edit struct {
	name    string
	size    int // of the file first written
	change  func(t *testing.T, path string)
	restore bool
}

func rewriteAt(off int64) func(t *testing.T, path string) {
	return func(t *testing.T, path string) {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteAt([]byte("EDITED"), off); err != nil {
			t.Fatal(err)
		}
	}
}

func truncateTo(n int64) func(t *testing.T, path string) {
	return func(t *testing.T, path string) {
		if err := os.Truncate(path, n); err != nil {
			t.Fatal(err)
		}
	}
}

// caughtEdits are the edits every record must see.
var caughtEdits = []edit{
	{"cut short", 5000, truncateTo(1000), false},
	{"cut short, time put back", 5000, truncateTo(1000), true},
	{"grown", 5000, truncateTo(6000), false},
	{"rewritten, same size", 5000, rewriteAt(100), false},
	{"rewritten, same size, time put back", 5000, rewriteAt(100), true},
	{"large: first block, time put back", 1 << 20, rewriteAt(10), true},
	{"large: middle block, time put back", 1 << 20, rewriteAt(1<<19 - 3), true},
	{"large: last block, time put back", 1 << 20, rewriteAt(1<<20 - 6), true},
}

func applyEdit(t *testing.T, path string, e edit) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	e.change(t, path)
	mtime := st.ModTime()
	if !e.restore {
		mtime = mtime.Add(time.Hour) // a new time, whatever the clock's granularity
	}
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

func TestIdentityVerify(t *testing.T) {
	for _, e := range caughtEdits {
		t.Run(e.name, func(t *testing.T) {
			path := writeMedia(t, t.TempDir(), e.size)
			rec, err := observe(path, testIdent)
			if err != nil {
				t.Fatal(err)
			}
			check := func() error {
				st, err := os.Lstat(path)
				if err != nil {
					t.Fatal(err)
				}
				return rec.verify(st, func() (string, error) { return sampleFile(path, st.Size()) })
			}
			if err := check(); err != nil {
				t.Fatalf("untouched file: %v", err)
			}
			applyEdit(t, path, e)
			if err := check(); !errors.Is(err, errUnproven) {
				t.Errorf("after the edit: %v, want unproven", err)
			}
		})
	}
}

// A record without a sample (an older vdl's state record) is checked
// on size and time: it cannot see bytes changed under a restored time.
func TestIdentityVerifyWithoutSample(t *testing.T) {
	path := writeMedia(t, t.TempDir(), 5000)
	rec, err := observe(path, testIdent)
	if err != nil {
		t.Fatal(err)
	}
	rec.Sample = ""
	sampled := false
	noSample := func() (string, error) { sampled = true; return "", errors.New("not wanted") }
	st, _ := os.Lstat(path)
	if err := rec.verify(st, noSample); err != nil || sampled {
		t.Errorf("untouched: %v (sampled %v)", err, sampled)
	}
	applyEdit(t, path, edit{change: truncateTo(10)})
	st, _ = os.Lstat(path)
	if err := rec.verify(st, noSample); !errors.Is(err, errUnproven) {
		t.Errorf("cut short: %v, want unproven", err)
	}
	dir, _ := os.Lstat(filepath.Dir(path))
	if err := rec.verify(dir, noSample); !errors.Is(err, errUnproven) {
		t.Errorf("a folder: %v, want unproven", err)
	}
}

// store writes a record of path into one of the two places.
type store struct {
	name  string
	write func(t *testing.T, stateDir, path string, rec identityRecord)
}

var stores = []store{
	{"attribute", func(t *testing.T, _, path string, rec identityRecord) {
		data, err := encodeRecord(rec)
		if err != nil {
			t.Fatal(err)
		}
		if err := setXattr(path, IdentityAttr, string(data)); err != nil {
			t.Skipf("no extended attributes here: %v", err)
		}
	}},
	{"state folder", func(t *testing.T, stateDir, path string, rec identityRecord) {
		if err := writeRecord(stateDir, path, rec); err != nil {
			t.Fatal(err)
		}
	}},
}

// TestIdentityReadBothRecords: the attribute and the state folder's
// record prove a file the same way, and stop proving it after the same
// edits.
func TestIdentityReadBothRecords(t *testing.T) {
	for _, s := range stores {
		for _, e := range caughtEdits {
			t.Run(s.name+"/"+e.name, func(t *testing.T) {
				stateDir := t.TempDir()
				path := writeMedia(t, t.TempDir(), e.size)
				rec, err := observe(path, testIdent)
				if err != nil {
					t.Fatal(err)
				}
				s.write(t, stateDir, path, rec)
				if got := readIdentity(stateDir, path); got != testIdent {
					t.Fatalf("untouched: %q, want %q", got, testIdent)
				}
				applyEdit(t, path, e)
				if got := readIdentity(stateDir, path); got != "" {
					t.Errorf("after the edit: %q, want nothing proven", got)
				}
			})
		}
	}
}

func TestIdentityMarkThenRead(t *testing.T) {
	for _, stateDir := range []string{"", t.TempDir()} {
		path := writeMedia(t, t.TempDir(), 300<<10)
		if err := markIdentity(stateDir, path, testIdent); err != nil {
			if stateDir == "" {
				continue // no attributes here, and no state folder
			}
			t.Fatal(err)
		}
		if got := readIdentity(stateDir, path); got != testIdent {
			t.Errorf("state %q: read %q, want %q (did tagging move the time?)", stateDir, got, testIdent)
		}
	}
}

func TestIdentityUnprovenRecords(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, stateDir, path string)
		want  string
	}{
		{"an older vdl's attribute alone", func(t *testing.T, _, path string) {
			if err := setXattr(path, IdentityAttr, testIdent); err != nil {
				t.Skipf("no extended attributes here: %v", err)
			}
		}, ""},
		{"an older vdl's attribute and a matching state record", func(t *testing.T, stateDir, path string) {
			if err := setXattr(path, IdentityAttr, testIdent); err != nil {
				t.Skipf("no extended attributes here: %v", err)
			}
			rec, err := observe(path, testIdent)
			if err != nil {
				t.Fatal(err)
			}
			if err := writeRecord(stateDir, path, rec); err != nil {
				t.Fatal(err)
			}
		}, testIdent},
		{"another path's state record", func(t *testing.T, stateDir, path string) {
			rec, err := observe(path, testIdent)
			if err != nil {
				t.Fatal(err)
			}
			rec.Path = path + ".other"
			data, _ := encodeRecord(rec)
			abs, _ := filepath.Abs(path)
			rp := recordPath(stateDir, abs)
			if err := os.MkdirAll(filepath.Dir(rp), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(rp, data, 0o600); err != nil {
				t.Fatal(err)
			}
		}, ""},
		{"a state record of junk", func(t *testing.T, stateDir, path string) {
			abs, _ := filepath.Abs(path)
			rp := recordPath(stateDir, abs)
			if err := os.MkdirAll(filepath.Dir(rp), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(rp, bytes.Repeat([]byte{0}, 100), 0o600); err != nil {
				t.Fatal(err)
			}
		}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stateDir := t.TempDir()
			path := writeMedia(t, t.TempDir(), 5000)
			tc.setup(t, stateDir, path)
			if got := readIdentity(stateDir, path); got != tc.want {
				t.Errorf("read %q, want %q", got, tc.want)
			}
		})
	}
}
