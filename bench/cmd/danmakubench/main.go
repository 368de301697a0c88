// Command danmakubench measures the danmaku layout and ASS rendering on
// a made-up episode: N comments (default 50,000) over D (default 45
// minutes), a mix of lengths, scripts and modes, from a fixed seed. It
// prints comments per second of layout + render and the heap the run
// needed; run it under /usr/bin/time for the peak RSS.
package main

import (
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/vdlproject/vdl/danmaku"
)

func main() {
	n := flag.Int("n", 50000, "comments")
	d := flag.Duration("d", 45*time.Minute, "episode length")
	runs := flag.Int("runs", 3, "runs (the median is reported)")
	flag.Parse()
	cs := comments(*n, *d)
	var took []time.Duration
	var st danmaku.Stats
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range *runs {
		start := time.Now()
		var err error
		st, err = danmaku.Render(io.Discard, cs, danmaku.Options{Duration: *d})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		took = append(took, time.Since(start))
	}
	runtime.ReadMemStats(&after)
	for i := range took { // a tiny sort: three runs
		for j := i + 1; j < len(took); j++ {
			if took[j] < took[i] {
				took[i], took[j] = took[j], took[i]
			}
		}
	}
	med := took[len(took)/2]
	fmt.Printf("comments %d over %v: layout + ASS %v (median of %d) = %.0f comments/s; placed %d, crowded %d; allocated %.1f MiB per run\n",
		*n, *d, med.Round(time.Millisecond), *runs, float64(*n)/med.Seconds(), st.Placed, st.Crowded,
		float64(after.TotalAlloc-before.TotalAlloc)/float64(*runs)/(1<<20))
}

// comments makes n comments over d with bursts (a fifth of them in the
// busiest tenth of the episode, as around a highlight).
func comments(n int, d time.Duration) []danmaku.Comment {
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"哈哈哈", "前方高能", "🎉", "好看", "this scene", "666", "泪目了", "名场面打卡"}
	cs := make([]danmaku.Comment, n)
	for i := range cs {
		t := time.Duration(rng.Int64N(int64(d)))
		if i%5 == 0 {
			t = d/2 + time.Duration(rng.Int64N(int64(d/10)))
		}
		mode := danmaku.Scroll
		if rng.IntN(12) == 0 {
			mode = danmaku.Top
		} else if rng.IntN(12) == 0 {
			mode = danmaku.Bottom
		}
		cs[i] = danmaku.Comment{ID: fmt.Sprint(i), Time: t, Text: strings.Repeat(words[rng.IntN(len(words))], 1+rng.IntN(4)),
			Color: danmaku.White, Mode: mode}
	}
	return cs
}
