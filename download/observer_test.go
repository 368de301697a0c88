package download

import (
	"slices"
	"testing"
	"time"

	"github.com/vdlproject/vdl/extractors"
	"github.com/vdlproject/vdl/fetch"
)

type fixedProgress fetch.Progress

func (p fixedProgress) Progress() fetch.Progress { return fetch.Progress(p) }

// TestListEstimate: the list's estimate counts the items done, the ones
// in flight, and the rest at the mean size of the known ones.
func TestListEstimate(t *testing.T) {
	start := time.Unix(1000, 0)
	tests := []struct {
		name    string
		live    []Progress
		now     time.Time
		wantPct float64 // -1: none
		wantETA time.Duration
	}{
		{"nothing in flight", nil, start, -1, 0},
		{"one in flight", []Progress{{Done: 50, Total: 100}}, start, 62.5, 0}, // 250 of 200+100+100
		{"with a rate", []Progress{{Done: 50, Total: 100}}, start.Add(10 * time.Second), 62.5, 6 * time.Second},
		{"an unknown size in flight", []Progress{{Done: 50, Total: -1}}, start, -1, 0},
	}
	for _, tt := range tests {
		s := &runState{listTotal: 4, itemsDone: 2, itemsSized: 2, itemBytes: 200, listStart: start}
		pct, eta := s.listEstimate(tt.live, tt.now)
		if pct != tt.wantPct || eta != tt.wantETA {
			t.Errorf("%s: %v%%, ETA %v; want %v%%, %v", tt.name, pct, eta, tt.wantPct, tt.wantETA)
		}
	}
}

// TestProgressSumsOverlappingJobs: two jobs on the line are one
// snapshot, labelled by the earliest; a job that ends keeps its bytes on
// the line until the last one ends.
func TestProgressSumsOverlappingJobs(t *testing.T) {
	d := &Downloader{obs: quietObserver{}}
	end1 := d.transfer("e1", fixedProgress{Done: 10, Total: 100, Parts: 1})
	end2 := d.transfer("e2", fixedProgress{Done: 5, Total: 50, Parts: 1})
	if p := d.Progress(); p.Label != "e1 (+1)" || p.Done != 15 || p.Total != 150 {
		t.Errorf("two jobs: %+v", p)
	}
	end1(nil)
	if p := d.Progress(); p.Label != "e2" || p.Done != 15 {
		t.Errorf("after the first ended: %+v", p)
	}
	end2(nil)
	if p := d.Progress(); p.Label != "e2" || p.Done != 0 {
		t.Errorf("after both: %+v, want the last label and no bytes", p)
	}
}

// TestBatchNumbering: a batch's series takes its line's place in the
// run's one sequence of positions; a series that selects nothing keeps
// its line's.
func TestBatchNumbering(t *testing.T) {
	entries := func(n int) *extractors.Playlist { return &extractors.Playlist{Entries: make([]extractors.Entry, n)} }
	num := &numbering{total: 4}
	var got []int
	got = append(got, num.next()) // a media
	num.next()
	num.expand(entries(3), Items{}) // a series of 3 on line 2
	for range 3 {
		got = append(got, num.next())
	}
	none, _ := ParseItems("9-")
	num.next()
	num.expand(entries(2), none)  // line 3: nothing selected
	got = append(got, num.next()) // line 4
	if want := []int{1, 2, 3, 4, 6}; !slices.Equal(got, want) || num.total != 6 {
		t.Errorf("positions %v of %d, want %v of 6", got, num.total, want)
	}
}
