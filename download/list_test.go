package download

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vdlproject/vdl/extractors"
	ms "github.com/vdlproject/vdl/internal/mediaserver"
	"github.com/vdlproject/vdl/request"
)

func TestParseItems(t *testing.T) {
	tests := []struct {
		spec string
		has  []int
		not  []int
		err  bool
	}{
		{spec: "1-3,7,10-", has: []int{1, 2, 3, 7, 10, 11, 500}, not: []int{4, 6, 8, 9}},
		{spec: " 2 , 4-4 ", has: []int{2, 4}, not: []int{1, 3, 5}},
		{spec: "5-", has: []int{5, 6}, not: []int{4}},
		{spec: "", err: true},
		{spec: "0", err: true},
		{spec: "3-1", err: true},
		{spec: "a-b", err: true},
		{spec: "1,,2", err: true},
		{spec: "-3", err: true},
	}
	for _, tt := range tests {
		it, err := ParseItems(tt.spec)
		if tt.err {
			if !errors.Is(err, ErrBadItems) {
				t.Errorf("%q: error %v, want ErrBadItems", tt.spec, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", tt.spec, err)
		}
		for _, n := range tt.has {
			if !it.Has(n) {
				t.Errorf("%q: %d not selected", tt.spec, n)
			}
		}
		for _, n := range tt.not {
			if it.Has(n) {
				t.Errorf("%q: %d selected", tt.spec, n)
			}
		}
	}
	if !(Items{}).Has(42) {
		t.Error("the zero Items does not take everything")
	}
}

// TestJournal: one JSON line per item with the run's time, appended.
func TestJournal(t *testing.T) {
	path := filepath.Join(t.TempDir(), journalName)
	j, err := openJournal(path, time.Date(2026, 12, 1, 22, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	items := []ItemReport{
		{Index: 1, Site: "qq", ID: "v1", Episode: 1, Title: "第01集", Format: "shd", File: "s/e1.mp4", Bytes: 10, Outcome: Downloaded},
		{Index: 6, Site: "qq", ID: "v6", Episode: 6, Outcome: Refused, Reason: "VIP only", Err: errors.New("not pay")},
		{Index: 7, Title: "http://user:s3cret@host/x.mp4", Outcome: Failed,
			Reason: `GET "http://user:s3cret@host/x.mp4": 404`, Err: errors.New("x")},
	}
	for _, it := range items {
		if err := j.Add(it); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var n int
	for sc.Scan() {
		var got map[string]any
		if err := json.Unmarshal(sc.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		want := items[n].redacted()
		id, _ := got["id"].(string)
		ep, _ := got["episode"].(float64)
		if got["run"] != "2026-12-01T22:00:00Z" || id != want.ID || got["outcome"] != string(want.Outcome) ||
			ep != float64(want.Episode) || (want.Reason != "" && got["reason"] != want.Reason) {
			t.Errorf("line %d: %v", n, got)
		}
		if strings.Contains(sc.Text(), "not pay") {
			t.Error("the error value leaked into the journal beside the reason")
		}
		if strings.Contains(sc.Text(), "s3cret") || strings.Contains(sc.Text(), "user") {
			t.Errorf("line %d keeps a URL's credentials: %s", n, sc.Text())
		}
		n++
	}
	if n != len(items) {
		t.Errorf("%d lines", n)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("journal mode %v (%v), want 0600", st.Mode(), err)
	}
}

// TestJournalRefusesWhatIsInItsWay: a folder, a link (dangling or not)
// at the journal's name is a DiskError as the journal is opened, before
// any item.
func TestJournalRefusesWhatIsInItsWay(t *testing.T) {
	for _, tt := range []struct {
		name  string
		plant func(path string) error
		want  string
	}{
		{"folder", func(p string) error { return os.Mkdir(p, 0o755) }, "is a folder"},
		{"link", func(p string) error {
			target := filepath.Join(filepath.Dir(p), "elsewhere")
			if err := os.WriteFile(target, nil, 0o644); err != nil {
				return err
			}
			return os.Symlink(target, p)
		}, "symbolic link"},
		{"dangling link", func(p string) error { return os.Symlink(filepath.Join(filepath.Dir(p), "none"), p) }, "symbolic link"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), journalName)
			if err := tt.plant(path); err != nil {
				t.Skip(err)
			}
			_, err := openJournal(path, time.Now())
			var de *DiskError
			if !errors.As(err, &de) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("openJournal: %v, want a DiskError saying %q", err, tt.want)
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(path), "none")); err == nil {
				t.Error("the journal was created through a dangling link")
			}
		})
	}
}

// TestRedactText: every URL in a text loses its credentials through
// request.Redact; the rest of the text is kept byte for byte.
func TestRedactText(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"no url here", "no url here"},
		{"http://host/a@b?c=1", "http://host/a@b?c=1"},
		{"GET http://user:s3cret@host:81/x.mp4: 404 Not Found", "GET http://host:81/x.mp4: 404 Not Found"},
		{`Get "https://u:p@h/x": dial tcp: refused`, `Get "https://h/x": dial tcp: refused`},
		{"[1/2] a http://a:b@one/x and http://c:d@two/y", "[1/2] a http://one/x and http://two/y"},
		{`{"url":"http://u:p@h/x"}` + "\n", `{"url":"http://h/x"}` + "\n"},
		{"http://user:s3cret@host/%zz", "http://host/%zz"}, // does not parse: cut as text
		{"rtmp+x://k:v@h/s 日本", "rtmp+x://h/s 日本"},
	} {
		if got := RedactText(tt.in); got != tt.want {
			t.Errorf("RedactText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestEntryLabelRedacted: an entry without a title is labelled by its
// URL, without its credentials.
func TestEntryLabelRedacted(t *testing.T) {
	pl := &extractors.Playlist{}
	got := entryLabel(pl, extractors.Entry{URL: "https://user:s3cret@host/v/1", Episode: 3})
	if got != "E03 https://host/v/1" {
		t.Errorf("label %q", got)
	}
}

// TestItemsPickNone: a spec that selects none of a list's items is a
// NoneSelectedError (exit 2 through ErrBadItems); List asks nothing.
func TestItemsPickNone(t *testing.T) {
	it, err := ParseItems("20-")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := it.Pick(25); err != nil || len(got) != 6 || got[0] != 19 {
		t.Errorf("Pick(25) = %v, %v", got, err)
	}
	var none *NoneSelectedError
	if _, err := it.Pick(12); !errors.As(err, &none) || !errors.Is(err, ErrBadItems) || none.Count != 12 {
		t.Errorf("Pick(12): %v", err)
	}
	if got, err := it.Pick(0); err != nil || got != nil {
		t.Errorf("an empty list: %v, %v", got, err)
	}
	d, err := New(Options{Client: &request.Client{HTTP: &http.Client{Transport: failingTransport{t}}}, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	pl := &extractors.Playlist{Site: "refreshtest", Entries: []extractors.Entry{{URL: "https://refresh.test/1", ID: "a"}}}
	if _, err := d.list(context.Background(), pl, listOptions{Items: it}, &numbering{}); !errors.As(err, &none) {
		t.Errorf("List: %v", err)
	}
}

// failingTransport fails a test that makes any request.
type failingTransport struct{ t *testing.T }

func (f failingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.t.Errorf("request to %s", r.URL)
	return nil, errors.New("no requests here")
}

// TestSleepInterval: --sleep-interval waits between items that asked the
// site anything, through the client's policy (so tests need not sleep).
func TestSleepInterval(t *testing.T) {
	var waits []time.Duration
	client := &request.Client{HTTP: &http.Client{}, Policy: request.Policy{Retries: -1,
		Sleep: func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }}}
	d, err := New(Options{Client: client, Dir: t.TempDir(), Format: "best"})
	if err != nil {
		t.Fatal(err)
	}
	pl := &extractors.Playlist{Site: "refreshtest", Title: "s", Entries: []extractors.Entry{
		{URL: "https://refresh.test/1", ID: "a"}, {URL: "https://refresh.test/2", ID: "b"}, {URL: "https://refresh.test/3", ID: "c"}}}
	rep, err := d.list(context.Background(), pl, listOptions{SleepInterval: 3 * time.Second}, &numbering{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Items) != 3 {
		t.Fatalf("%d items", len(rep.Items))
	}
	var slept int
	for _, w := range waits {
		if w == 3*time.Second {
			slept++
		}
	}
	if slept != 2 {
		t.Errorf("slept %d times between 3 items (waits %v), want 2", slept, waits)
	}
}

// flakySite fails its first extraction of entry "/2" with a network
// fault, then serves every entry as a plain file of the media server.
type flakySite struct {
	fileURL string
	calls   *atomic.Int64
}

func (s flakySite) Extract(_ context.Context, u *url.URL) (*extractors.Result, error) {
	if u.Path == "/2" && s.calls.Add(1) == 1 {
		return nil, request.Transient(errors.New("connection reset by peer"))
	}
	id := strings.TrimPrefix(u.Path, "/")
	return &extractors.Result{Media: []*extractors.Media{{Site: "flaky", ID: id, Title: "item " + id, Formats: []extractors.Format{{
		ID: "direct", Container: "bin", Size: -1, Plain: true,
		Streams: []extractors.Stream{{Segments: []extractors.Segment{{URL: s.fileURL, Size: -1}}}},
	}}}}}, nil
}

// TestNetworkFailuresGetOneMoreTry: an item whose extraction failed for
// network reasons is tried again after the others, and succeeds.
func TestNetworkFailuresGetOneMoreTry(t *testing.T) {
	data := ms.RandomBytes(10 << 10)
	srv := ms.Start(data, ms.Options{})
	defer srv.Close()
	calls := &atomic.Int64{}
	// The registry is process-wide: a name and host of this run's own
	// (its server's port), so that -count=N registers a new site each time.
	host := "flaky-" + strings.ReplaceAll(strings.TrimPrefix(srv.URL, "http://"), ":", "-") + ".test"
	extractors.Register(extractors.Site{Name: host, Hosts: []string{host},
		New: func(extractors.Env) extractors.Extractor { return flakySite{fileURL: srv.FileURL(), calls: calls} }})
	dir := t.TempDir()
	d, err := New(Options{Client: &request.Client{HTTP: &http.Client{}}, Dir: dir, Format: "best", Output: "%(id)s.%(ext)s"})
	if err != nil {
		t.Fatal(err)
	}
	pl := &extractors.Playlist{Site: "flaky", Entries: []extractors.Entry{
		{URL: "https://" + host + "/1", ID: "1"}, {URL: "https://" + host + "/2", ID: "2"}, {URL: "https://" + host + "/3", ID: "3"}}}
	rep, err := d.list(context.Background(), pl, listOptions{}, &numbering{})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range rep.Items {
		if it.Outcome != Downloaded {
			t.Errorf("item %s: %s (%s)", it.ID, it.Outcome, it.Reason)
		}
	}
	if calls.Load() != 2 {
		t.Errorf("entry 2 extracted %d times, want 2", calls.Load())
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "2.bin")); !bytes.Equal(got, data) {
		t.Error("the retried item's file is wrong")
	}
}
