package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"

	"github.com/mattn/go-runewidth"
	"golang.org/x/term"

	"github.com/vdlproject/vdl/download"
	"github.com/vdlproject/vdl/request"
)

// console is the only writer to stderr: messages and the progress line
// share it, so a message first clears a bar that is being drawn.
type console struct {
	mu      sync.Mutex
	w       io.Writer
	tty     bool
	barShow bool
	width   int
}

func newConsole(w io.Writer) *console {
	c := &console{w: w, width: 80}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		c.tty = true
		if wd, _, err := term.GetSize(int(f.Fd())); err == nil && wd > 20 {
			c.width = wd
		}
	}
	return c
}

// Printf writes one message line (a trailing newline is added). Every
// message passes the one redaction (download.RedactText: no URL's
// password, whatever put the URL in the message) and safeText.
func (c *console) Printf(format string, args ...any) {
	line := safeText(download.RedactText(strings.TrimRight(fmt.Sprintf(format, args...), "\n")))
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clearBarLocked()
	fmt.Fprintln(c.w, line)
}

// Bar redraws the progress line in place (terminals only). The line is
// cut to the terminal's width in display columns (a CJK character takes
// two), never inside a character, so that it never wraps.
func (c *console) Bar(line string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	line = runewidth.Truncate(safeText(download.RedactText(line)), c.width-1, "")
	fmt.Fprintf(c.w, "\r%s\x1b[K", line)
	c.barShow = true
}

// EndBar leaves the last drawn bar on screen and moves to a new line.
func (c *console) EndBar() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.barShow {
		fmt.Fprint(c.w, "\n")
		c.barShow = false
	}
}

func (c *console) clearBarLocked() {
	if c.barShow {
		fmt.Fprint(c.w, "\r\x1b[K")
		c.barShow = false
	}
}

// logHandler prints library log records as "vdl: warning: ..." lines:
// warnings always, info and debug with --verbose.
type logHandler struct {
	con   *console
	level slog.Level
	attrs []slog.Attr
}

func (h *logHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }

// mirrorFailed is the message of request's and fetch's mirror switch.
const mirrorFailed = "mirror failed; trying the next one"

func (h *logHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message == mirrorFailed && h.level > slog.LevelDebug {
		h.con.Printf("vdl: warning: %s", mirrorLine(r))
		return nil
	}
	var b strings.Builder
	b.WriteString("vdl: ")
	if r.Level >= slog.LevelWarn {
		b.WriteString("warning: ")
	}
	b.WriteString(r.Message)
	add := func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	h.con.Printf("%s", b.String())
	return nil
}

func (h *logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &logHandler{con: h.con, level: h.level, attrs: append(append([]slog.Attr{}, h.attrs...), as...)}
}

func (h *logHandler) WithGroup(string) slog.Handler { return h }

// redactingWriter is vdl's standard output: plans, tables, --json. Each
// line passes the one redaction before it is written (a URL's password,
// as a --json segment URL holds it, is never printed), so no printer can
// forget it. A line is held until its newline or Flush; URLs never span
// lines.
type redactingWriter struct {
	w    io.Writer
	mu   sync.Mutex
	part []byte // an unfinished line
	err  error  // the first write error, kept
}

func newRedactingWriter(w io.Writer) *redactingWriter { return &redactingWriter{w: w} }

// Write takes p whole; the error is the first one writing out gave.
func (r *redactingWriter) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.part = append(r.part, p...)
	if i := bytes.LastIndexByte(r.part, '\n'); i >= 0 {
		r.emitLocked(r.part[:i+1])
		r.part = append(r.part[:0], r.part[i+1:]...)
	}
	if r.err != nil {
		return 0, r.err
	}
	return len(p), nil
}

// Flush writes an unfinished last line.
func (r *redactingWriter) Flush() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.part) > 0 {
		r.emitLocked(r.part)
		r.part = r.part[:0]
	}
	return r.err
}

func (r *redactingWriter) emitLocked(b []byte) {
	if r.err == nil {
		_, r.err = io.WriteString(r.w, download.RedactText(string(b)))
	}
}

// mirrorLine is a mirror switch as a user reads it: the host that failed,
// why, and the host tried next ("mirror a.example failed (403 Forbidden);
// trying b.example"). Signed media URLs run to hundreds of characters:
// they are shown only with --verbose.
func mirrorLine(r slog.Record) string {
	var failed, next, reason string
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "failed":
			failed = hostOnly(a.Value.String())
		case "next":
			next = hostOnly(a.Value.String())
		case "err":
			reason = shortReason(a.Value.Any())
		}
		return true
	})
	line := "mirror " + failed + " failed"
	if reason != "" {
		line += " (" + reason + ")"
	}
	return line + "; trying " + next
}

// hostOnly is a URL's host, or s when it is none.
func hostOnly(s string) string {
	if u, err := url.Parse(s); err == nil && u.Host != "" {
		return u.Host
	}
	return s
}

// shortReason is what an error says without the URL it names: a status
// ("403 Forbidden"), a network error.
func shortReason(v any) string {
	err, ok := v.(error)
	if !ok {
		return fmt.Sprint(v)
	}
	var se *request.StatusError
	var ue *url.Error
	switch {
	case errors.As(err, &se):
		return se.Status
	case errors.As(err, &ue):
		return ue.Err.Error()
	}
	return err.Error()
}
