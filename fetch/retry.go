package fetch

import (
	"errors"

	"github.com/vdlproject/vdl/request"
)

// retryable reports whether err is worth another attempt of the same
// range: the policy's test (package request), after the fetcher's own
// permanent errors. Short bodies and stalls are network faults.
func retryable(err error) bool {
	switch {
	case errors.Is(err, ErrExpired), errors.Is(err, ErrNoSpace), errors.Is(err, errRangeMissing):
		return false
	case errors.As(err, new(*fileError)):
		return false
	}
	return request.Retryable(err)
}

// fileError marks a local write/sync failure: retrying the network won't fix it.
type fileError struct{ err error }

func (e *fileError) Error() string { return e.err.Error() }
func (e *fileError) Unwrap() error { return e.err }
