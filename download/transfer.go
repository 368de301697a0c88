package download

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/fetch"
)

// fetchFormat downloads the parts of a format. When signed URLs expire
// (403/410), it asks the site for fresh ones and carries on from the
// bytes on disk, as long as each refresh is followed by progress. When
// the CDN refuses a flow's media before any byte (handover.go), the item
// goes to the next flow: at once for 404/564, after one fresh ask for
// 403/410 (an expired key looks the same). It returns the format and
// plan last used, in t.
func (d *Downloader) fetchFormat(ctx context.Context, t *task) error {
	m := t.m
	for refreshes := 0; ; refreshes++ {
		f := t.f
		job, err := fetch.New(t.plan.parts, d.fetchOptions(t))
		if err != nil {
			return err
		}
		stop := signalFirstByte(job, t)
		err = d.runJob(ctx, job, t.label(), t.keysReady)
		stop()
		if err == nil || ctx.Err() != nil {
			return err
		}
		p := job.Progress()
		switch {
		case refusedBeforeBytes(f, err, p) && (refreshes > 0 || !m.SignedURLs || !urlsExpired(err)):
			if cerr := clearDir(t.work); cerr != nil { // no byte there: only the state of nothing
				return cerr
			}
			return &handoverError{flow: f.Flow, err: err}
		case f.Flow != "" && refreshes > 0 && p.Resumed > 0 && p.Done == p.Resumed && refusalStatus(err):
			// Parts of an earlier run whose flow the CDN now refuses even
			// with fresh URLs: they can never be finished. Start over on
			// the next flow rather than fail on every rerun.
			d.log.Warn("the CDN now refuses this flow's media; discarding its unfinished parts for the next flow",
				"flow", f.Flow, "bytes", p.Resumed, "err", err)
			if cerr := clearDir(t.work); cerr != nil {
				return cerr
			}
			return &handoverError{flow: f.Flow, err: err}
		case !m.SignedURLs || !urlsExpired(err):
			return err
		case refreshes >= maxRefreshes || refreshes > 0 && p.Done == p.Resumed:
			return fmt.Errorf("media URLs keep expiring even when fresh: %w", err)
		}
		d.log.Warn("media URLs expired; asking the site for fresh ones", "err", err)
		if t.f, err = d.refreshFormat(ctx, m, f); err != nil {
			return err
		}
		if t.plan, err = planAssembly(t.f, t.work, t.out); err != nil {
			return err
		}
	}
}

// signalFirstByte tells the list that the item's transfer has begun, so
// that the next item may start on the connections it leaves idle. For a
// format of a site with several flows that is its first byte, not its
// first request: a flow the CDN refuses must be handed over (and ranked
// last) before the next item starts on it. stop ends the watch.
func signalFirstByte(job *fetch.Job, t *task) (stop func()) {
	if t.started == nil || t.f.Flow == "" {
		t.transferring()
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			if job.Progress().Done > 0 {
				t.transferring()
				return
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
	}
}

// stateName is fetch's resume state in a work folder (read by fetch
// alone: fetch.StateKey).
const stateName = "state.json"

// stateKey names the bytes of a download: its job, and the flow that
// named its parts (another flow's parts are other files).
func stateKey(m *extractors.Media, f *extractors.Format) string {
	if f.Flow == "" {
		return jobKey(m, f)
	}
	return jobKey(m, f) + ":" + f.Flow
}

// fetchOptions are the fetch job's options for t.
func (d *Downloader) fetchOptions(t *task) fetch.Options {
	f := t.f
	o := fetch.Options{
		Client:          d.opts.Client,
		Connections:     d.opts.Connections,
		MinSplit:        d.opts.MinSplit,
		StallTimeout:    d.opts.StallTimeout,
		MaxConnsPerHost: d.opts.MaxConnsPerHost,
		Logger:          d.log,
		StatePath:       filepath.Join(t.work, stateName),
		Key:             stateKey(t.m, f),
	}
	if d.opts.LimitRate > 0 {
		o.Limiter = d.limit // one cap for every job of the run
	}
	if !directFile(f) || !f.Plain && f.Container == "mp4" {
		// A join (or a site's MP4 rewritten) writes the output beside the
		// parts before they are removed.
		o.ExtraSpace = max(f.Size, f.EstSize, 0)
	}
	if t.plan.remux {
		o.ExtraSpace = max(f.Size, f.EstSize, 0) // the remux writes the MP4 beside the parts, nothing more
	}
	if t.slots != nil {
		o.Slots, o.Priority = t.slots, t.index // the list's items share -n, earlier first
	}
	return o
}

// runJob runs a fetch job while the observer watches it. ready, if set,
// is waited for before a finished transfer is shown as ended: the keys
// fetched beside it, whose failure is then the transfer's.
func (d *Downloader) runJob(ctx context.Context, job *fetch.Job, label string, ready func() error) error {
	end := d.transfer(label, job)
	err := job.Run(ctx)
	if ready != nil {
		// A key that failed first cancelled the transfer: its error, not
		// the cancellation, is what ended it.
		if kerr := ready(); kerr != nil && (err == nil || ctx.Err() != nil) {
			err = kerr
		}
	}
	end(err)
	if p := job.Progress(); p.Resumed > 0 && err == nil {
		d.log.Info("resumed", "bytes_reused", p.Resumed)
	}
	var pe *os.PathError
	if err != nil && errors.As(err, &pe) {
		return &DiskError{Err: err} // a local file failure, not the network's
	}
	return err
}
