package download

import (
	"cmp"
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
// separators, no control or invisible format characters (a right-to-left
// override shows "x<RLO>4pm.exe" as "xexe.mp4"), not "." or "..", never
// empty ("_"), bounded length (cut on a rune boundary, keeping the
// extension), and never one of vdl's own names (ownName: a "_" is
// added), so that no made name, from a server, a title or a template,
// can take the place of vdl's journal or of a work folder.
func sanitizeName(name string) string {
	// Windows drops trailing dots and spaces (two names would collide)
	// and refuses a name that is only dots; a leading dot hides a file.
	s := trimDots(cleanRunes(name, '_'), true, true)
	if s == "" {
		s = "_"
	}
	if windowsReserved(s) {
		s = "_" + s
	}
	s = boundName(s)
	if ownName(s) {
		s = boundName(s + "_")
	}
	return s
}

// cleanRunes drops what must never be in a name (control characters,
// bytes that are no UTF-8, invisible format characters) and turns path
// separators and the characters Windows filesystems reserve into sep.
func cleanRunes(name string, sep rune) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == '/' || r == '\\' || r == 0:
			b.WriteRune(sep)
		case unicode.IsControl(r) || r == utf8.RuneError || invisible(r):
		case strings.ContainsRune(`<>:"|?*`, r):
			b.WriteRune(sep) // reserved on Windows filesystems (USB sticks, shares)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// invisible reports the characters a name never keeps although they are
// no controls: the format characters (Unicode's Cf: the bidi controls
// U+202A-202E, U+2066-2069, U+200E/F and U+061C, which reorder what a
// file manager or a terminal shows, and the invisible U+200B, U+2060,
// U+FEFF, soft hyphen, tags...) and the line and paragraph separators.
// The joiners U+200C/D stay: they shape Persian and Indic words and
// emoji, and reorder nothing.
func invisible(r rune) bool {
	switch r {
	case '\u200c', '\u200d':
		return false
	case '\u2028', '\u2029':
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// trimDots trims dots and spaces from the start and/or the end of s.
func trimDots(s string, start, end bool) string {
	dotOrSpace := func(r rune) bool { return r == '.' || unicode.IsSpace(r) }
	if start {
		s = strings.TrimLeftFunc(s, dotOrSpace)
	}
	if end {
		s = strings.TrimRightFunc(s, dotOrSpace)
	}
	return s
}

// boundName cuts s to maxNameBytes on a rune boundary, keeping a short
// extension.
func boundName(s string) string {
	if len(s) <= maxNameBytes {
		return s
	}
	ext := filepath.Ext(s)
	if len(ext) > 10 {
		ext = ""
	}
	base := s[:maxNameBytes-len(ext)]
	for !utf8.ValidString(base) {
		base = base[:len(base)-1]
	}
	return trimDots(base, false, ext == "") + ext
}

// ownName reports the names vdl keeps for its own files and folders
// beside the media: the journal (journalName) and the work folders
// ("<out>.vdl"), compared without case, as the filesystems of macOS and
// Windows compare them. A media name never is one: a made name that would
// be gets a "_" (sanitizeName), a server's file name a media extension
// (serverName).
func ownName(name string) bool {
	l := strings.ToLower(name)
	return l == strings.ToLower(journalName) || strings.HasSuffix(l, workSuffix)
}

// mediaExt reports the extensions vdl saves a file under when a server
// chose its name: video, audio, subtitles, pictures, and "bin" for data
// of no known kind. Anything else (.exe, .sh, .desktop, .jsonl, .vdl...)
// could run something when opened, or be taken for another program's
// file; such a name gets a media extension appended (yt-dlp restricts
// extensions the same way since CVE-2024-38519).
func mediaExt(ext string) bool {
	switch strings.ToLower(ext) {
	case "mp4", "m4v", "mov", "qt", "mkv", "webm", "flv", "f4v", "ts", "m2ts", "mts", "3gp", "3g2", "avi", "wmv", "asf", "ogv", "mpg", "mpeg", "vob",
		"m4s", "m4a", "m4b", "mp3", "mp2", "aac", "flac", "ogg", "oga", "opus", "wav", "mka", "wma", "ac3", "ec3", "eac3",
		"vtt", "webvtt", "srt", "ass", "ssa", "ttml", "dfxp",
		"jpg", "jpeg", "png", "webp", "gif", "avif",
		"bin":
		return true
	}
	return false
}

// safeExt is the extension a download of f gets: the format's when it is
// a media extension, else "bin" (a plain file whose name gave something
// else, "setup.exe").
func safeExt(f *extractors.Format, keepTS bool) string {
	if ext := f.OutputExt(keepTS); mediaExt(ext) {
		return ext
	}
	return "bin"
}

// serverName is the file name of a download the server named
// (Content-Disposition, the URL's path): cleaned like every name, its
// extension kept only if it is media's, else ext appended ("x.exe" ->
// "x.exe.mp4", "vdl-journal.jsonl" -> "vdl-journal.jsonl.mp4"). A name
// with nothing before its extension ("..", ".mp4", bytes that are no
// UTF-8) becomes "_" with the extension: a server's name is never the
// user's mistake.
func serverName(name, ext string) string {
	s := trimDots(cleanRunes(name, '_'), false, true) // "x.exe." is x.exe on Windows
	stem := s
	if i := strings.LastIndexByte(s, '.'); i >= 0 && mediaExt(s[i+1:]) {
		stem, ext = s[:i], s[i+1:]
	}
	return titleName(stem, ext)
}

// titleName is the file name of a download named by its title: the
// title, then the extension (a title's dots are never one).
func titleName(title, ext string) string {
	stem := trimDots(cleanRunes(title, '_'), true, true)
	if stem == "" {
		stem = "_"
	}
	return sanitizeName(stem + "." + ext)
}

// fieldValue makes a site's value safe to fill a template with: cleaned
// like a name, leading dots and spaces dropped (a hidden file), and a
// value of nothing but dots and spaces ("..", ".") made "_", so that a
// series titled ".." is a folder "_", never a step out of -d nor a
// folder level dropped. "" stays "" (the template writes NA).
func fieldValue(s string) string {
	if s == "" {
		return ""
	}
	if s = trimDots(cleanRunes(s, '_'), true, false); trimDots(s, false, true) == "" {
		return "_"
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

// seriesTemplate is how vdl named a series' episodes before the library
// layout (library.go): a rerun still finds them there (legacyName).
const seriesTemplate = "%(series)s/%(series)s - E%(episode)02d - %(title)s.%(ext)s"

// outputPath decides where the media goes: -o (a file, or a template),
// else for a series' episode the series template, else the server's file
// name or the title, in Dir. templated says the name is made (never the
// user's own file name), so collisions get "(2)". The folders between
// Dir and the output are checked (checkParents) before anything there is
// read or planned.
func (d *Downloader) outputPath(t *task) (out string, templated bool, err error) {
	out, templated, err = d.outputName(t)
	if err != nil {
		return "", false, err
	}
	if _, err := checkParents(d.opts.Dir, out); err != nil {
		return "", false, err
	}
	return out, templated, nil
}

// outputName is outputPath's name, unchecked.
func (d *Downloader) outputName(t *task) (out string, templated bool, err error) {
	m, f := t.m, t.f
	tmpl := d.opts.Output
	ext := safeExt(f, d.opts.KeepTS)
	pl, inShow := d.placeOf(t)
	if tmpl == "" && inShow && (t.series != "" || d.opts.Library.Layout) {
		rel, err := libraryName(t, pl, ext)
		if err != nil {
			return "", false, err
		}
		return filepath.Join(d.opts.Dir, rel), true, nil
	}
	switch {
	case tmpl != "" && isTemplate(tmpl):
		fields := templateFields(t, ext)
		if inShow {
			fields = libraryFields(fields, pl)
		}
		rel, err := expandTemplate(tmpl, fields)
		if err != nil {
			return "", false, err
		}
		return filepath.Join(d.opts.Dir, rel), true, nil
	case tmpl != "":
		if filepath.IsAbs(tmpl) || d.opts.Dir == "." {
			return tmpl, false, nil
		}
		return filepath.Join(d.opts.Dir, tmpl), false, nil
	case m.FileName != "":
		return filepath.Join(d.opts.Dir, serverName(m.FileName, ext)), true, nil
	}
	return filepath.Join(d.opts.Dir, titleName(m.Title, ext)), true, nil
}

// templateFields are the values a template may name (yt-dlp's names),
// each string a site's value made safe first (fieldValue): only the
// template's own text is the user's.
func templateFields(t *task, ext string) map[string]any {
	m, f := t.m, t.f
	series := cmp.Or(m.Series, t.series)
	fields := map[string]any{"title": fieldValue(m.Title), "id": fieldValue(m.ID), "series": fieldValue(series), "episode": m.Episode,
		"format_id": fieldValue(f.ID), "height": f.Height, "width": f.Width, "ext": ext, "site": fieldValue(m.Site), "playlist_index": 0}
	if t.episode > 0 {
		fields["episode"] = t.episode
	}
	fields["playlist_index"] = t.index
	return fields
}

// checkParents is the one check of the folders between root (the
// download folder) and out, for everything vdl reads or writes below a
// template's folder: the skip checks and identity reads, the work folder,
// the output and its subtitles, the dry run's plan. Each must be a real
// folder: a link (a series folder replaced by one) is refused the same
// way for a finished episode as for a new one, never followed. missing
// are the folders still to make, outermost first. An output not below
// root (an absolute -o) has no such folders.
func checkParents(root, out string) (missing []string, err error) {
	rel, err := filepath.Rel(root, filepath.Dir(out))
	if err != nil || rel == "." {
		return nil, nil
	}
	cur := root
	parts := strings.Split(rel, string(filepath.Separator))
	for i, part := range parts {
		cur = filepath.Join(cur, part)
		exists, err := realDir(cur, "a folder of the output; remove it")
		if err != nil {
			return nil, err
		}
		if !exists {
			for _, rest := range parts[i+1:] {
				missing = append(missing, cur)
				cur = filepath.Join(cur, rest)
			}
			return append(missing, cur), nil
		}
	}
	return nil, nil
}

// makeParents creates the folders of out below root, refusing any that
// is a link (a template's folders never lead out of root).
func makeParents(root, out string) error {
	missing, err := checkParents(root, out)
	if err != nil {
		return err
	}
	for _, dir := range missing {
		if err := os.Mkdir(dir, 0o755); errors.Is(err, os.ErrExist) {
			// Made since the check (another vdl, or not vdl): checked again.
			if _, err := realDir(dir, "a folder of the output; remove it"); err != nil {
				return err
			}
		} else if err != nil {
			return &DiskError{Err: err}
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
	return fetch.StateKey(filepath.Join(dir, stateName)), true
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

// workSuffix names an output's work folder: "<out>.vdl" (ownName keeps
// media names out of that name space).
const workSuffix = ".vdl"

func workDir(out string) string { return out + workSuffix }

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
