#!/usr/bin/env bash
# Benchmark a whole series (issue 11) against the fake v.qq.com: its
# 13-item series (a trailer, 12 episodes, E06 VIP only, listed 10 at a
# time by GetPageData), every page/API reply delayed by API_DELAY, every
# episode the same MP4 of 30 s of 720p from a CDN throttled to RATE
# bytes/s per connection. Reports the wall time of `vdl <series-url>`
# against the limit, total bytes / (CONNS x RATE), extraction included;
# then the same with --debug-sequential (each item extracted, then
# downloaded, then the next: the peers' one-at-a-time loop) and the ratio.
# Needs: ffmpeg, time (Debian packages).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
RATE=${RATE:-1048576}
CONNS=${CONNS:-8}
API_DELAY=${API_DELAY:-50ms}
WORK=${BENCH_DIR:-/tmp/vdl-bench}/series
OUT=bench/results
mkdir -p "$WORK" "$OUT"
require_tools ffmpeg
build_bench "$WORK" fakeqq

if [ ! -s "$WORK/episode.mp4" ]; then
  echo "series bench: encoding 30 s of 720p..." >&2
  encode_source "$WORK/episode.mp4" 30
fi
size=$(wc -c < "$WORK/episode.mp4")
total=$((size * 11)) # E06 is refused

start_fakeqq "$WORK/fakeqq" "$WORK" -series-file "$WORK/episode.mp4" -throttle "$RATE" -api-delay "$API_DELAY"
fake=$FAKEQQ_PID proxy=$FAKEQQ_PROXY
trap 'kill $fake 2>/dev/null' EXIT
url=https://v.qq.com/x/cover/mzc00200vdlser1.html

run() { # run NAME ARGS...: one timed series download, wall seconds to $WORK/NAME.time
  local name=$1; shift
  rm -rf "$WORK/dl"; mkdir -p "$WORK/dl"
  local code=0
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/$name.time" \
    "$WORK/vdl" -q -n "$CONNS" "$@" --proxy "$proxy" -d "$WORK/dl" "$url" 2> "$WORK/$name.err" || code=$?
  if [ "$code" != 7 ]; then echo "series bench: vdl exited $code, want 7 (E06 refused)" >&2; cat "$WORK/$name.err" >&2; exit 1; fi
  n=$(find "$WORK/dl" -name '*.mp4' | wc -l)
  if [ "$n" != 11 ]; then echo "series bench: $n episodes saved, want 11" >&2; exit 1; fi
}
run pipelined
run sequential --debug-sequential
kill -INT $fake; wait $fake 2>/dev/null || true

python3 - "$total" "$RATE" "$CONNS" "$API_DELAY" "$WORK/pipelined.time" "$WORK/sequential.time" > "$OUT/series.txt" <<'PY'
import sys
total, rate, conns, delay = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
def read(p):
    wall, user, sys_, rss = open(p).read().strip().splitlines()[-1].split()
    return float(wall), float(user) + float(sys_), int(rss)
limit = total / (conns * rate)
pw, pc, pr = read(sys.argv[5])
sw, sc, sr = read(sys.argv[6])
print(f"series: 11 episodes of {total/11/2**20:.1f} MiB ({total/2**20:.1f} MiB), {conns} connections x {rate/2**20:.2f} MiB/s, API delay {delay}")
print(f"limit (bytes / (n x rate)): {limit:.2f} s")
print(f"pipelined:  {pw:6.2f} s  = {100*limit/pw:5.1f} % of the limit  (CPU {pc:.2f} s, RSS {pr//1024} MiB)")
print(f"sequential: {sw:6.2f} s  = {100*limit/sw:5.1f} % of the limit  (CPU {sc:.2f} s, RSS {sr//1024} MiB)")
print(f"sequential / pipelined: {sw/pw:.2f}x")
PY
cat "$OUT/series.txt"
