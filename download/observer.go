package download

import (
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/vdlproject/vdl/fetch"
	"github.com/vdlproject/vdl/request"
)

// Observer sees a run, for display: what happens as events, how far the
// bytes have come by polling Downloader.Progress.
//
// Concurrency: a list runs up to two items at once and a retry is
// reported from the connection that waits, so events come from several
// goroutines; the Downloader serialises them, so that two Event calls
// never overlap and arrive in the order they happened. Event must return
// quickly and must not call the Downloader, except Progress.
type Observer interface {
	Event(Event)
}

// EventKind says what an Event reports.
type EventKind int

const (
	// ItemStarted: an item of a list begins (Pos, Total, Label; Done and
	// DoneBytes: the items of the list that ended so far, and the bytes
	// of their files).
	ItemStarted EventKind = iota + 1
	// ItemEnded: an item of a list ended (Pos, Total, Item: downloaded,
	// skipped, refused, failed or planned).
	ItemEnded
	// TransferStarted: a fetch job starts (Label; Active counts the jobs
	// running, this one included).
	TransferStarted
	// TransferEnded: a fetch job stopped (Label, Err: nil when complete;
	// Active counts the jobs still running).
	TransferEnded
	// FileSkipped: an output is already this download, complete (File).
	FileSkipped
	// FileSaved: an output is finished (File).
	FileSaved
	// Waiting: a request failed and waits before its next attempt (Wait).
	Waiting
	// Summary: a list ended, or an error stopped it (Report).
	Summary
)

// Event is one thing that happened in a run; the fields its Kind names
// are set.
type Event struct {
	Kind       EventKind
	Pos, Total int    // the item's place in the list (1-based) and the list's size
	Label      string // the item ("E03 title") or the transfer ("[3/12] name.mp4")
	File       string
	Item       *ItemReport
	Err        error
	Active     int
	Done       int
	DoneBytes  int64
	Wait       *Wait
	Report     *Report
}

// Wait is a request that failed and waits before its next attempt.
type Wait struct {
	Host    string // the server that failed ("" when the error names none)
	Reason  string // what failed: a status ("500 Internal Server Error"), a network error
	Attempt int    // the attempt coming, 1-based among the retries
	Of      int    // the retries allowed in a row
	Delay   time.Duration
	URL     string // the request, redacted (for --verbose)
}

// waitOf describes a retry wait of the client.
func waitOf(w request.RetryWait) *Wait {
	out := &Wait{Reason: w.Err.Error(), Attempt: w.Attempt, Of: w.Of, Delay: w.Delay}
	var se *request.StatusError
	var ue *url.Error
	switch {
	case errors.As(w.Err, &se):
		out.Reason, out.URL = se.Status, se.URL
	case errors.As(w.Err, &ue):
		out.Reason, out.URL = ue.Err.Error(), request.Redact(ue.URL)
	}
	if u, err := url.Parse(out.URL); err == nil {
		out.Host = u.Host
	}
	return out
}

// Progress is a snapshot of a run's transfers: the jobs running, summed
// (overlapping items share one line), with those that ended since the
// line began; and, in a list, an estimate of the whole list.
type Progress struct {
	Label     string // the earliest running job's ("... (+1)" when more); the last one's once none runs
	Done      int64  // bytes on disk, resumed ones included
	Resumed   int64  // bytes found on disk at the start
	Total     int64  // -1 while unknown
	PartsDone int
	Parts     int
	Conns     int
	// Waiting, if set, says the transfers wait on a retry ("retrying in
	// 4 s: attempt 2 of 10 after 500 Internal Server Error").
	Waiting string
	// ListPercent and ListETA estimate a list's progress (ListPercent < 0:
	// no estimate): the items done and in flight, the rest at the mean
	// size of those known (sizes are learnt as items are extracted).
	ListPercent float64
	ListETA     time.Duration // 0: none
}

// progressOf is one job's snapshot in the run's terms.
func progressOf(p fetch.Progress) Progress {
	return Progress{Done: p.Done, Resumed: p.Resumed, Total: p.Total, PartsDone: p.PartsDone, Parts: p.Parts, Conns: p.Conns}
}

func (a Progress) add(b Progress) Progress {
	total := a.Total + b.Total
	if a.Total < 0 || b.Total < 0 {
		total = -1
	}
	return Progress{Done: a.Done + b.Done, Resumed: a.Resumed + b.Resumed, Total: total,
		PartsDone: a.PartsDone + b.PartsDone, Parts: a.Parts + b.Parts, Conns: a.Conns + b.Conns}
}

// progressSource is what a running job offers; *fetch.Job satisfies it.
type progressSource interface{ Progress() fetch.Progress }

// runState is what the run knows for Progress: the jobs on the line, the
// list's items, the last wait. Guarded by its own lock, never held while
// an event is delivered.
type runState struct {
	mu       sync.Mutex
	active   []*activeJob
	finished Progress // jobs that ended while others stayed on the line
	last     string   // the label of the job that ended the line
	wait     *Wait
	waitEnd  time.Time

	listTotal  int // items in the list (0: not a list)
	listStart  time.Time
	itemsDone  int   // items of the list that ended
	itemsSized int   // of them, the downloaded or skipped: their bytes count
	itemBytes  int64 // the bytes of their files

	kept bool // a work folder kept unfinished parts (keptBytes)
}

