package fetch

import (
	"errors"
	"fmt"

	"github.com/vdlproject/vdl/request"
)

var (
	// ErrExpired wraps a 403 or 410 from a URL that already delivered bytes
	// in this job: typical of signed CDN URLs whose key ran out. The caller
	// can refresh the part URLs (re-run the extractor) and run the job again;
	// finished bytes are kept.
	ErrExpired = errors.New("media URL expired")

	// ErrNoSpace means the destination cannot hold the remaining bytes.
	ErrNoSpace = errors.New("not enough free disk space")

	// errRangeMissing means a byte-range part lies past the end of its file.
	errRangeMissing = fmt.Errorf("%w: byte range missing", request.ErrBadReply)

	// errShortBody is a response body that ended before its range did.
	errShortBody = errors.New("response body ended early")
)
