package download

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/fetch"
)

// maxNameBytes keeps names under the 255-byte limit of common filesystems,
// with room for the ".vdl" work-dir suffix and temp suffixes.
const maxNameBytes = 200

// sanitizeName makes a remote title safe as one file name: no path
// separators, no control characters, not "." or "..", bounded length
// (cut on a rune boundary, keeping the extension).
func sanitizeName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == '/' || r == '\\' || r == 0:
			b.WriteRune('_')
		case unicode.IsControl(r) || r == utf8.RuneError:
		case strings.ContainsRune(`<>:"|?*`, r):
			b.WriteRune('_') // reserved on Windows filesystems (USB sticks, shares)
		default:
			b.WriteRune(r)
		}
	}
	// Windows drops trailing dots and spaces (two names would collide)
	// and refuses a name that is only dots.
	s := strings.Trim(strings.TrimSpace(b.String()), ". ")
	if s == "" {
		s = "download"
	}
	if windowsReserved(s) {
		s = "_" + s
	}
	if len(s) > maxNameBytes {
		ext := filepath.Ext(s)
		if len(ext) > 10 {
			ext = ""
		}
		base := s[:maxNameBytes-len(ext)]
		for !utf8.ValidString(base) {
			base = base[:len(base)-1]
		}
		s = strings.TrimSpace(base) + ext
	}
	return s
}

// windowsReserved reports names Windows keeps for devices, with or
// without an extension: CON, PRN, AUX, NUL, COM0-9, LPT0-9 (and the
// superscript-digit forms). Such a file cannot be created or opened there.
func windowsReserved(name string) bool {
	stem, _, _ := strings.Cut(name, ".")
	stem = strings.ToUpper(strings.TrimRight(stem, " "))
	switch stem {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(stem) >= 4 && (strings.HasPrefix(stem, "COM") || strings.HasPrefix(stem, "LPT")) {
		d := stem[3:]
		return len(d) == 1 && d[0] >= '0' && d[0] <= '9' || d == "¹" || d == "²" || d == "³"
	}
	return false
}

// seriesTemplate names a series' episodes when -o does not: a folder per
// series, the series, the episode number and the title, as media
// libraries (Plex, Jellyfin, Kodi) recognise them.
const seriesTemplate = "%(series)s/%(series)s - E%(episode)02d - %(title)s.%(ext)s"

// unnumberedTemplate names an item of a series the site gives no number
// (a special): never "E00", nor a position that may be another
// episode's number.
const unnumberedTemplate = "%(series)s/%(series)s - %(title)s.%(ext)s"

// entryInfo is what a playlist knows of the item being downloaded.
type entryInfo struct {
	series  string
	episode int
	index   int    // 1-based position in the playlist
	tag     string // "[3/12] ": the item's place in the run, for its progress line
	// slots is the connection budget the list's items share; started is
	// closed once the item's transfer begins (or it ends without one),
	// when the next item may start on the connections this one leaves.
	slots   *fetch.Slots
	started *signal
}

// transferring marks the item's transfer as begun.
func (e *entryInfo) transferring() {
	if e != nil {
		e.started.fire()
	}
}

// outputPath decides where the media goes: -o (a file, or a template),
// else for a series' episode the series template, else a sanitised name
// from the server or the title, in Dir. templated says the name is made
// (never the user's own file name), so collisions get "(2)".
func (d *Downloader) outputPath(m *extractors.Media, f *extractors.Format, e *entryInfo) (out string, templated bool, err error) {
	tmpl := d.opts.Output
	if tmpl == "" && e != nil && e.series != "" {
		tmpl = seriesTemplate
		if e.episode <= 0 && m.Episode <= 0 {
			tmpl = unnumberedTemplate
		}
	}
	switch {
	case tmpl != "" && isTemplate(tmpl):
		rel, err := expandTemplate(tmpl, templateFields(m, f, e, f.OutputExt(d.opts.KeepTS)))
		if err != nil {
			return "", false, err
		}
		return filepath.Join(d.opts.Dir, rel), true, nil
	case tmpl != "":
		if filepath.IsAbs(tmpl) || d.opts.Dir == "." {
			return tmpl, false, nil
		}
		return filepath.Join(d.opts.Dir, tmpl), false, nil
	}
	name := m.FileName
	if name == "" || filepath.Ext(name) == "" {
		name = m.Title + "." + f.OutputExt(d.opts.KeepTS)
	}
	return filepath.Join(d.opts.Dir, sanitizeName(name)), true, nil
}

// templateFields are the values a template may name (yt-dlp's names).
func templateFields(m *extractors.Media, f *extractors.Format, e *entryInfo, ext string) map[string]any {
	fields := map[string]any{"title": m.Title, "id": m.ID, "series": m.Series, "episode": m.Episode,
		"format_id": f.ID, "height": f.Height, "width": f.Width, "ext": ext, "site": m.Site, "playlist_index": 0}
	if e != nil {
		if m.Series == "" {
			fields["series"] = e.series
		}
		if e.episode > 0 {
			fields["episode"] = e.episode
		}
		fields["playlist_index"] = e.index
	}
	return fields
}

// makeParents creates the folders of out below root, refusing any that
// is a link (a template's folders never lead out of root).
func makeParents(root, out string) error {
	rel, err := filepath.Rel(root, filepath.Dir(out))
	if err != nil || rel == "." {
		return nil
	}
	cur := root
	for _, part := range strings.Split(rel, string(filepath.Separator)) {
		cur = filepath.Join(cur, part)
		exists, err := realDir(cur, "a folder of the output; remove it")
		if err != nil {
			return err
		}
		if !exists {
			if err := os.Mkdir(cur, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
				return &DiskError{Err: err}
			}
		}
	}
	return nil
}

// realDir says whether path is a real folder (false: nothing is there);
// a link or any other entry there is an error that names the folder it
// should be (what, with the remedy).
func realDir(path, what string) (bool, error) {
	st, err := os.Lstat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return false, nil
	case err != nil:
		return false, &DiskError{Err: err}
	case st.Mode()&os.ModeSymlink != 0:
		return false, &DiskError{Err: fmt.Errorf("%s is a symbolic link, not %s", path, what)}
	case !st.IsDir():
		return false, &DiskError{Err: fmt.Errorf("%s is in the way of %s", path, what)}
	}
	return true, nil
}

