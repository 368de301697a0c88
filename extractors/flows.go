package extractors

import (
	"slices"
	"sync"
)

// Flows remembers, for one run, which of a site's flows the CDN refused
// (the API answered, the media did not come). A series must not pay the
// same refusal for every episode: a refused flow is tried last from then
// on. It is safe for concurrent use; the zero value is ready.
type Flows struct {
	mu      sync.Mutex
	refused map[string]int // "site/flow" -> order of refusal (1 = first)
}

// Refuse records that site's flow was refused.
func (f *Flows) Refuse(site, flow string) {
	if f == nil || flow == "" {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.refused == nil {
		f.refused = map[string]int{}
	}
	k := site + "/" + flow
	if _, ok := f.refused[k]; !ok {
		f.refused[k] = len(f.refused) + 1
	}
}

// Refused says whether site's flow was refused in this run.
func (f *Flows) Refused(site, flow string) bool {
	if f == nil {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.refused[site+"/"+flow]
	return ok
}

// Order returns names (a site's flows, in its own order) with prefer
// first, the flows not refused next in their order, and the refused
// ones last, the earliest refused last of all.
func (f *Flows) Order(site string, names []string, prefer string) []string {
	rank := func(n string) int { return 0 }
	if f != nil {
		f.mu.Lock()
		snapshot := make(map[string]int, len(f.refused))
		for k, v := range f.refused {
			snapshot[k] = v
		}
		f.mu.Unlock()
		rank = func(n string) int { return snapshot[site+"/"+n] }
	}
	out := slices.Clone(names)
	slices.SortStableFunc(out, func(a, b string) int {
		switch {
		case a == prefer && b != prefer:
			return -1
		case b == prefer && a != prefer:
			return 1
		}
		ra, rb := rank(a), rank(b)
		switch {
		case ra == rb:
			return 0
		case ra == 0:
			return -1
		case rb == 0:
			return 1
		}
		return rb - ra // refused later: tried before one refused earlier
	})
	return out
}
