package fetch

import "golang.org/x/time/rate"

// NewLimiter returns a limiter for bytesPerSec shared by all connections.
// The burst is a twentieth of a second of traffic (at least 4 KiB, at most
// one read chunk) so the stream is smooth rather than bursts then pauses.
func NewLimiter(bytesPerSec int64) *rate.Limiter {
	burst := int(min(max(bytesPerSec/20, 4<<10), readChunk))
	return rate.NewLimiter(rate.Limit(bytesPerSec), burst)
}
