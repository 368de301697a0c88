package fetch

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"sync"
	"testing"

	"golang.org/x/sync/errgroup"

	ms "github.com/vdlproject/vdl/internal/mediaserver"
)

// TestSlotsServeByPriority: a freed slot goes to the waiting job with the
// lowest priority value, then to the earliest waiter.
func TestSlotsServeByPriority(t *testing.T) {
	s := NewSlots(1)
	ctx := context.Background()
	if got, _ := s.acquire(ctx, 5, nil); !got {
		t.Fatal("a free slot was not taken")
	}
	order := make(chan int, 3)
	var wg sync.WaitGroup
	waiting := func(prio int) {
		// Queue in a known order: each waiter is in the queue before the next starts.
		s.mu.Lock()
		n := len(s.waiting)
		s.mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got, err := s.acquire(ctx, prio, nil); got && err == nil {
				order <- prio
				s.release()
			}
		}()
		for {
			s.mu.Lock()
			m := len(s.waiting)
			s.mu.Unlock()
			if m > n {
				return
			}
		}
	}
	waiting(2)
	waiting(1)
	waiting(2)
	s.release()
	wg.Wait()
	close(order)
	var got []int
	for p := range order {
		got = append(got, p)
	}
	if len(got) != 3 || got[0] != 1 || got[1] != 2 || got[2] != 2 {
		t.Errorf("served %v, want [1 2 2]", got)
	}
	// A waiter whose job changes gives up without a slot.
	if got, _ := s.acquire(ctx, 0, nil); !got {
		t.Fatal("slot not free again")
	}
	wake := make(chan struct{})
	close(wake)
	if got, err := s.acquire(ctx, 0, wake); got || err != nil {
		t.Errorf("woken waiter: got %v, %v", got, err)
	}
}

// inflight counts requests from their start to their body's close, and
// keeps the peak.
type inflight struct {
	base      http.RoundTripper
	mu        sync.Mutex
	now, peak int
}

func (c *inflight) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.now++
	c.peak = max(c.peak, c.now)
	c.mu.Unlock()
	resp, err := c.base.RoundTrip(r)
	if err != nil {
		c.done()
		return nil, err
	}
	resp.Body = &countedBody{ReadCloser: resp.Body, done: c.done}
	return resp, nil
}

func (c *inflight) done() {
	c.mu.Lock()
	c.now--
	c.mu.Unlock()
}

type countedBody struct {
	io.ReadCloser
	once sync.Once
	done func()
}

func (b *countedBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.done)
	return err
}

// TestJobsShareSlots: two jobs of 4 connections each, on one budget of 4,
// never have more than 4 requests in flight at once, and both finish
// with the right bytes.
func TestJobsShareSlots(t *testing.T) {
	data := ms.RandomBytes(3 << 20)
	s := startServer(t, data, ms.Options{Throttle: 8 << 20})
	dir := t.TempDir()
	slots := NewSlots(4)
	counter := &inflight{base: &http.Transport{DisableCompression: true}}
	var g errgroup.Group
	for i := range 2 {
		o := fastOpts(dir)
		o.Slots, o.Priority, o.StatePath = slots, i, ""
		o.Client.HTTP = &http.Client{Transport: counter}
		j, err := New([]Part{{URL: s.FileURL(), Size: -1, Path: filepath.Join(dir, string(rune('a'+i))+".bin")}}, o)
		if err != nil {
			t.Fatal(err)
		}
		g.Go(func() error { return j.Run(context.Background()) })
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	sameFile(t, filepath.Join(dir, "a.bin"), data)
	sameFile(t, filepath.Join(dir, "b.bin"), data)
	if counter.peak > 4 {
		t.Errorf("%d requests in flight at once across the two jobs, over the budget of 4", counter.peak)
	}
	if counter.peak < 2 {
		t.Errorf("peak %d: the jobs did not transfer in parallel at all", counter.peak)
	}
}
