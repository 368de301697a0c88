package extractors

import (
	"context"

	"github.com/vdlproject/vdl/danmaku"
)

// Commenter is implemented by the extractors of sites with bullet comments
// (danmaku). Comments fetches every comment of m; a part of the site's
// comment list that fails after its retries is named in the result
// (Segments.Missing), never hidden and never an error: only failing to
// learn the list at all is. A video without comments gives an empty,
// complete result.
type Commenter interface {
	Comments(ctx context.Context, m *Media) (*Comments, error)
}

// Comments is what a Commenter fetched.
type Comments struct {
	List     []danmaku.Comment // in the site's order; danmaku.Dedup sorts them
	Segments danmaku.RawSegments
	Skipped  int // reply items that were not comments (bad shape, bad time)
}

// Complete reports whether every part of the list came.
func (c *Comments) Complete() bool {
	return c.Segments.Fetched == c.Segments.Total && len(c.Segments.Missing) == 0
}
