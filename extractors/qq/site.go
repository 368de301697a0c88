package qq

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/request"
)

// defaultUA is a desktop browser's, used when the caller names none.
const defaultUA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"

func init() {
	extractors.Register(extractors.Site{Name: "qq", Hosts: []string{"v.qq.com", "m.v.qq.com", "film.qq.com"}, New: New})
}

// flow is one way of asking Tencent for an episode's formats
// (docs/vqq.md §2, §8). Flows are tried in order: the current web
// player's proxyhttp in TS mode, then in MP4-clip mode, then getvinfo
// with cKey 8.1, then the legacy getinfo/getkey.
type flow interface {
	name() string
	resolve(ctx context.Context, ep episode) (*resolved, error)
}

// episode is what a flow needs to know about the video.
type episode struct {
	vid, cid string
	pageURL  string // the canonical page URL (signed into the cKey as ehost)
}

// The flows' names, as Format.Flow carries them.
const (
	flowProxyTS  = "proxyhttp-ts"
	flowProxyMP4 = "proxyhttp-mp4"
	flowVinfo    = "getvinfo"
	flowLegacy   = "getinfo"
)

// resolved is what a flow found.
type resolved struct {
	title     string
	duration  time.Duration
	formats   []extractors.Format // best first
	subtitles []extractors.Subtitle
	preview   bool // the formats are a VIP video's free part, kept as asked
}

type extractor struct {
	c     *client
	log   *slog.Logger
	now   func() time.Time
	flows []flow
	// playlist: a series URL gives the series (see extractors.PlaylistMode).
	playlist extractors.PlaylistMode
	// ranks orders the flows for this run (refused ones last); prefer is
	// tried first (the flow an unfinished download holds bytes of).
	ranks        *extractors.Flows
	prefer       string
	keepPreviews bool
}

// New returns the v.qq.com extractor. The flow order (documented in the
// README and docs/vqq.md §8): proxyhttp with cKey 8.5 in TS mode, then
// in MP4-clip mode (what the web player and the downloaders that work
// in 2026 use), getvinfo with cKey 8.1 (yt-dlp's, whose media the CDN
// refuses for long episodes since 2023), then the legacy getinfo +
// getkey (MP4 clips, 480P at most) on platforms 11, 4100201, 2 and 1.
func New(env extractors.Env) extractors.Extractor {
	log := env.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ua := env.UserAgent
	if ua == "" {
		ua = defaultUA
	}
	x := &extractor{c: &client{http: env.HTTP, ua: ua, log: log}, log: log, now: time.Now, playlist: env.Playlist,
		ranks: env.Flows, prefer: env.PreferFlow, keepPreviews: env.KeepPreviews}
	x.flows = []flow{&proxyFlow{x: x, ts: true}, &proxyFlow{x: x}, &vinfoFlow{x: x}, &legacyFlow{x: x}}
	return x
}

var (
	_ extractors.Extractor = (*extractor)(nil)
	_ extractors.KnownIDs  = (*extractor)(nil)
)

// KnownIDs: an episode URL names its vid (unless --yes-playlist makes
// it its series); a series URL names no single item.
func (x *extractor) KnownIDs(u *url.URL) []extractors.ArchiveKey {
	id, err := parseURL(u)
	if err != nil || id.vid == "" || id.cid != "" && x.playlist == extractors.PlaylistYes {
		return nil
	}
	return []extractors.ArchiveKey{{Site: "qq", ID: id.vid}}
}

