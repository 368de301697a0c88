package download

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// An output template names files the way yt-dlp's -o does: literal text
// and %(field)s / %(field)d / %(field)02d fields; "%%" is a percent sign.
// Each field's value is sanitised as one name (no separators, no control
// characters, no device names), so only the template's own slashes make
// folders, and the result must stay under the download folder.

var templateField = regexp.MustCompile(`%(?:%|\(([a-z_]+)\)(0?[0-9]*)([sd]))`)

// ErrBadTemplate is an -o template that cannot be expanded or leaves the
// download folder. (Exit code 2.)
var ErrBadTemplate = fmt.Errorf("%w: output template", ErrBadOutput)

// isTemplate says whether -o is a template rather than a file name.
func isTemplate(o string) bool { return templateField.MatchString(o) }

// expandTemplate fills tmpl from fields (strings or ints) into a path
// relative to the download folder. A field the item lacks is "NA" (an
// int field 0), as yt-dlp writes it.
func expandTemplate(tmpl string, fields map[string]any) (string, error) {
	var bad error
	out := templateField.ReplaceAllStringFunc(tmpl, func(m string) string {
		if m == "%%" {
			return "%"
		}
		sub := templateField.FindStringSubmatch(m)
		name, width, verb := sub[1], sub[2], sub[3]
		v, ok := fields[name]
		if !ok {
			bad = fmt.Errorf("%w: unknown field %q (known: %s)", ErrBadTemplate, name, fieldNames(fields))
			return ""
		}
		var s string
		switch verb {
		case "d":
			n, isInt := v.(int)
			if !isInt {
				bad = fmt.Errorf("%w: field %q is not a number", ErrBadTemplate, name)
				return ""
			}
			s = fmt.Sprintf("%"+width+"d", n)
		default:
			s = fmt.Sprint(v)
			if n, isInt := v.(int); isInt && n == 0 {
				s = "NA"
			}
			if w, err := strconv.Atoi(width); err == nil && len(s) < w {
				s = strings.Repeat(" ", w-len(s)) + s
			}
		}
		if s == "" {
			s = "NA"
		}
		// One name: a value's slashes never make folders.
		return strings.NewReplacer("/", "_", `\`, "_").Replace(s)
	})
	if bad != nil {
		return "", bad
	}
	return cleanRelative(out)
}

// cleanRelative checks a template's result: relative, no ".." and no
// empty part, each part a safe name.
func cleanRelative(p string) (string, error) {
	p = strings.ReplaceAll(p, `\`, "/")
	if strings.HasPrefix(p, "/") || filepath.VolumeName(p) != "" {
		return "", fmt.Errorf("%w: %q is absolute; a template names files under -d", ErrBadTemplate, p)
	}
	var parts []string
	for _, part := range strings.Split(p, "/") {
		switch part {
		case "..":
			return "", fmt.Errorf("%w: %q leaves the download folder", ErrBadTemplate, p)
		case "", ".":
			continue
		}
		parts = append(parts, sanitizeName(part))
	}
	if len(parts) == 0 {
		return "", fmt.Errorf("%w: %q names no file", ErrBadTemplate, p)
	}
	return filepath.Join(parts...), nil
}

func fieldNames(fields map[string]any) string {
	var names []string
	for _, k := range []string{"title", "id", "series", "episode", "format_id", "height", "width", "ext", "site", "playlist_index"} {
		if _, ok := fields[k]; ok {
			names = append(names, k)
		}
	}
	return strings.Join(names, ", ")
}

// CheckTemplate expands an -o template with sample values, so that a
// template that cannot work is refused before anything is asked of a
// site. A plain file name passes.
func CheckTemplate(tmpl string) error {
	if !isTemplate(tmpl) {
		return nil
	}
	_, err := expandTemplate(tmpl, map[string]any{"title": "t", "id": "i", "series": "s", "episode": 1,
		"format_id": "f", "height": 720, "width": 1280, "ext": "mp4", "site": "x", "playlist_index": 1})
	return err
}
