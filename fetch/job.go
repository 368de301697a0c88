package fetch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/time/rate"

	"github.com/vdlproject/vdl/request"
)

// Part is one remote resource to download into its own file.
type Part struct {
	URL    string
	Header http.Header // extra request headers (the client adds its own)
	Size   int64       // expected size, -1 if unknown; the server's word wins
	Path   string      // destination file; created and sized by the job
	// Length > 0 makes the part the byte range [Offset, Offset+Length) of
	// URL (HLS EXT-X-BYTERANGE): its size is Length and its ranges are
	// relative to Offset.
	Offset, Length int64
	// Mirrors are other URLs serving the same bytes (CDN prefixes). On a
	// refusal (403/404/410/5xx) or a failed connection the part moves to
	// the next mirror at once, before any backoff.
	Mirrors []string
	// RangesOK says the caller has seen URL answer a ranged request with
	// a sound 206 (a probe), so the part may be split at once instead of
	// after its first request.
	RangesOK bool
}

// Options tune a Job. Zero values take the documented defaults.
type Options struct {
	// Client makes the requests under vdl's retry policy: its Retries
	// (consecutive failed attempts per range), Backoff and Timeout (the
	// wait for response headers) apply here too.
	Client          *request.Client
	Connections     int           // total connections across all parts; default 8
	MinSplit        int64         // never split a range below this; default 512 KiB
	StallTimeout    time.Duration // drop a transfer silent this long; default 30s
	MaxConnsPerHost int           // at most this many connections to one host; 0 = no cap below Connections
	Limiter         *rate.Limiter // shared by all connections; nil = unlimited
	// Slots, if set, is a connection budget shared with other jobs that
	// run at the same time; Priority orders them (lower first). A worker
	// holds a slot only while its job has work for it.
	Slots    *Slots
	Priority int
	// ExtraSpace is what the caller will write beside the parts once they
	// are in (a joined file): the free-space check counts it too.
	ExtraSpace         int64
	Logger             *slog.Logger
	CheckpointInterval time.Duration // default 1s
	StatePath          string        // resume state file; "" = no resume
	Key                string        // job identity; a state with another key is discarded
}

// Progress is a snapshot of a job's counters.
type Progress struct {
	Done      int64 // bytes on disk, including resumed ones
	Total     int64 // sum of part sizes; -1 while any size is unknown
	Resumed   int64 // bytes that were already done when Run started
	PartsDone int
	Parts     int
	Conns     int // connections currently transferring
	Refused   int // requests refused by a host that caps connections
}

// Job downloads a set of parts. Run it once; a new Job with the same
// StatePath resumes where the previous one stopped.
type Job struct {
	opts  Options
	log   *slog.Logger
	parts []*partState

	// mu guards sched, and with it the scheduler's fields of parts and
	// spans: the transfers report to the scheduler under it.
	mu    sync.Mutex
	sched *scheduler
	now   func() time.Time // the one clock of the job (the scheduler's)

	filesMu sync.Mutex // guards partState.file; held while syncing

	resumed atomic.Int64
	conns   atomic.Int64
	kick    chan struct{} // asks the checkpointer for an early save
}

// maxParts bounds a job: memory and the resume state grow with the part
// count (about 1 KB a part in all), and no video needs more.
const maxParts = 250_000