// Extract resolves an episode URL into its Media, and a series URL (a
// cover without a vid; with one under PlaylistYes) into a Playlist of its
// episodes, resolved one by one later. Under PlaylistNo a series URL
// gives the episode its page plays.
func (x *extractor) Extract(ctx context.Context, u *url.URL) (*extractors.Result, error) {
	id, err := parseURL(u)
	if err != nil {
		return nil, err
	}
	ep := episode{vid: id.vid, cid: id.cid}
	var page *pageInfo
	wantSeries := id.cid != "" && (id.vid == "" && x.playlist != extractors.PlaylistNo || x.playlist == extractors.PlaylistYes)
	if ep.vid == "" || wantSeries {
		if page, err = x.readPage(ctx, coverURL(id.cid)); err != nil {
			return nil, fmt.Errorf("qq: series %s: %w", id.cid, err)
		}
		if wantSeries {
			pl, err := x.series(ctx, id.cid, page)
			if err != nil {
				return nil, err
			}
			return &extractors.Result{Playlist: pl}, nil
		}
		if ep.vid = page.firstVid(); ep.vid == "" {
			return nil, fmt.Errorf("%w: qq: the page of series %s names no episode", extractors.ErrNotFound, id.cid)
		}
		x.log.Info("--no-playlist: taking the episode the series page plays", "series", page.seriesTitle(), "vid", ep.vid)
	}
	ep.pageURL = episodeURL(ep)

	// The page (series name, episode number) is read while the API
	// answers. It only adds metadata, so a page the site refuses or that
	// does not parse is not the extraction's failure; a network failure
	// after its retries is, since the result would differ (no series).
	g, gctx := errgroup.WithContext(ctx)
	if page == nil {
		g.Go(func() error {
			p, err := x.readPage(gctx, ep.pageURL)
			switch {
			case err != nil && request.Retryable(err):
				return fmt.Errorf("qq: episode page: %w", err)
			case err != nil:
				x.log.Debug("episode page unreadable; no series metadata", "err", err)
				return nil
			}
			page = p
			return nil
		})
	}
	var res *resolved
	g.Go(func() error {
		var err error
		if res, err = x.resolve(gctx, ep); err != nil {
			return err
		}
		res.subtitles, err = x.loadSubtitlePlaylists(gctx, res.subtitles)
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return &extractors.Result{Media: []*extractors.Media{x.media(ep, res, page)}}, nil
}

// resolve runs the flows in the run's order (refused ones last). A
// refusal that another flow would repeat (VIP, region, not found, DRM)
// ends the search at once, and so does a network failure after its
// retries: another flow could give another container or quality, and a
// fault must not change the result. Only the flow's own failures (cKey
// refused, cannot play outside, a changed reply, media URLs refused even
// when fresh) hand over.
func (x *extractor) resolve(ctx context.Context, ep episode) (*resolved, error) {
	byName := map[string]flow{}
	names := make([]string, len(x.flows))
	for i, f := range x.flows {
		byName[f.name()], names[i] = f, f.name()
	}
	var errs []error
	for _, name := range x.ranks.Order("qq", names, x.prefer) {
		r, err := byName[name].resolve(ctx, ep)
		if err == nil {
			for i := range r.formats {
				r.formats[i].Flow = name
			}
			x.log.Info("formats from flow "+name, "flow", name, "vid", ep.vid, "formats", len(r.formats))
			return r, nil
		}
		if ctx.Err() != nil || decisive(err) || request.Retryable(err) {
			return nil, err
		}
		if errors.Is(err, extractors.ErrAPIChanged) && !errors.Is(err, ErrCKey) {
			// The site changed this flow's reply: worth a line without
			// --verbose, naming the flow and the field.
			x.log.Warn("API flow failed (its reply changed); trying the next", "flow", name, "err", err)
		} else {
			x.log.Info("API flow failed; trying the next", "flow", name, "err", err)
		}
		errs = append(errs, fmt.Errorf("flow %s: %w", name, err))
	}
	return nil, allFailed(errs)
}

// decisive errors are answers about the video, not about the flow.
func decisive(err error) bool {
	if errors.Is(err, ErrCannotPlayOutside) {
		return false
	}
	return extractors.AboutVideo(err)
}

// allFailed reports every flow's failure on one line; errors.Is sees
// each of them.
func allFailed(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return &flowsError{msg: strings.Join(msgs, "; then "), errs: errs}
}

type flowsError struct {
	msg  string
	errs []error
}

func (e *flowsError) Error() string   { return e.msg }
func (e *flowsError) Unwrap() []error { return e.errs }

// media assembles the result with what the page added.
func (x *extractor) media(ep episode, res *resolved, page *pageInfo) *extractors.Media {
	m := &extractors.Media{Site: "qq", ID: ep.vid, Title: res.title, PageURL: ep.pageURL, Duration: res.duration,
		Formats: res.formats, SignedURLs: true, Subtitles: res.subtitles, Preview: res.preview}
	for i := range m.Subtitles {
		m.Subtitles[i].Header = x.c.mediaHeader()
	}
	if page != nil {
		m.Series = page.seriesTitle()
		m.Episode = page.episodeNumber(ep.vid)
		m.Show = page.show()
		m.Thumbnail, m.AirDate, m.Description = page.episodeInfo(ep.vid)
		if m.Title == "" {
			m.Title = page.videoTitle
		}
	}
	if m.Title == "" {
		m.Title = ep.vid
	}
	if m.Preview {
		m.Title += " [preview]" // never named as the episode itself
	}
	return m
}

// episodeURL is the canonical page of an episode.
func episodeURL(ep episode) string {
	if ep.cid != "" {
		return "https://v.qq.com/x/cover/" + ep.cid + "/" + ep.vid + ".html"
	}
	return "https://v.qq.com/x/page/" + ep.vid + ".html"
}

// coverURL is the page of a series.
func coverURL(cid string) string { return "https://v.qq.com/x/cover/" + cid + ".html" }
