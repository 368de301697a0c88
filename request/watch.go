package request

import (
	"context"
	"errors"
	"time"
)

// errWatchdog is the cancellation cause of a request whose watchdog fired.
var errWatchdog = errors.New("request watchdog fired")

// watchdog cancels a request's context when it is not reset in time: the
// bound on the wait for headers, then on each silence in the body.
type watchdog struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	timer  *time.Timer
	d      time.Duration
}

// watch returns a context for one request and a watchdog that cancels
// it after d unless Reset. Stop it when the request is over.
func watch(parent context.Context, d time.Duration) (context.Context, *watchdog) {
	ctx, cancel := context.WithCancelCause(parent)
	w := &watchdog{ctx: ctx, cancel: cancel, d: d}
	w.timer = time.AfterFunc(d, func() { cancel(errWatchdog) })
	return ctx, w
}

// Reset re-arms the watchdog for d from now (0 keeps the last d).
func (w *watchdog) Reset(d time.Duration) {
	if d > 0 {
		w.d = d
	}
	w.timer.Reset(w.d)
}

// Fired reports whether the watchdog (not the parent context) ended the
// request.
func (w *watchdog) Fired() bool { return context.Cause(w.ctx) == errWatchdog }

// Stop disarms the watchdog and releases the context.
func (w *watchdog) Stop() {
	w.timer.Stop()
	w.cancel(nil)
}
