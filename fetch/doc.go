// Package fetch is vdl's segmented downloader. A Job moves the bytes of
// one or more parts (URL + headers) into files with N connections in
// total. A part is split into byte ranges once its server has answered a
// ranged request with a sound 206. An idle connection takes the first
// free range (in part order); else the excess of the claimed range that
// would finish furthest past the job's balanced end (balance.go); else
// a share of the range expected to finish last, split in proportion to
// the measured speeds (before any speed is known, half of the largest);
// else it races the slow tail. A
// connection far below the median is dropped, and a host that refuses
// extra connections gets fewer.
//
// Those decisions are a scheduler's, with no I/O and its own clock
// (scheduler.go, balance.go, steal.go, hosts.go, outcomes.go, slow.go). The transfer
// loop (transfer.go, response.go) makes the requests, each one an
// attempt under request.Client.Retry, vdl's one retry loop (backoff,
// Retry-After, mirrors), and reports what each response did to the
// scheduler as a typed outcome.
//
// Progress is checkpointed to a state file so that a rerun after
// Ctrl-C, a crash or SIGKILL resumes without refetching finished ranges,
// and without ever mixing bytes of two versions of a remote file.
//
// The package does no printing: it reports through Job.Progress (atomic
// counters, safe to poll from any goroutine) and an injected
// *slog.Logger.
package fetch
