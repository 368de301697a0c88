// Package download is vdl's pipeline and its only orchestrator: a page
// URL is extracted, a format selected, its parts fetched (refreshing
// expired signed URLs) and joined into one file under a name that never
// overwrites another video; a series or a batch of URLs runs as one list
// of items (archive, journal, overlap, one more try for network failures,
// a summary). The command line drives it through Options, Inputs and
// Downloader.Run, and shows it through an Observer (events) and
// Downloader.Progress (the run's one snapshot); the package prints
// nothing.
package download

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/fetch"
	"github.com/vdlproject/vdl/request"
)

// Options configure a Downloader. Zero values take fetch's defaults.
type Options struct {
	Client    *request.Client // every request goes through it (a copy of it, whose retries become Waiting events)
	Log       *slog.Logger    // warnings and details; nil discards
	UserAgent string          // for extractors that sign with it
	Playlist  extractors.PlaylistMode
	Observer  Observer // nil: nothing is shown

	Dir    string // folder of automatically named outputs
	Output string // -o: the output file (relative to Dir), "" for automatic names
	Format string // format selector (extractors.Select)
	Force  bool   // replace an existing output, discard unfinished work

	Connections     int
	MaxConnsPerHost int
	MinSplit        int64
	StallTimeout    time.Duration
	LimitRate       int64 // bytes/s in total, 0 = unlimited
	// KeepFragmented leaves an HLS fMP4 download fragmented (--remux
	// fmp4) instead of a regular MP4.
	KeepFragmented bool
	// KeepTS keeps MPEG-TS media as TS (--remux ts) instead of remuxing
	// it into a regular MP4.
	KeepTS bool
	// NoCheckDuration skips the check of a result's length against the
	// site's (--no-check-duration).
	NoCheckDuration bool
	// WriteSubs saves the site's subtitles beside the video, in the
	// languages of SubLangs (empty or "all": every one).
	WriteSubs bool
	SubLangs  []string
	// EmbedSubs writes the chosen subtitles into MP4 outputs as text
	// tracks (tx3g), one per language.
	EmbedSubs bool
	// Danmaku asks for the site's bullet comments beside the video.
	Danmaku DanmakuOptions
	// Library asks for a media library's layout and sidecars.
	Library LibraryOptions

	// Sequential runs a list strictly one item at a time, extraction
	// included (the baseline of bench/series.sh).
	Sequential bool

	// StateDir holds vdl's records of finished files (identity.go); ""
	// keeps only the extended attribute.
	StateDir string
}

// Downloader runs downloads with one set of options: one Run (or
// Media) at a time; it overlaps a list's items itself. Progress may be
// called from any goroutine.
type Downloader struct {
	opts   Options
	log    *slog.Logger
	obs    Observer
	emitMu sync.Mutex        // events one at a time (Observer's contract)
	state  runState          // what Progress reports
	limit  *rate.Limiter     // --limit-rate, shared by every job (items may overlap)
	flows  *extractors.Flows // flows whose media the CDN refused in this run

	legacyNoted atomic.Bool // the older layout's episodes were mentioned
}

// New returns a Downloader; o.Client is required.
func New(o Options) (*Downloader, error) {
	if o.Client == nil {
		return nil, errors.New("download: Options.Client is required")
	}
	d := &Downloader{opts: o, log: o.Log, obs: o.Observer, flows: &extractors.Flows{}}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if d.obs == nil {
		d.obs = quietObserver{}
	}
	// The run's own copy of the client, whose retries are shown as they
	// wait (Waiting events, Progress.Waiting).
	c := *o.Client
	prev := c.Policy.OnRetry
	c.Policy.OnRetry = func(w request.RetryWait) {
		if prev != nil {
			prev(w)
		}
		d.noteRetry(w)
	}
	d.opts.Client = &c
	if d.opts.Dir == "" {
		d.opts.Dir = "."
	}
	if o.LimitRate > 0 {
		d.limit = fetch.NewLimiter(o.LimitRate)
	}
	return d, nil
}

// Extract resolves a URL with the site that claims it (or the generic
// extractor).
func (d *Downloader) Extract(ctx context.Context, u *url.URL) (*extractors.Result, error) {
	return d.extract(ctx, u, "")
}

// siteEnv is the one environment every extractor of the run gets, with a
// flow to try first (see Env.PreferFlow).
func (d *Downloader) siteEnv(prefer string) extractors.Env {
	return extractors.Env{HTTP: d.opts.Client, Log: d.log, UserAgent: d.opts.UserAgent, Playlist: d.opts.Playlist,
		Flows: d.flows, PreferFlow: prefer, KeepPreviews: d.opts.NoCheckDuration}
}

// extract is Extract with a flow to try first (see Env.PreferFlow).
func (d *Downloader) extract(ctx context.Context, u *url.URL, prefer string) (*extractors.Result, error) {
	site, ok := extractors.Lookup(u)
	if !ok {
		return nil, fmt.Errorf("%w: %s", extractors.ErrUnsupported, request.RedactURL(u))
	}
	began := time.Now()
	res, err := site.New(d.siteEnv(prefer)).Extract(ctx, u)
	if err == nil {
		d.log.Debug("extracted", "site", site.Name, "took", time.Since(began).Round(time.Millisecond))
	}
	return res, err
}

// mediaDone is what a finished download left: its file, and whether that was
// there already (recognised as this download, complete).
type mediaDone struct {
	File    string
	Skipped bool
	Format  *extractors.Format

	formatID     string // the format a failed try chose (a handover keeps it)
	commentsOnly bool   // --danmaku-only: no media was looked at beyond its name
}