// chooseOutput picks the file of an automatically named download: the
// title's name, or on a collision with a different video (another
// identity tag, another size, another unfinished download) the first free
// "name (2).ext", "name (3).ext"... Never an overwrite. skip is set when
// the file found is proven to be this very video, complete: by its
// identity (identity.go), or by the exact size of a plain file.
func (d *Downloader) chooseOutput(base, ident string, size int64) (out string, skip bool, err error) {
	ext := filepath.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	for n := 1; n <= 99; n++ {
		cand := base
		if n > 1 {
			cand = fmt.Sprintf("%s (%d)%s", stem, n, ext)
		}
		if key, ok := workKey(workDir(cand)); ok {
			if key == "" || key == ident || strings.HasPrefix(key, ident+":") {
				return cand, false, nil // this download (from any flow), unfinished: resume it
			}
			continue // another video's unfinished download
		}
		st, err := os.Lstat(cand) // a link, even a dangling one, is in the way
		switch {
		case errors.Is(err, os.ErrNotExist):
			return cand, false, nil
		case err != nil:
			return "", false, &DiskError{Err: err}
		case !st.Mode().IsRegular():
			continue
		}
		switch tag := readIdentity(d.opts.StateDir, cand); {
		case tag == ident:
			return cand, true, nil
		case size >= 0 && st.Size() == size:
			return cand, true, nil // same name and exact size: the same file (from a mirror, say)
		}
		// Tagged as another video, another size, or nothing proves what
		// it is: never taken for this video.
	}
	return "", false, &DiskError{Err: fmt.Errorf("%s: 99 files of that name exist", base)}
}

// workKey reads the job identity of an unfinished download's state; ok
// is false when there is no work dir. The key is "" if the state is not
// readable yet.
func workKey(dir string) (string, bool) {
	if _, err := os.Lstat(dir); err != nil {
		return "", false
	}
	b, err := os.ReadFile(filepath.Join(dir, "state.json"))
	if err != nil {
		return "", true
	}
	var st struct {
		Key string `json:"key"`
	}
	_ = json.Unmarshal(b, &st)
	return st.Key, true
}

// skipExisting reports whether out (given with -o) is already this
// complete download. Any other file in the way is an error, never an
// overwrite.
func (d *Downloader) skipExisting(out, ident string, size int64) (bool, error) {
	st, err := os.Lstat(out)
	if errors.Is(err, os.ErrNotExist) || d.opts.Force {
		return false, nil
	}
	if err != nil {
		return false, &DiskError{Err: err}
	}
	if _, werr := os.Lstat(workDir(out)); werr == nil {
		return false, nil // an unfinished new download of the same name: resume it
	}
	if !st.Mode().IsRegular() {
		return false, &DiskError{Err: fmt.Errorf("%s exists and is not a regular file (use --force to replace it)", out)}
	}
	switch tag := readIdentity(d.opts.StateDir, out); {
	case tag == ident:
		return true, nil
	case size >= 0 && st.Size() == size:
		return true, nil
	case size >= 0:
		return false, &DiskError{Err: fmt.Errorf("%s exists with %d bytes, but the remote file has %d (use --force to replace it)", out, st.Size(), size)}
	}
	return false, &DiskError{Err: fmt.Errorf("%s exists and is not this download (use --force to replace it)", out)}
}

func workDir(out string) string { return out + ".vdl" }

// clearDir empties dir (links in it are removed, never followed).
func clearDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return &DiskError{Err: err}
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return &DiskError{Err: err}
		}
	}
	return nil
}

// checkWorkDir makes sure the work dir, if there is one, is vdl's own: a
// real folder holding only folders and regular files. A symbolic link
// there (planted, or left by another program) would make vdl write, move
// or delete files elsewhere; vdl refuses rather than follow it. --force
// removes the links themselves (never their targets) before this runs.
func checkWorkDir(work string) error {
	if exists, err := realDir(work, "vdl's work folder; remove it (or use --force)"); !exists || err != nil {
		return err
	}
	return filepath.WalkDir(work, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return &DiskError{Err: err}
		}
		if !d.IsDir() && !d.Type().IsRegular() {
			return &DiskError{Err: fmt.Errorf("%s in vdl's work folder is not a file vdl made (a link?); remove it (or use --force)", path)}
		}
		return nil
	})
}

// publish moves a finished file to its final name and makes the rename
// durable, then removes the work dir.
func publish(from, out, work string) error {
	if err := os.Rename(from, out); err != nil {
		return &DiskError{Err: fmt.Errorf("move into place: %w", err)}
	}
	if d, err := os.Open(filepath.Dir(out)); err == nil {
		_ = d.Sync() // the rename itself must survive a crash
		d.Close()
	}
	if err := os.RemoveAll(work); err != nil {
		return &DiskError{Err: fmt.Errorf("remove %s: %w", work, err)}
	}
	return nil
}
