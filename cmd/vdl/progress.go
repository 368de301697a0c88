package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vdlproject/vdl/download"
)

// speedMeter smooths the rate over recent samples.
type speedMeter struct {
	lastAt   time.Time
	lastDone int64
	rate     float64 // bytes/s, exponentially weighted
}

func (m *speedMeter) sample(now time.Time, done int64) float64 {
	if !m.lastAt.IsZero() {
		dt := now.Sub(m.lastAt).Seconds()
		if dt > 0 {
			inst := float64(done-m.lastDone) / dt
			if m.rate == 0 {
				m.rate = inst
			} else {
				m.rate = 0.8*m.rate + 0.2*inst
			}
		}
	}
	m.lastAt, m.lastDone = now, done
	return m.rate
}

// showProgress draws the run's progress until ctx ends: a bar on a
// terminal, a plain line every few seconds otherwise. It returns after
// drawing a final line. The list's estimate comes last, where a narrow
// terminal cuts first.
func showProgress(ctx context.Context, con *console, src func() download.Progress) {
	interval := 200 * time.Millisecond
	every := 1
	if !con.tty {
		every = 25 // a line every 5 s for logs and wrappers
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	var m speedMeter
	start := time.Now()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			p := src()
			if p.Done == 0 || !con.tty && context.Cause(ctx) == errJobFailed {
				con.EndBar()
				return // nothing happened, or the error line follows: no summary
			}
			line := progressLine(p, float64(p.Done-p.Resumed)/max(time.Since(start).Seconds(), 0.001), false)
			if con.tty {
				con.Bar(line)
				con.EndBar()
			} else {
				con.Printf("%s", line)
			}
			return
		case now := <-t.C:
			p := src()
			rate := m.sample(now, p.Done)
			if i%every != 0 {
				continue
			}
			line := progressLine(p, rate, true)
			if con.tty {
				con.Bar(line)
			} else {
				con.Printf("%s", line)
			}
		}
	}
}

// progressLine renders "name  45% [=====>    ] 12.0 MiB/26.4 MiB  3.1 MiB/s  ETA 0:05",
// then a wait before a retry and the list's estimate. withETA is for a
// line being drawn (not the final one).
func progressLine(p download.Progress, rate float64, withETA bool) string {
	var b strings.Builder
	b.WriteString(p.Label)
	if withETA && p.Waiting != "" {
		fmt.Fprintf(&b, " (%s)", p.Waiting)
	}
	if p.Total > 0 {
		// Done can pass Total for a moment (a size learnt late, a part
		// refetched after a change): the bar is clamped, never negative.
		pct := min(max(float64(p.Done)/float64(p.Total), 0), 1)
		const width = 24
		filled := int(pct * width)
		fmt.Fprintf(&b, " %5.1f%% [%s%s] %s/%s", pct*100, strings.Repeat("=", filled), strings.Repeat(" ", width-filled),
			humanBytes(p.Done), humanBytes(p.Total))
	} else if p.Parts > 1 {
		// Segment sizes are learnt as they come: count parts instead.
		fmt.Fprintf(&b, " %5.1f%% %s", 100*float64(p.PartsDone)/float64(p.Parts), humanBytes(p.Done))
	} else {
		fmt.Fprintf(&b, " %s", humanBytes(p.Done))
	}
	fmt.Fprintf(&b, "  %s/s", humanBytes(int64(rate)))
	if p.Parts > 1 {
		fmt.Fprintf(&b, "  parts %d/%d", p.PartsDone, p.Parts)
	}
	if withETA {
		fmt.Fprintf(&b, "  conns %d", p.Conns)
		if p.Total > 0 && rate > 1 && p.Done < p.Total {
			fmt.Fprintf(&b, "  ETA %s", formatETA(time.Duration(float64(p.Total-p.Done)/rate*float64(time.Second))))
		}
		if p.ListPercent >= 0 {
			fmt.Fprintf(&b, "  | list ~%.0f%%", p.ListPercent)
			if p.ListETA > 0 {
				b.WriteString("  ~ETA " + formatETA(p.ListETA))
			}
		}
	}
	return b.String()
}

func formatETA(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
