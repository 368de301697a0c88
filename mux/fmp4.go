package mux

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"os"
)

// JoinFMP4 writes an HLS fMP4 stream as one fragmented MP4: the init
// segment (ftyp + moov) once, then every media segment's boxes in order,
// dropping top-level styp and sidx (segment-local indexes that mislead
// players seeking by the first sidx). Segments are decrypted when AES-128.
// The result is parsed back before it takes the name: its tracks must be
// whole and every fragment must hold samples that lie inside the file.
func JoinFMP4(ctx context.Context, out string, init Segment, segs []Segment) error {
	return joinFragmented(ctx, out, init, segs, nil)
}

// joinFragmented is JoinFMP4 with tags added to the init segment's moov.
func joinFragmented(ctx context.Context, out string, init Segment, segs []Segment, tags *Tags) error {
	return writeVerified(ctx, out, func(w *bufio.Writer) error {
		if err := copyBoxes(w, init, true, tags); err != nil {
			return err
		}
		for _, s := range segs {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := copyBoxes(w, s, false, nil); err != nil {
				return err
			}
		}
		return nil
	}, func(f *os.File) error { return verifyFragmented(f, init.Path) })
}

// JoinFMP4Regular joins an fMP4 stream (init segment and fragments) into
// a regular MP4 at out: moov first with full sample tables, which players
// need for the duration and to seek. The segments are read in place as
// one fragmented movie, AES-128 ones decrypted as they are read: nothing
// but the output is written. With opts.KeepFragmented the output is the
// fragmented file (JoinFMP4, tagged).
func JoinFMP4Regular(ctx context.Context, out string, init Segment, segs []Segment, opts MP4Options) (*Report, error) {
	if opts.KeepFragmented {
		return nil, joinFragmented(ctx, out, init, segs, opts.Tags)
	}
	all := append([]Segment{init}, segs...)
	c, err := openConcat(init.Path, all)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	for i, s := range segs {
		// Each fragment must hold a moof, as JoinFMP4 checks.
		if err := hasBoxAt(c.files[i+1], c.ends[i+1]-c.ends[i], s.Path, "moof"); err != nil {
			return nil, err
		}
	}
	m, err := parseMovie(c, c.Size(), init.Path)
	if err != nil {
		return nil, fmt.Errorf("%s and its fragments: %w", init.Path, err)
	}
	if !m.fragmented {
		return nil, fmt.Errorf("%w: %s has no mvex: not an init segment of fragmented MP4", ErrCorrupt, init.Path)
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return joinMovies(ctx, out, []*movie{m}, opts, log)
}

// hasBoxAt checks that a segment's top level holds a box of type typ.
func hasBoxAt(r io.ReaderAt, size int64, name, typ string) error {
	top, err := children(r, 0, size)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if _, ok := find(top, typ); !ok {
		return fmt.Errorf("%w: %s: no %s box", ErrCorrupt, name, typ)
	}
	return nil
}

// verifyFragmented parses a joined fragmented MP4 as a player would.
func verifyFragmented(f *os.File, initName string) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	m, err := parseMovie(f, st.Size(), initName)
	if err != nil {
		return fmt.Errorf("the joined file does not parse (%s and its fragments): %w", initName, err)
	}
	if !m.fragmented {
		return fmt.Errorf("%w: %s has no mvex: not an init segment of fragmented MP4", ErrCorrupt, initName)
	}
	for _, t := range m.tracks {
		if len(t.samples) == 0 {
			return fmt.Errorf("%w: the fragments hold no samples of track %d (%s)", ErrCorrupt, t.id, t.handler)
		}
	}
	if len(m.tracks) == 0 {
		return fmt.Errorf("%w: %s has no audio or video track", ErrCorrupt, initName)
	}
	return nil
}

// copyBoxes streams the top-level boxes of a segment, skipping styp/sidx.
// The init segment must hold a moov; a media segment must hold a moof.
func copyBoxes(w io.Writer, s Segment, isInit bool, tags *Tags) error {
	r, err := openSegment(s)
	if err != nil {
		return err
	}
	defer r.Close()
	br := bufio.NewReaderSize(r, 64<<10)
	want := "moof"
	if isInit {
		want = "moov"
	}
	found := false
	for {
		var hdr [16]byte
		if _, err := io.ReadFull(br, hdr[:8]); err == io.EOF {
			break
		} else if err != nil {
			return fmt.Errorf("%w: %s: box header truncated", ErrCorrupt, s.Path)
		}
		typ := string(hdr[4:8])
		size := int64(binary.BigEndian.Uint32(hdr[:4]))
		hlen := int64(8)
		switch size {
		case 1:
			if _, err := io.ReadFull(br, hdr[8:16]); err != nil {
				return fmt.Errorf("%w: %s: box header truncated", ErrCorrupt, s.Path)
			}
			size, hlen = int64(binary.BigEndian.Uint64(hdr[8:16])), 16
		case 0:
			size = -1 // to the end of the segment
		}
		if size != -1 && size < hlen || !printable(typ) {
			return fmt.Errorf("%w: %s: not an MP4 segment (box %q, size %d)", ErrCorrupt, s.Path, typ, size)
		}
		found = found || typ == want
		body := io.Reader(br)
		if size >= 0 {
			body = io.LimitReader(br, size-hlen)
		}
		if typ == "moov" && !tags.empty() {
			if err := copyMoovTagged(w, body, size, hlen, tags, s.Path); err != nil {
				return err
			}
			continue
		}
		dst := w
		if typ == "styp" || typ == "sidx" {
			dst = io.Discard
		} else if _, err := w.Write(hdr[:hlen]); err != nil {
			return err
		}
		n, err := io.Copy(dst, body)
		if err != nil {
			return fmt.Errorf("%s: %w", s.Path, err)
		}
		if size >= 0 && n != size-hlen {
			return fmt.Errorf("%w: %s: %q box truncated", ErrCorrupt, s.Path, typ)
		}
		if size < 0 {
			break
		}
	}
	if !found {
		return fmt.Errorf("%w: %s: no %s box", ErrCorrupt, s.Path, want)
	}
	return nil
}

func printable(typ string) bool {
	for i := 0; i < len(typ); i++ {
		if typ[i] < 0x20 || typ[i] > 0x7e {
			return false
		}
	}
	return true
}

// maxInitMoov bounds an init segment's moov read into memory to add tags
// (it holds no sample tables: a few KB).
const maxInitMoov = 16 << 20

// copyMoovTagged copies an init segment's moov with a udta holding tags
// appended to its children.
func copyMoovTagged(w io.Writer, body io.Reader, size, hlen int64, tags *Tags, name string) error {
	if size < 0 || size-hlen > maxInitMoov {
		return fmt.Errorf("%w: %s: an init segment moov of %d bytes", ErrUnsupported, name, size)
	}
	children := make([]byte, size-hlen)
	if _, err := io.ReadFull(body, children); err != nil {
		return fmt.Errorf("%w: %s: moov box truncated", ErrCorrupt, name)
	}
	b := &builder{}
	writeUdta(b, tags)
	moov := &builder{}
	moov.start("moov")
	moov.bytes(children)
	moov.bytes(b.buf)
	moov.end()
	_, err := w.Write(moov.buf)
	return err
}
