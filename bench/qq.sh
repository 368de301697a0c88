#!/usr/bin/env bash
# Benchmark a v.qq.com episode (issue 5) against the fake v.qq.com
# (internal/fakeqq) behind its TLS proxy: the legacy flow (getvinfo
# refused, a platform refused, then getinfo per quality and getkey per
# clip), every page/API reply delayed by API_DELAY (a round trip to
# Tencent), and 5 MP4 clips of 2 minutes of 720p served by a CDN throttled
# to RATE bytes/s per connection. Reports the extraction time (all API
# round trips, from vdl --verbose) and the download time against the
# limit: sum of clip sizes / (RATE x CONNS). FAIL_EVERY=N makes the fake
# fail every Nth page/API request (503 with Retry-After: 1, a reset, a
# 502, a request never answered, in turn); VDL_ARGS adds vdl flags (for
# example --timeout 5s).
# Needs: ffmpeg, time (Debian packages).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
RATE=${RATE:-1048576}
CONNS=${CONNS:-16}
API_DELAY=${API_DELAY:-50ms}
FAIL_EVERY=${FAIL_EVERY:-0}
WORK=${BENCH_DIR:-/tmp/vdl-bench}/qq
OUT=bench/results
mkdir -p "$WORK" "$OUT"
require_tools ffmpeg
build_bench "$WORK" fakeqq

if [ ! -s "$WORK/clip5.mp4" ]; then
  echo "qq bench: encoding 2 minutes of 720p..." >&2
  encode_source "$WORK/source.mp4" 120
  ffmpeg -v error -y -i "$WORK/source.mp4" -map 0 -c copy -f segment -segment_times 24,48,72,96 \
    -segment_start_number 1 -reset_timestamps 1 -segment_format mp4 "$WORK/clip%d.mp4"
fi
clips=$(ls "$WORK"/clip{1,2,3,4,5}.mp4 | paste -sd, -)
total=$(cat "$WORK"/clip{1,2,3,4,5}.mp4 | wc -c)

start_fakeqq "$WORK/fakeqq" "$WORK" -clips "$clips" -throttle "$RATE" -api-delay "$API_DELAY" -fail-every "$FAIL_EVERY"
fake=$FAKEQQ_PID proxy=$FAKEQQ_PROXY
trap 'kill $fake 2>/dev/null' EXIT
url=https://v.qq.com/x/page/n0687peq62x.html


RUNS=${RUNS:-3}
: > "$WORK/runs.txt"
for run in $(seq "$RUNS"); do
  rm -rf "$WORK/dl"; mkdir -p "$WORK/dl"
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/time.txt" \
    "$WORK/vdl" --verbose -n "$CONNS" ${VDL_ARGS:-} --proxy "$proxy" -d "$WORK/dl" "$url" 2> "$WORK/dl.err" >/dev/null || {
    echo "qq bench: vdl failed" >&2; cat "$WORK/dl.err" >&2; exit 1; }
  took=$(grep -ho "took=[0-9.]*m\?s" "$WORK/dl.err" | head -1 | sed 's/took=//')
  echo "$(cat "$WORK/time.txt") $took" >> "$WORK/runs.txt"
done
kill -INT $fake; wait $fake 2>/dev/null || true
python3 - "$total" "$RATE" "$CONNS" "$API_DELAY" "$WORK/runs.txt" "$FAIL_EVERY" > "$OUT/qq.txt" <<'PY'
import statistics, sys
total, rate, conns, delay = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
runs = []
for line in open(sys.argv[5]):
    wall, user, sys_, rss, took = line.split()
    ext = float(took[:-2]) / 1000 if took.endswith("ms") else float(took[:-1])
    runs.append((float(wall), float(user) + float(sys_), float(rss) / 1024, ext))
ideal = total / (rate * conns)
wall, cpu, rss, ext = (statistics.median(r[i] for r in runs) for i in range(4))
fetch = sorted(r[0] - r[3] for r in runs)
print(f"episode: 5 clips, {total/2**20:.1f} MiB; CDN {rate/2**20:.2f} MiB/s per connection x {conns} connections; "
      f"API round trip {delay}; every {sys.argv[6]}th page/API request failing (0: none); median of {len(runs)} runs")
print("| measure | value |")
print("|---|---|")
print(f"| extraction (all API round trips) | {ext:.3f} s |")
print(f"| total wall time | {wall:.2f} s (CPU {cpu:.2f} s, peak RSS {rss:.1f} MiB) |")
print(f"| limit: size / (rate x conns) | {ideal:.2f} s |")
med = statistics.median(fetch)
print(f"| download + join after extraction | {med:.2f} s = {100*ideal/med:.1f} % of the limit "
      f"(runs: {', '.join(f'{100*ideal/f:.1f} %' for f in fetch)}) |")
print(f"| end to end | {100*ideal/wall:.1f} % of the limit |")
PY
cat "$OUT/qq.txt"
cat "$WORK/fakeqq.err" >&2