// New validates parts and options and returns a job ready to Run.
func New(parts []Part, opts Options) (*Job, error) {
	if len(parts) == 0 {
		return nil, errors.New("fetch: job has no parts")
	}
	if len(parts) > maxParts {
		return nil, fmt.Errorf("fetch: %d parts in one job, more than %d", len(parts), maxParts)
	}
	if opts.Client == nil {
		opts.Client = &request.Client{HTTP: http.DefaultClient}
	}
	if opts.Connections <= 0 {
		opts.Connections = 8
	}
	if opts.MinSplit <= 0 {
		opts.MinSplit = 512 << 10
	}
	if opts.StallTimeout <= 0 {
		opts.StallTimeout = 30 * time.Second
	}
	if opts.CheckpointInterval <= 0 {
		opts.CheckpointInterval = time.Second
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	j := &Job{opts: opts, log: log, now: time.Now, kick: make(chan struct{}, 1)}
	for i, p := range parts {
		if p.URL == "" || p.Path == "" {
			return nil, fmt.Errorf("fetch: part %d needs a URL and a path", i)
		}
		size := p.Size
		if size < 0 {
			size = -1
		}
		if p.Offset < 0 || p.Length < 0 {
			return nil, fmt.Errorf("fetch: part %d has a negative byte range", i)
		}
		if p.Length > 0 {
			size = p.Length
		}
		j.parts = append(j.parts, &partState{idx: i, mirrors: request.NewMirrors(p.URL, p.Mirrors), host: hostOf(p.URL),
			header: p.Header, path: p.Path, size: size, hinted: size >= 0 && p.Length == 0, hint: size, offset: p.Offset, length: p.Length,
			confirmed: p.RangesOK && size >= 0})
	}
	j.sched = newScheduler(j.parts, opts, j.now, log)
	j.sched.completed = func() {
		select {
		case j.kick <- struct{}{}:
		default:
		}
	}
	return j, nil
}

// Progress returns the current counters; safe for concurrent use.
func (j *Job) Progress() Progress {
	p := Progress{
		Done:      j.sched.done.Load(),
		Resumed:   j.resumed.Load(),
		PartsDone: int(j.sched.partsDone.Load()),
		Parts:     len(j.parts),
		Conns:     int(j.conns.Load()),
		Refused:   int(j.sched.refused.Load()),
	}
	j.mu.Lock()
	for _, ps := range j.parts {
		if ps.size < 0 {
			p.Total = -1
			break
		}
		p.Total += ps.size
	}
	j.mu.Unlock()
	return p
}

// Run downloads every part. It returns nil when all parts are complete and
// synced to disk, ctx.Err() when cancelled (after saving a final
// checkpoint), or the first error that retries could not cure. Errors
// wrap *request.StatusError, ErrExpired, ErrNoSpace or a local file error.
func (j *Job) Run(ctx context.Context) error {
	if err := j.loadState(); err != nil {
		return err
	}
	if err := j.checkDiskSpace(); err != nil {
		return err
	}
	workCtx, stopWork := context.WithCancel(ctx)
	defer stopWork()
	g, gctx := errgroup.WithContext(workCtx)
	for i := range j.opts.Connections {
		g.Go(func() error { return j.worker(gctx, i) })
	}
	saverDone := make(chan error, 1)
	go func() {
		err := j.checkpointLoop(gctx)
		if err != nil && !errors.Is(err, context.Canceled) {
			stopWork() // progress can no longer be recorded: stop transferring
		}
		saverDone <- err
	}()
	watchDone := make(chan struct{})
	go func() {
		defer close(watchDone)
		j.watchSlow(gctx)
	}()

	err := g.Wait()
	stopWork()
	<-watchDone
	saveErr := <-saverDone
	// The final checkpoint runs whatever happened, so an interrupted run
	// leaves the freshest valid state behind.
	finalErr := j.checkpoint()
	j.closeFiles()
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case saveErr != nil && !errors.Is(saveErr, context.Canceled):
		return saveErr
	case err != nil:
		return err
	}
	return finalErr
}

// worker takes spans until no work is left.
func (j *Job) worker(ctx context.Context, i int) error {
	// The first worker takes the shared client, whose pool may hold the
	// connection the extractor's probe left open: one handshake fewer,
	// and on a server that is kind only to its first connections, one of
	// them. The others get pools of their own (ownPool).
	c := j.opts.Client
	w := &worker{client: c, slot: slot{s: j.opts.Slots, prio: j.opts.Priority}}
	defer w.slot.drop()
	if own := ownPool(c.HTTP); own != nil && i > 0 {
		wc := *c
		wc.HTTP = own
		w.client = &wc
		defer own.CloseIdleConnections()
	}
	j.mu.Lock()
	j.sched.workers = append(j.sched.workers, w)
	j.mu.Unlock()
	for {
		sp, err := j.next(ctx, w)
		if err != nil || sp == nil {
			return err
		}
		j.mu.Lock()
		w.m.start(j.now())
		j.mu.Unlock()
		dropped, err := j.runSpan(ctx, sp)
		if err != nil {
			return err
		}
		if dropped {
			w.slot.drop()
			// Let the others take the dropped range first.
			j.mu.Lock()
			wait := j.sched.changed
			j.mu.Unlock()
			t := time.NewTimer(time.Second)
			select {
			case <-ctx.Done():
			case <-wait:
			case <-t.C:
			}
			t.Stop()
		}
	}
}

// recheckEvery is how often an idle worker looks again at the claimed
// spans: their measured speeds change, and with them whether a steal or
// a race pays, without any event to wake it.
const recheckEvery = 250 * time.Millisecond

// next returns the next span for w, blocking while all remaining work is
// claimed by others and cannot be split or raced. It returns nil when
// every part is complete.
func (j *Job) next(ctx context.Context, w *worker) (*span, error) {
	t := time.NewTimer(recheckEvery)
	defer t.Stop()
	for {
		if w.slot.s != nil && !w.slot.held {
			j.mu.Lock()
			wake, done := j.sched.changed, j.sched.allDone()
			j.mu.Unlock()
			if done {
				return nil, nil
			}
			if got, err := w.slot.hold(ctx, wake); err != nil {
				return nil, err
			} else if !got {
				continue // the job changed while waiting for a connection: look again
			}
		}
		j.mu.Lock()
		if j.sched.stopped {
			j.mu.Unlock()
			return nil, nil // another worker's error ends the job
		}
		sp, allDone := j.sched.claim(w)
		wait := j.sched.changed
		j.mu.Unlock()
		if sp != nil || allDone {
			return sp, nil
		}
		w.slot.drop() // nothing here now: another job may use the connection
		t.Reset(recheckEvery)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-wait:
		case <-t.C:
		}
	}
}
