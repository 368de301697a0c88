#!/usr/bin/env bash
# Benchmark vdl against aria2c, axel and curl on a local nginx (issue 2).
# Cases: a 256 MiB file behind a per-connection limit (limit_rate 4m, like a
# CDN that throttles each connection), a 1 GiB file with no limit, and the
# work-stealing case (one connection ten times slower, from benchserver).
# Each measurement is the median of RUNS runs (default 3). Prints a
# markdown table; raw numbers go to bench/results/.
#
# Needs: nginx aria2 axel curl time (Debian packages). Usage: bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
CASES=${CASES:-"throttled unlimited stealing"}   # a subset, e.g. CASES=stealing
WORK=${BENCH_DIR:-/tmp/vdl-bench}
OUT=bench/results
mkdir -p "$WORK/www" "$WORK/dl" "$WORK/nginx" "$OUT"
. bench/lib.sh
require_tools nginx aria2c axel curl /usr/bin/time

build_bench "$WORK" benchserver
[ -s "$WORK/www/f256.bin" ] || head -c 256M /dev/urandom > "$WORK/www/f256.bin"
[ -s "$WORK/www/f1g.bin" ] || head -c 1G /dev/urandom > "$WORK/www/f1g.bin"

PORT=${BENCH_PORT:-18471}
start_nginx "$PORT" "$WORK/www" "location /slow/ { alias $WORK/www/; limit_rate 4m; }"
SERVER_PID=
cleanup() { kill $NGINX_PID ${SERVER_PID:-} 2>/dev/null || true; rm -rf "$WORK/dl"; }
trap cleanup EXIT
BASE="http://127.0.0.1:$PORT"

: > "$OUT/raw.txt"
for run in $(seq "$RUNS"); do
  echo "bench: run $run/$RUNS" >&2
  for case in "throttled /slow/f256.bin" "unlimited /f1g.bin"; do
    set -- $case; name=$1; url="$BASE$2"
    [[ " $CASES " == *" $name "* ]] || continue
    measure "$OUT/raw.txt" "$name:vdl" "$WORK/vdl" -q -n 16 -o out "$url"
    measure "$OUT/raw.txt" "$name:aria2c" aria2c -q -x16 -s16 -k1M --file-allocation=none --allow-overwrite=true -o out "$url"
    measure "$OUT/raw.txt" "$name:axel" axel -q -n 16 -o out "$url"
    measure "$OUT/raw.txt" "$name:curl" curl -sf -o out "$url"
  done
  # Work stealing: 256 MiB at 4 MiB/s per response; the "slow" run makes the
  # second response (vdl's first big range; the first is its 1-byte probe)
  # ten times slower.
  [[ " $CASES " == *" stealing "* ]] || continue
  for slow in 0 2; do
    "$WORK/benchserver" -size $((256<<20)) -throttle $((4<<20)) -slow $slow > "$WORK/server.url" &
    SERVER_PID=$!
    for _ in $(seq 100); do [ -s "$WORK/server.url" ] && break; sleep 0.05; done
    measure "$OUT/raw.txt" "stealing-slow$slow:vdl" "$WORK/vdl" -q -n 16 -o out "$(head -1 "$WORK/server.url")"
    kill $SERVER_PID; wait $SERVER_PID 2>/dev/null || true; SERVER_PID=
  done
done

# Median per label, as a markdown table.
python3 - "$OUT/raw.txt" <<'PY'
import sys, statistics, collections
rows = collections.OrderedDict()
for line in open(sys.argv[1]):
    label, wall, user, sys_, rss = line.split()
    rows.setdefault(label, []).append((float(wall), float(user) + float(sys_), int(rss)))
print("| case | tool | wall s (median) | CPU s | peak RSS MiB | MiB/s |")
print("|---|---|---|---|---|---|")
sizes = {"throttled": 256, "unlimited": 1024, "stealing-slow0": 256, "stealing-slow2": 256}
for label, v in rows.items():
    case, tool = label.split(":")
    wall = statistics.median(x[0] for x in v)
    cpu = statistics.median(x[1] for x in v)
    rss = statistics.median(x[2] for x in v) / 1024
    print(f"| {case} | {tool} | {wall:.2f} | {cpu:.2f} | {rss:.1f} | {sizes[case]/wall:.1f} |")
PY
