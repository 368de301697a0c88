package request

import (
	"context"
	"errors"
	"io"
	"slices"
	"testing"
)

// fixedURLs are URLs for the loop that switch a given number of times.
type fixedURLs struct {
	urls     []string
	cur      int
	switches int // allowed moves
	retries  int // Retry calls seen
}

func (u *fixedURLs) URL() string { return u.urls[u.cur] }
func (u *fixedURLs) Switch(_ string, err error) bool {
	if u.switches == 0 || !MirrorWorthy(err) {
		return false
	}
	u.switches--
	u.cur = (u.cur + 1) % len(u.urls)
	return true
}
func (u *fixedURLs) Retry() { u.retries++ }

// TestRetryLoop: the loop's decisions for a scripted series of attempts:
// how many attempts run, how many backoff waits, and what it returns.
func TestRetryLoop(t *testing.T) {
	transient := Transient(io.ErrUnexpectedEOF)
	final := errors.New("no such thing")
	tests := []struct {
		name     string
		retries  int
		switches int
		stop     bool
		// script of the attempts: their error and whether they progressed.
		script   []error
		progress []bool
		attempts int
		waits    int
		err      error
		urls     []string // URL of each attempt
	}{
		{name: "first try", retries: 3, script: []error{nil}, attempts: 1, err: nil, urls: []string{"a"}},
		{name: "transient then success", retries: 3, script: []error{transient, transient, nil}, attempts: 3, waits: 2, urls: []string{"a", "a", "a"}},
		{name: "retries run out", retries: 2, script: []error{transient, transient, transient, nil}, attempts: 3, waits: 2, err: transient},
		{name: "permanent at once", retries: 5, script: []error{final}, attempts: 1, err: final},
		{name: "no progress, no new streak", retries: 1, script: []error{transient, transient, nil}, attempts: 2, waits: 1, err: transient},
		{name: "progress starts a new streak", retries: 1, script: []error{transient, transient, nil},
			progress: []bool{false, true, false}, attempts: 3, waits: 2},
		{name: "a mirror before any wait", retries: 1, switches: 1, script: []error{transient, nil}, attempts: 2, waits: 0, urls: []string{"a", "b"}},
		{name: "mirrors spent, then backoff", retries: 1, switches: 1, script: []error{transient, transient, nil}, attempts: 3, waits: 1, urls: []string{"a", "b", "b"}},
		{name: "stop ends without error", retries: 5, stop: true, script: []error{transient}, attempts: 1},
		{name: "stop is not asked for a permanent error", retries: 5, stop: true, script: []error{final}, attempts: 1, err: final},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			c := &Client{Policy: Policy{Retries: tt.retries, Sleep: rec.sleep}}
			urls := &fixedURLs{urls: []string{"a", "b"}, switches: tt.switches}
			var r Retry
			if tt.stop {
				r.Stop = func(error) bool { return true }
			}
			var got []string
			err := c.Retry(context.Background(), urls, r, func(_ context.Context, u string) (bool, error) {
				i := len(got)
				got = append(got, u)
				return i < len(tt.progress) && tt.progress[i], tt.script[i]
			})
			if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
				t.Errorf("err %v, want %v", err, tt.err)
			}
			if len(got) != tt.attempts {
				t.Errorf("%d attempts, want %d", len(got), tt.attempts)
			}
			if len(rec.waits) != tt.waits || urls.retries != tt.waits {
				t.Errorf("%d waits (%d Retry calls), want %d", len(rec.waits), urls.retries, tt.waits)
			}
			if tt.urls != nil && !slices.Equal(got, tt.urls) {
				t.Errorf("URLs %v, want %v", got, tt.urls)
			}
		})
	}
}
