// Package pagelog saves the page and API exchanges of a run into a
// directory, one numbered file each, with their secrets redacted: what
// vdl --write-pages gives a user to attach to a bug report when a site
// has changed.
package pagelog

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vdlproject/vdl/request"
)

// MaxBody bounds what is kept of one body, as the readers of pages and
// API replies bound what they read.
const MaxBody = 8 << 20

// Writer saves exchanges (see Record). It is safe for concurrent use.
type Writer struct {
	dir     string
	red     *request.Redactor
	log     *slog.Logger
	maxBody int

	mu     sync.Mutex
	next   int  // the number of the next file
	warned bool // a failure to write was reported
}

// New prepares dir (created if missing, 0700: the files describe the
// user's session) and checks that files can be created in it, so that a
// bad path fails the run before anything is downloaded. Numbering goes
// on after the files a previous run left there. Every exchange goes
// through red before it is written; log (nil discards) gets the one
// warning of a write that failed.
func New(dir string, red *request.Redactor, log *slog.Logger) (*Writer, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// The errors name the path already ("mkdir DIR: permission denied").
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	probe, err := os.CreateTemp(dir, ".vdl-write-test-*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // not the probe's random name
		}
		return nil, fmt.Errorf("cannot create files in %s: %w", dir, err)
	}
	probe.Close()
	os.Remove(probe.Name())
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	w := &Writer{dir: dir, red: red, log: log, maxBody: MaxBody, next: 1}
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "-")
		if n, err := strconv.Atoi(num); ok && err == nil && n >= w.next {
			w.next = n + 1
		}
	}
	return w, nil
}

// Record redacts ex and saves it as the next numbered file,
// DIR/0001-vd.l.qq.com-proxyhttp.txt. It has the signature of
// request.Client.Record. Exchanges are numbered and redacted in the
// order Record is called, which is the order they finished: a key
// learnt from one reply is then removed from every later file. A file
// that cannot be written is reported once and never fails the run.
func (w *Writer) Record(ex request.Exchange) {
	w.mu.Lock()
	defer w.mu.Unlock()
	ex = w.red.Redact(ex)
	err := w.write(ex)
	if err != nil && !w.warned {
		w.warned = true
		w.log.Warn("cannot save the pages of this run (--write-pages); the download goes on", "dir", w.dir, "err", err)
	}
}

// write creates the next file, never over one that exists (another run
// writing into the same directory takes the number first).
func (w *Writer) write(ex request.Exchange) error {
	text := w.format(ex)
	for tries := 0; ; tries++ {
		n := w.next
		w.next++
		name := filepath.Join(w.dir, fmt.Sprintf("%04d-%s.txt", n, slug(ex.URL)))
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) && tries < 1000 {
			continue
		}
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(f, "# vdl --write-pages: exchange %d, %s, %s\n%s", n, ex.Start.Format(time.RFC3339Nano), ex.Duration.Round(time.Millisecond), text)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	}
}

// format lays an exchange out as curl -v would, after the file's first
// line: the request line, its headers and body, then the status, headers
// and body of the reply.
func (w *Writer) format(ex request.Exchange) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# cookies, tokens, keys and signatures are replaced by %s\n\n", request.Marker)
	fmt.Fprintf(&b, "%s %s\n", ex.Method, ex.URL)
	writeHeader(&b, ex.Header)
	w.writeBody(&b, ex.Body)
	switch {
	case ex.Status == 0:
		b.WriteString("# no reply\n")
	default:
		fmt.Fprintf(&b, "HTTP %d %s\n", ex.Status, http.StatusText(ex.Status))
		if ex.FinalURL != "" {
			fmt.Fprintf(&b, "# after redirects: %s\n", ex.FinalURL)
		}
		writeHeader(&b, ex.RespHeader)
		w.writeBody(&b, ex.RespBody)
	}
	if ex.Err != nil {
		fmt.Fprintf(&b, "# failed: %s\n", strings.Join(strings.Fields(ex.Err.Error()), " "))
	}
	return b.String()
}

func writeHeader(b *strings.Builder, h http.Header) {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		for _, v := range h[k] {
			fmt.Fprintf(b, "%s: %s\n", k, v)
		}
	}
	b.WriteString("\n")
}

func (w *Writer) writeBody(b *strings.Builder, body []byte) {
	if len(body) == 0 {
		return
	}
	kept := body[:min(len(body), w.maxBody)]
	b.Write(kept)
	if !strings.HasSuffix(string(kept), "\n") {
		b.WriteString("\n")
	}
	if len(kept) < len(body) {
		fmt.Fprintf(b, "# ... %d more bytes not kept\n", len(body)-len(kept))
	}
	b.WriteString("\n")
}

// unsafeName is what a file name keeps out: anything but letters,
// digits, dots, dashes and underscores.
var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// slug names a file after its URL's host and path:
// "vd.l.qq.com-proxyhttp", "v.qq.com-x-cover-abc-def.html".
func slug(raw string) string {
	host, path := "request", ""
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		host, path = u.Host, u.Path
	}
	s := unsafeName.ReplaceAllString(host, "_")
	if p := strings.Trim(unsafeName.ReplaceAllString(strings.ReplaceAll(strings.Trim(path, "/"), "/", "-"), "_"), "-_"); p != "" {
		s += "-" + p
	}
	if len(s) > 80 {
		s = s[:80]
	}
	return s
}
