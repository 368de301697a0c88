package main

import (
	"context"
	"errors"
	"net"
	"net/url"
	"os"

	"github.com/vdlproject/vdl/download"
	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/mux"
	"github.com/vdlproject/vdl/request"
)

// Exit codes, documented in README.md.
const (
	exitOK          = 0
	exitFailure     = 1   // anything not covered below
	exitUsage       = 2   // bad flags or arguments
	exitNetwork     = 3   // network or HTTP failure, expired URLs
	exitRefused     = 4   // the site refuses: VIP, region, DRM, not found, unsupported
	exitDisk        = 5   // local files: no space, cannot write, output exists
	exitJoin        = 6   // join failed: corrupt, incompatible or unsupported parts
	exitPartial     = 7   // a list (series, batch) partly done: some items refused or failed
	exitInterrupted = 130 // Ctrl-C / SIGTERM; rerun to resume
)

// usageError marks a mistake in the command line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// exitCode maps an error to the documented exit codes.
func exitCode(ctx context.Context, err error) int {
	var (
		ue   *usageError
		due  *download.UsageError
		part *partialError
		de   *download.DiskError
		je   *download.JoinError
		se   *request.StatusError
		ne   net.Error
		uer  *url.Error
	)
	switch {
	case err == nil:
		return exitOK
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.As(err, &part):
		return exitPartial
	case errors.As(err, &ue), errors.As(err, &due), errors.Is(err, download.ErrBadOutput), errors.Is(err, download.ErrBadItems):
		return exitUsage
	case errors.Is(err, download.ErrNoSpace), errors.As(err, &de):
		return exitDisk
	case errors.As(err, &je):
		var pe *os.PathError
		if errors.As(err, &pe) && !errors.Is(err, mux.ErrCorrupt) {
			return exitDisk // a part that cannot be read, an output that cannot be written
		}
		return exitJoin
	case refused(err):
		return exitRefused
	case errors.Is(err, download.ErrExpired), errors.Is(err, request.ErrBadReply), errors.As(err, &se), errors.As(err, &ne),
		errors.As(err, &uer), request.Retryable(err):
		return exitNetwork
	}
	return exitFailure
}

// refused says err is the site's final refusal (the one table of them:
// extractors.Refusal).
func refused(err error) bool {
	_, ok := extractors.Refusal(err)
	return ok
}
