// Command vdl downloads videos: a page of a supported site, an HLS
// playlist or a plain media URL, with parallel ranged requests, resume
// after any interruption, and a pure-Go join into one playable file.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first Ctrl-C a second one kills at once.
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
