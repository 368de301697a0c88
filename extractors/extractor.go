package extractors

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"

	"github.com/vdlproject/vdl/request"
)

// Extractor resolves a URL into media.
type Extractor interface {
	Extract(ctx context.Context, u *url.URL) (*Result, error)
}

// Env is what an extractor gets to work with; there is no package state.
type Env struct {
	// HTTP makes every request of the extractor, under vdl's one retry
	// and timeout policy.
	HTTP *request.Client
	Log  *slog.Logger
	// UserAgent is the User-Agent the client sends unless a request sets
	// its own; sites that sign it (v.qq.com's cKey) need to know it.
	UserAgent string
	// Playlist says what a URL naming both an item and its series means
	// (yt-dlp's --yes-playlist / --no-playlist).
	Playlist PlaylistMode
	// Flows is the run's record of refused flows (nil: none kept); a
	// site with several flows tries the refused ones last.
	Flows *Flows
	// PreferFlow, if set, is tried first: the flow whose bytes an
	// unfinished download already holds.
	PreferFlow string
	// KeepPreviews offers a preview (the free minutes of a VIP item) as
	// the item, marked Media.Preview, instead of refusing it as VIP only
	// (--no-check-duration).
	KeepPreviews bool
}

// PlaylistMode is the user's choice between an item and its series.
type PlaylistMode int

const (
	// PlaylistAuto: a series URL is the series; an item's URL (even with
	// its series in it) is the item.
	PlaylistAuto PlaylistMode = iota
	// PlaylistYes: an item's URL that names its series is the series.
	PlaylistYes
	// PlaylistNo: a series URL is the item its page plays.
	PlaylistNo
)

// Site describes one extractor. Hosts match exactly or as a suffix after a
// dot ("qq.com" matches "v.qq.com"). A site with no hosts is the fallback
// for any URL no other site claims (there can be one).
type Site struct {
	Name  string
	Hosts []string
	New   func(Env) Extractor
}

// registry is the set of registered sites, database/sql style: filled in
// init functions, read afterwards.
var registry struct {
	sync.RWMutex
	byName   map[string]Site
	byHost   map[string]string
	fallback string
}

// Register adds a site. It panics on a duplicate name or host, or a second
// fallback: those are programming errors found at start-up.
func Register(s Site) {
	registry.Lock()
	defer registry.Unlock()
	if registry.byName == nil {
		registry.byName = map[string]Site{}
		registry.byHost = map[string]string{}
	}
	if s.Name == "" || s.New == nil {
		panic("extractors: Register needs a name and a constructor")
	}
	if _, dup := registry.byName[s.Name]; dup {
		panic("extractors: duplicate site " + s.Name)
	}
	if len(s.Hosts) == 0 {
		if registry.fallback != "" {
			panic("extractors: second fallback site " + s.Name)
		}
		registry.fallback = s.Name
	}
	for _, h := range s.Hosts {
		h = strings.ToLower(h)
		if other, dup := registry.byHost[h]; dup {
			panic(fmt.Sprintf("extractors: host %s claimed by %s and %s", h, other, s.Name))
		}
		registry.byHost[h] = s.Name
	}
	registry.byName[s.Name] = s
}

// Lookup returns the site for u: the most specific registered host that
// matches, else the fallback. ok is false if nothing can handle u.
func Lookup(u *url.URL) (Site, bool) {
	registry.RLock()
	defer registry.RUnlock()
	host := strings.ToLower(u.Hostname())
	for h := host; h != ""; {
		if name, ok := registry.byHost[h]; ok {
			return registry.byName[name], true
		}
		_, rest, found := strings.Cut(h, ".")
		if !found {
			break
		}
		h = rest
	}
	s, ok := registry.byName[registry.fallback]
	return s, ok
}

// ArchiveKey is an item's record in a download archive: its site and id
// (the Media's Site and ID).
type ArchiveKey struct{ Site, ID string }

// KnownIDs is implemented by extractors that can tell from a URL alone
// which item it names, so that an archived item is skipped before any
// request about it. The keys are every record the URL may give (a plain
// URL becomes a "generic" or an "hls" item, as its reply says); none
// means not known without a request.
type KnownIDs interface {
	KnownIDs(u *url.URL) []ArchiveKey
}
