#!/usr/bin/env bash
# Benchmark vdl on an HLS playlist of 300 two-second segments (issue 4)
# against `ffmpeg -i URL -c copy` and Debian's
# `yt-dlp --concurrent-fragments 16`, served by a local nginx through a
# relay (bench/cmd/delayrelay) that throttles each connection, like a CDN,
# and adds latency to every request. One run per tool by default
# (RUNS=n for the median of n). Prints a markdown table; raw numbers go to
# bench/results/hls-raw.txt.
#
# Needs: nginx ffmpeg yt-dlp time (Debian packages).
# Knobs: RATE (bytes/s per connection, default 2 MiB/s), DELAY (default 50ms).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-1}
RATE=${RATE:-2097152}
DELAY=${DELAY:-50ms}
WORK=${BENCH_DIR:-/tmp/vdl-bench-hls}
OUT=bench/results
mkdir -p "$WORK/www/hls" "$WORK/nginx" "$OUT"
. bench/lib.sh
require_tools nginx ffmpeg yt-dlp curl /usr/bin/time

build_bench "$WORK" delayrelay
if [ ! -s "$WORK/www/hls/index.m3u8" ]; then
  echo "bench: generating 10 minutes of 640x360 video as 300 HLS segments" >&2
  ( cd "$WORK/www/hls" && ffmpeg -v error -f lavfi -i testsrc2=size=640x360:rate=25:duration=600 \
      -f lavfi -i sine=frequency=440:sample_rate=48000:duration=600 \
      -c:v libx264 -preset ultrafast -b:v 1200k -maxrate 1200k -bufsize 2400k -g 50 -keyint_min 50 -sc_threshold 0 \
      -c:a aac -b:a 96k -f hls -hls_time 2 -hls_playlist_type vod -hls_segment_filename 'seg%03d.ts' index.m3u8 )
fi
SEGS=$(grep -c '^seg' "$WORK/www/hls/index.m3u8")
MIB=$(du -sm --apparent-size "$WORK/www/hls" | cut -f1)

PORT=${BENCH_PORT:-18472}
start_nginx "$PORT" "$WORK/www" ""
"$WORK/delayrelay" -target "127.0.0.1:$PORT" -delay "$DELAY" -rate "$RATE" > "$WORK/relay.addr" &
RELAY_PID=$!
cleanup() { kill $NGINX_PID $RELAY_PID 2>/dev/null || true; rm -rf "$WORK/dl"; }
trap cleanup EXIT
for _ in $(seq 100); do [ -s "$WORK/relay.addr" ] && break; sleep 0.05; done
URL="http://$(head -1 "$WORK/relay.addr")/hls/index.m3u8"
for _ in $(seq 50); do curl -s -o /dev/null "$URL" && break; sleep 0.1; done

: > "$OUT/hls-raw.txt"
for run in $(seq "$RUNS"); do
  measure "$OUT/hls-raw.txt" vdl "$WORK/vdl" -q -n 16 -o out.ts "$URL"
  measure "$OUT/hls-raw.txt" yt-dlp yt-dlp -q --no-progress --concurrent-fragments 16 --fixup never -o out.ts "$URL"
  measure "$OUT/hls-raw.txt" ffmpeg ffmpeg -v error -i "$URL" -c copy -f mpegts out.ts
  # The same download into a regular MP4: vdl remuxes in pure Go after the
  # transfer, ffmpeg muxes as it goes (moov at the end).
  measure "$OUT/hls-raw.txt" vdl-mp4 "$WORK/vdl" -q -n 16 -o out.mp4 "$URL"
  measure "$OUT/hls-raw.txt" ffmpeg-mp4 ffmpeg -v error -i "$URL" -c copy out.mp4
done

python3 - "$OUT/hls-raw.txt" "$SEGS" "$MIB" "$RATE" "$DELAY" <<'PY'
import sys, statistics, collections
raw, segs, mib, bps, delay = sys.argv[1:]
limit = f"{int(bps)/2**20:g} MiB/s"
rows = collections.OrderedDict()
for line in open(raw):
    label, wall, user, sys_, rss = line.split()
    rows.setdefault(label, []).append((float(wall), float(user) + float(sys_), int(rss)))
print(f"HLS: {segs} segments, {mib} MiB, {limit} per connection, +{delay} per request")
print()
print("| tool | wall s | CPU s | peak RSS MiB | time vs vdl |")
print("|---|---|---|---|---|")
vdl = statistics.median(x[0] for x in rows["vdl"])
for label, v in rows.items():
    wall = statistics.median(x[0] for x in v)
    cpu = statistics.median(x[1] for x in v)
    rss = statistics.median(x[2] for x in v) / 1024
    print(f"| {label} | {wall:.2f} | {cpu:.2f} | {rss:.1f} | {wall/vdl:.1f}x |")
PY
