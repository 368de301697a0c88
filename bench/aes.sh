#!/usr/bin/env bash
# Benchmark of issue 18 item 8 (AES part): an AES-128 HLS playlist of 31
# segments (62 s of 720p, 2 s each, about 1 MiB), and the same playlist
# unencrypted, served by nginx
#   local   on loopback, every request of /trickle/ at 512 KiB/s
#   rtt40   behind a relay that adds 40 ms to every request
#           (bench/cmd/delayrelay; this kernel has no netem), at full speed
# vdl -n 16 into .ts (decrypt + concatenate) and into .mp4 (the remux)
# against aria2c -j16 fetching the key and the segments (which neither
# decrypts nor joins), from a list it is given, and after curl has fetched
# the playlist (curl+aria2c: the requests vdl makes, in vdl's order).
# RUNS runs each (medians; default 3). Prints a
# markdown table; raw lines go to bench/results/aes-raw.txt.
#
# Needs: nginx ffmpeg aria2 curl time (Debian packages).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
CASES=${CASES:-"local rtt40"}
WORK=${BENCH_DIR:-/tmp/vdl-bench-aes}
OUT=bench/results
mkdir -p "$WORK/www" "$OUT"
. bench/lib.sh
require_tools nginx ffmpeg aria2c curl /usr/bin/time python3

build_bench "$WORK" delayrelay
if [ ! -s "$WORK/www/aes/index.m3u8" ]; then
  echo "bench: encoding 62 s of 720p as 31 HLS segments, clear and AES-128" >&2
  encode_source "$WORK/source.mp4" 62 -b:v 4M
  mkdir -p "$WORK/www/aes" "$WORK/www/clear"
  head -c 16 /dev/urandom > "$WORK/www/aes/key.bin"
  printf 'key.bin\n%s\n%s\n' "$WORK/www/aes/key.bin" "$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')" > "$WORK/keyinfo"
  for kind in clear aes; do
    extra=(); [ $kind = aes ] && extra=(-hls_key_info_file "$WORK/keyinfo")
    ( cd "$WORK/www/$kind" && ffmpeg -v error -y -i "$WORK/source.mp4" -c copy -f hls -hls_time 2 -hls_playlist_type vod \
        "${extra[@]}" -hls_segment_filename 'seg%03d.ts' index.m3u8 )
  done
fi
SEGS=$(grep -c '^seg' "$WORK/www/aes/index.m3u8")
MIB=$(du -sm --apparent-size "$WORK/www/aes" | cut -f1)

PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$WORK/dl"
}
trap cleanup EXIT
PORT=${BENCH_PORT:-18473}
start_nginx "$PORT" "$WORK/www" "location /trickle/ { alias $WORK/www/; limit_rate 512k; }"
PIDS+=("$NGINX_PID")

RAW="$OUT/aes-raw.txt"
: > "$RAW"
# lists BASE: aria2c's input files of the two playlists under BASE.
lists() {
  for kind in aes clear; do
    { [ $kind = aes ] && echo "$1/$kind/key.bin"
      grep '^seg' "$WORK/www/$kind/index.m3u8" | sed "s|^|$1/$kind/|"; } > "$WORK/$kind.list"
  done
}
run_case() {
  local where=$1 base=$2
  lists "$base"
  for _ in $(seq "$RUNS"); do
    for kind in aes clear; do
      measure "$RAW" "$where:$kind:vdl-ts" "$WORK/vdl" -q -n 16 -o out.ts "$base/$kind/index.m3u8"
      measure "$RAW" "$where:$kind:vdl-mp4" "$WORK/vdl" -q -n 16 -o out.mp4 "$base/$kind/index.m3u8"
      measure "$RAW" "$where:$kind:aria2c" aria2c -q -j16 -x1 --file-allocation=none --allow-overwrite=true -i "$WORK/$kind.list"
      # The like-for-like order: the playlist first (curl), then aria2c.
      measure "$RAW" "$where:$kind:curl+aria2c" sh -c 'curl -sfo index.m3u8 "$1" && exec aria2c -q -j16 -x1 --file-allocation=none --allow-overwrite=true -i "$2"' \
        sh "$base/$kind/index.m3u8" "$WORK/$kind.list"
    done
  done
}

if [[ " $CASES " == *" local "* ]]; then
  run_case local "http://127.0.0.1:$PORT/trickle"
fi
if [[ " $CASES " == *" rtt40 "* ]]; then
  "$WORK/delayrelay" -target "127.0.0.1:$PORT" -delay 40ms > "$WORK/relay.addr" &
  PIDS+=($!)
  for _ in $(seq 100); do [ -s "$WORK/relay.addr" ] && break; sleep 0.05; done
  run_case rtt40 "http://$(head -1 "$WORK/relay.addr")"
fi

python3 - "$RAW" "$SEGS" "$MIB" <<'PY'
import sys, statistics, collections
raw, segs, mib = sys.argv[1:]
rows = collections.OrderedDict()
for line in open(raw):
    label, wall, user, sys_, rss = line.split()
    rows.setdefault(label, []).append((float(wall), float(user) + float(sys_)))
print(f"AES-128 HLS: {segs} segments, {mib} MiB; local: /trickle/ 512 KiB/s per request; rtt40: +40 ms per request, full speed")
print()
print("| case | playlist | tool | wall s (runs) | CPU s | vs aria2c |")
print("|---|---|---|---|---|---|")
for label, v in rows.items():
    where, kind, tool = label.split(":")
    wall = statistics.median(x[0] for x in v)
    cpu = statistics.median(x[1] for x in v)
    ref = statistics.median(x[0] for x in rows[f"{where}:{kind}:aria2c"])
    runs = ", ".join(f"{x[0]:.2f}" for x in v)
    print(f"| {where} | {kind} | {tool} | {wall:.2f} ({runs}) | {cpu:.2f} | {wall/ref:.3f}x |")
PY
