package extractors

import "encoding/json"

// Durations are written in seconds (as players and scripts expect), not
// in Go's nanoseconds.

// MarshalJSON writes Duration in seconds.
func (m Media) MarshalJSON() ([]byte, error) {
	type plain Media
	return json.Marshal(struct {
		plain
		Duration float64 `json:"duration,omitempty"`
	}{plain(m), m.Duration.Seconds()})
}

// MarshalJSON writes Duration in seconds.
func (s Segment) MarshalJSON() ([]byte, error) {
	type plain Segment
	return json.Marshal(struct {
		plain
		Duration float64 `json:"duration,omitempty"`
	}{plain(s), s.Duration.Seconds()})
}
