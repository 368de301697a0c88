// Package request is vdl's one policy for HTTP requests. Every request
// vdl makes (pages, site APIs, playlists, keys, the probe of a plain URL
// and every ranged transfer) is retried and time-bounded by the rules
// here, so a fault on the network is handled the same way wherever it
// happens:
//
//   - retried: network errors, resets, EOF before or inside the headers
//     or the body, a timeout, and the statuses 408, 425, 429 and 5xx;
//   - not retried: other statuses, a refused certificate, an unknown
//     host, a bad URL, and whatever the caller marks permanent;
//   - the wait: exponential backoff with full jitter, or the server's
//     Retry-After (seconds or an HTTP date) when longer, capped;
//   - the bound: no answer (headers) within Timeout, or a body silent
//     for Timeout, ends the attempt; it is then retried like any fault.
//
// There is one attempt (Client.Send: the watchdog, redacted messages,
// typed errors) and one retry loop (Client.Retry: the policy,
// Retry-After, mirrors, a new streak after progress), a decorator around
// an attempt. Client.Read (small bodies: pages, API replies, playlists,
// keys) and Client.Open (a probe whose body the caller reads) run on
// them; package fetch decorates its own attempt, one ranged request,
// with the same loop.
package request
