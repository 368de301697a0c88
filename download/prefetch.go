package download

import (
	"context"
	"net/url"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/vdlproject/vdl/extractors"
)

// prefetchAhead is how many items of a list are extracted ahead of the
// one downloading: the connections never wait on the site's API, and
// signed URLs are not fetched so early that they expire (if they do, the
// refresh path renews them).
const prefetchAhead = 2

// prefetcher extracts list entries ahead of their turn, each at most
// once; get waits for an entry's result.
type prefetcher struct {
	d   *Downloader
	ctx context.Context
	g   *errgroup.Group
	mu  sync.Mutex
	got map[int]*extraction
}

type extraction struct {
	res  *extractors.Result
	err  error
	done chan struct{}
}

func newPrefetcher(ctx context.Context, d *Downloader) (*prefetcher, func()) {
	ctx, cancel := context.WithCancel(ctx)
	g := &errgroup.Group{}
	p := &prefetcher{d: d, ctx: ctx, g: g, got: map[int]*extraction{}}
	return p, func() {
		cancel()
		_ = g.Wait() // extraction errors are delivered by get, not here
	}
}

// start begins extracting entry i (its URL u) unless it has begun.
func (p *prefetcher) start(i int, u *url.URL) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.got[i]; ok {
		return
	}
	x := &extraction{done: make(chan struct{})}
	p.got[i] = x
	p.g.Go(func() error {
		defer close(x.done)
		x.res, x.err = p.d.Extract(p.ctx, u)
		return nil
	})
}

// get returns entry i's extraction, starting it if needed, and forgets
// it (a second get extracts afresh: the retry of a failed item).
func (p *prefetcher) get(ctx context.Context, i int, u *url.URL) (*extractors.Result, error) {
	p.start(i, u)
	p.mu.Lock()
	x := p.got[i]
	p.mu.Unlock()
	select {
	case <-x.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	p.mu.Lock()
	delete(p.got, i)
	p.mu.Unlock()
	return x.res, x.err
}