type activeJob struct {
	label string
	job   progressSource
}

// Progress is a snapshot of the run's transfers. Safe to call from any
// goroutine, also from an Observer's Event.
func (d *Downloader) Progress() Progress {
	s := &d.state
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.finished
	live := make([]Progress, len(s.active))
	for i, a := range s.active {
		live[i] = progressOf(a.job.Progress())
		p = p.add(live[i])
	}
	switch len(s.active) {
	case 0:
		p.Label = s.last
	case 1:
		p.Label = s.active[0].label
	default:
		p.Label = fmt.Sprintf("%s (+%d)", s.active[0].label, len(s.active)-1)
	}
	if s.wait != nil && time.Now().Before(s.waitEnd) {
		p.Waiting = waitText(s.wait, time.Until(s.waitEnd))
	}
	p.ListPercent, p.ListETA = s.listEstimate(live, time.Now())
	return p
}

// listEstimate estimates the list's progress from the items that ended
// and those in flight (live). -1: no estimate (not a list, the line's
// final state, or a size not known yet).
func (s *runState) listEstimate(live []Progress, now time.Time) (float64, time.Duration) {
	if s.listTotal < 2 || len(live) == 0 {
		return -1, 0
	}
	known, done, sized := s.itemBytes, s.itemBytes, s.itemsSized
	for _, p := range live {
		if p.Total < 0 {
			return -1, 0
		}
		known += p.Total
		done += p.Done
		sized++
	}
	left := s.listTotal - s.itemsDone - len(live)
	if sized == 0 || left < 0 {
		return -1, 0
	}
	est := known + known/int64(sized)*int64(left)
	pct := 100 * float64(done) / float64(max(est, 1))
	var eta time.Duration
	if el := now.Sub(s.listStart).Seconds(); el > 1 && done > 0 && est > done {
		eta = time.Duration(float64(est-done) / (float64(done) / el) * float64(time.Second))
	}
	return pct, eta
}

// waitText says what a wait is for, on the progress line.
func waitText(w *Wait, left time.Duration) string {
	return fmt.Sprintf("retrying in %s: attempt %d of %d after %s", left.Round(time.Second), w.Attempt, w.Of, w.Reason)
}

// emit delivers an event, one at a time (Observer's contract).
func (d *Downloader) emit(e Event) {
	d.emitMu.Lock()
	defer d.emitMu.Unlock()
	d.obs.Event(e)
}

// transfer shows a job while it runs: end reports its end.
func (d *Downloader) transfer(label string, job progressSource) (end func(err error)) {
	s := &d.state
	a := &activeJob{label: label, job: job}
	d.emitMu.Lock() // the count and the event in one order
	s.mu.Lock()
	s.active = append(s.active, a)
	n := len(s.active)
	s.mu.Unlock()
	d.obs.Event(Event{Kind: TransferStarted, Label: label, Active: n})
	d.emitMu.Unlock()
	return func(err error) {
		d.emitMu.Lock()
		defer d.emitMu.Unlock()
		s.mu.Lock()
		for i, x := range s.active {
			if x == a {
				s.active = append(s.active[:i], s.active[i+1:]...)
				break
			}
		}
		s.finished = s.finished.add(progressOf(job.Progress())) // the line's bytes keep adding up
		n := len(s.active)
		if n == 0 {
			s.last = label
		}
		s.mu.Unlock()
		d.obs.Event(Event{Kind: TransferEnded, Label: label, Err: err, Active: n})
		if n == 0 {
			s.mu.Lock()
			s.finished = Progress{}
			s.mu.Unlock()
		}
	}
}

// noteRetry is the client's retry hook: the wait is shown on the line
// and told to the observer.
func (d *Downloader) noteRetry(rw request.RetryWait) {
	w := waitOf(rw)
	s := &d.state
	s.mu.Lock()
	s.wait, s.waitEnd = w, time.Now().Add(w.Delay)
	s.mu.Unlock()
	d.emit(Event{Kind: Waiting, Wait: w})
}

// listBegins and itemEnded keep the list's figures for the estimate.
func (d *Downloader) listBegins(total int) (done int, bytes int64) {
	s := &d.state
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listTotal == 0 {
		s.listStart = time.Now()
	}
	s.listTotal = total
	return s.itemsDone, s.itemBytes
}

func (d *Downloader) itemEnded(r ItemReport) {
	s := &d.state
	s.mu.Lock()
	defer s.mu.Unlock()
	s.itemsDone++
	if r.Outcome == Downloaded || r.Outcome == Skipped {
		s.itemBytes += max(r.Bytes, 0)
		s.itemsSized++
	}
}

// keepParts notes that a download ended with its parts in its work
// folder, for a rerun to resume from.
func (s *runState) keepParts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.kept = true
}

// keptBytes says a download of the run ended with unfinished parts on
// disk that a rerun resumes from.
func (s *runState) keptBytes() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.kept
}

type quietObserver struct{}

func (quietObserver) Event(Event) {}
