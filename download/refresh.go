package download

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/fetch"
	"github.com/vdlproject/vdl/request"
)

// maxRefreshes bounds how often one download asks the site for fresh
// URLs; each refresh must also have been followed by progress.
const maxRefreshes = 20

// urlsExpired says whether a fetch failure is a signed URL running out:
// 403/410 on media, after bytes (ErrExpired) or before any.
func urlsExpired(err error) bool {
	if errors.Is(err, fetch.ErrExpired) {
		return true
	}
	var se *request.StatusError
	return errors.As(err, &se) && (se.StatusCode == http.StatusForbidden || se.StatusCode == http.StatusGone)
}

// refreshFormat extracts the page again and returns the same format with
// fresh URLs. The new format must have the same shape (streams, segment
// count, and sizes where both are known), so that every finished byte on
// disk still belongs where it is: segments are matched by index and size.
func (d *Downloader) refreshFormat(ctx context.Context, m *extractors.Media, old *extractors.Format) (*extractors.Format, error) {
	fresh, err := d.reextract(ctx, m, old.Flow) // the same flow: its parts are the ones on disk
	if err != nil {
		return nil, fmt.Errorf("refreshing expired URLs: %w", err)
	}
	for i := range fresh.Formats {
		f := &fresh.Formats[i]
		if f.ID != old.ID {
			continue
		}
		if f.Flow != old.Flow {
			return nil, fmt.Errorf("refreshing expired URLs: format %s now comes from flow %s, not %s", old.ID, f.Flow, old.Flow)
		}
		if err := sameShape(old, f); err != nil {
			return nil, fmt.Errorf("refreshing expired URLs: format %s changed: %w", old.ID, err)
		}
		return f, nil
	}
	return nil, fmt.Errorf("refreshing expired URLs: format %s is no longer offered", old.ID)
}

// sameShape compares two versions of a format segment by segment.
func sameShape(old, fresh *extractors.Format) error {
	if len(old.Streams) != len(fresh.Streams) {
		return fmt.Errorf("%d streams, was %d", len(fresh.Streams), len(old.Streams))
	}
	for si := range old.Streams {
		o, n := old.Streams[si], fresh.Streams[si]
		if (o.Init == nil) != (n.Init == nil) || len(o.Segments) != len(n.Segments) {
			return fmt.Errorf("stream %d: %d segments, was %d", si, len(n.Segments), len(o.Segments))
		}
		for k := range o.Segments {
			os, ns := o.Segments[k], n.Segments[k]
			if os.Size >= 0 && ns.Size >= 0 && os.Size != ns.Size || os.Offset != ns.Offset || os.Length != ns.Length {
				return fmt.Errorf("stream %d segment %d: %d bytes, was %d", si, k, ns.Size, os.Size)
			}
		}
	}
	return nil
}
