#!/usr/bin/env bash
# Benchmarks of issue 9 (reliability and the scheduler), one run each,
# all tools in the same invocation. Cases (CASES to pick a subset):
#   slowconns  16 MiB, 8 connections, every connection after the first two
#              crawls at 16 KiB/s, the two fast ones at 2 MiB/s (benchserver);
#              the two fast ones alone need 4.0 s. vdl vs aria2c and axel:
#              time and bytes served.
#   capped     256 MiB from nginx, 4 MiB/s per connection, at most 4
#              connections per client (limit_conn: 503 beyond). vdl -n 16 vs
#              aria2c -x16 and axel -n 16: time, and refused requests.
#   throttled  256 MiB from nginx at 4 MiB/s per connection, 16 connections,
#              on loopback and behind a relay that adds 40 ms to every
#              request (bench/cmd/delayrelay). vdl vs aria2c.
#   even48     48 MiB from nginx at 2 MiB/s per connection, vdl -n 16, six
#              runs: the slowest against the fastest (a range left alone on
#              its connection once made one run in six take 2x).
#   shaped     256 MiB over a 200 Mbit/s link (a veth pair into a network
#              namespace of this script's, shaped with tc tbf), 16
#              connections: CPU seconds of vdl, aria2c and curl. Needs root.
# Prints a markdown table per case; raw lines go to bench/results/.
#
# Needs: nginx aria2 axel curl time iproute2 (Debian packages).
set -euo pipefail
cd "$(dirname "$0")/.."
CASES=${CASES:-"slowconns capped throttled even48 shaped"}
WORK=${BENCH_DIR:-/tmp/vdl-bench-rel}
OUT=bench/results
mkdir -p "$WORK/www" "$WORK/dl" "$OUT"
. bench/lib.sh
require_tools nginx aria2c axel curl /usr/bin/time python3

build_bench "$WORK" benchserver delayrelay
[ -s "$WORK/www/f256.bin" ] || head -c 256M /dev/urandom > "$WORK/www/f256.bin"
[ -s "$WORK/www/f48.bin" ] || head -c 48M /dev/urandom > "$WORK/www/f48.bin"

PIDS=()
NS=vdlbench
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "${NGINX_PID:-}" ] && kill "$NGINX_PID" 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
  ip link del vdlb-h 2>/dev/null || true
  rm -rf "$WORK/dl"
}
trap cleanup EXIT
RAW="$OUT/reliability.txt"
: > "$RAW"

# calc EXPR: floating-point arithmetic.
calc() { python3 -c "print($1)"; }
# row CASE TOOL EXTRA: the last measure's wall/CPU/RSS plus EXTRA columns.
row() {
  read -r _ wall user sys rss < <(tail -1 "$RAW")
  printf '| %s | %s | %s | %.2f | %.1f | %s |\n' "$1" "$2" "$wall" "$(calc "$user + $sys")" "$(calc "$rss / 1024")" "$3"
}
stats() { curl -s "$1/stats"; }
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

echo "| case | tool | wall s | CPU s | peak RSS MiB | notes |"
echo "|---|---|---|---|---|---|"

if [[ " $CASES " == *" slowconns "* ]]; then
  "$WORK/benchserver" -size $((16<<20)) -throttle $((2<<20)) -slow-after 2 -slow-rate $((16<<10)) > "$WORK/bs.url" &
  PIDS+=($!)
  for _ in $(seq 100); do [ -s "$WORK/bs.url" ] && break; sleep 0.05; done
  url=$(head -1 "$WORK/bs.url"); base=${url%/file.bin}
  for tool in vdl aria2c axel; do
    # Every tool meets the same server: the first two connections of the
    # run are the fast ones, so the server is restarted for each.
    kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true
    "$WORK/benchserver" -addr "${base#http://}" -size $((16<<20)) -throttle $((2<<20)) -slow-after 2 -slow-rate $((16<<10)) > /dev/null &
    PIDS[-1]=$!
    for _ in $(seq 100); do curl -s -o /dev/null "$base/stats" && break; sleep 0.05; done
    before=$(stats "$base")
    case $tool in
      vdl) measure "$RAW" "slowconns:vdl" "$WORK/vdl" -q -n 8 -o out "$url" ;;
      aria2c) measure "$RAW" "slowconns:aria2c" aria2c -q -x8 -s8 -k1M --file-allocation=none --allow-overwrite=true -o out "$url" ;;
      axel) measure "$RAW" "slowconns:axel" axel -q -n 8 -o out "$url" ;;
    esac
    after=$(stats "$base")
    sent=$(( $(field "$after" sent) - $(field "$before" sent) ))
    read -r _ wall _ < <(tail -1 "$RAW")
    row slowconns "$tool" "$(printf '%.2fx the two fast alone (4.0 s); served %.2fx the file' "$(calc "$wall / 4")" "$(calc "$sent / 16777216")")"
  done
fi

if [[ " $CASES " == *" capped "* || " $CASES " == *" throttled "* || " $CASES " == *" even48 "* ]]; then
  PORT=${BENCH_PORT:-18481}
  start_nginx "$PORT" "$WORK/www" "
    location /slow/ { alias $WORK/www/; limit_rate 4m; }
    location /slow2/ { alias $WORK/www/; limit_rate 2m; }
    location /capped/ { alias $WORK/www/; limit_rate 4m; limit_conn perip 4; access_log $WORK/nginx/capped.log; }" \
    "limit_conn_zone \$binary_remote_addr zone=perip:1m;"
  BASE="http://127.0.0.1:$PORT"
fi

if [[ " $CASES " == *" capped "* ]]; then
  for tool in vdl aria2c axel; do
    : > "$WORK/nginx/capped.log"
    case $tool in
      vdl) measure "$RAW" "capped:vdl" "$WORK/vdl" -q -n 16 -o out "$BASE/capped/f256.bin" ;;
      aria2c) measure "$RAW" "capped:aria2c" aria2c -q -x16 -s16 -k1M --file-allocation=none --allow-overwrite=true -o out "$BASE/capped/f256.bin" ;;
      axel) measure "$RAW" "capped:axel" axel -q -n 16 -o out "$BASE/capped/f256.bin" ;;
    esac
    sleep 0.2 # nginx writes the log lines of closed connections
    total=$(wc -l < "$WORK/nginx/capped.log")
    refused=$(awk '$9 == 503' "$WORK/nginx/capped.log" | wc -l)
    read -r _ wall _ < <(tail -1 "$RAW")
    row capped "$tool" "$(printf '%d requests, %d refused; %.3fx the 4-connection limit (16.0 s)' "$total" "$refused" "$(calc "$wall / 16")")"
  done
fi

if [[ " $CASES " == *" throttled "* ]]; then
  "$WORK/delayrelay" -target "127.0.0.1:$PORT" -delay 40ms > "$WORK/relay.addr" &
  PIDS+=($!)
  for _ in $(seq 100); do [ -s "$WORK/relay.addr" ] && break; sleep 0.05; done
  RELAY="http://$(head -1 "$WORK/relay.addr")"
  for where in local rtt40; do
    b=$BASE; [ $where = rtt40 ] && b=$RELAY
    measure "$RAW" "throttled-$where:vdl" "$WORK/vdl" -q -n 16 -o out "$b/slow/f256.bin"; row "throttled $where" vdl ""
    measure "$RAW" "throttled-$where:aria2c" aria2c -q -x16 -s16 -k1M --file-allocation=none --allow-overwrite=true -o out "$b/slow/f256.bin"; row "throttled $where" aria2c ""
  done
fi

if [[ " $CASES " == *" even48 "* ]]; then
  for run in 1 2 3 4 5 6; do
    measure "$RAW" "even48:vdl" "$WORK/vdl" -q -n 16 -o out "$BASE/slow2/f48.bin"
  done
  walls=$(grep '^even48:vdl' "$RAW" | awk '{print $2}' | paste -sd' ')
  read -r lo hi < <(python3 -c "import sys; w=[float(x) for x in sys.argv[1:]]; print(min(w), max(w))" $walls)
  row "even 48 MiB x6" vdl "$(printf 'runs %s s; slowest/fastest %.2f' "$walls" "$(calc "$hi / $lo")")"
fi

if [[ " $CASES " == *" shaped "* ]]; then
  [ "$(id -u)" = 0 ] || { echo "bench: shaped needs root (network namespace, tc)" >&2; exit 1; }
  ip netns add "$NS"
  ip link add vdlb-h type veth peer name vdlb-n
  ip link set vdlb-n netns "$NS"
  ip addr add 10.231.0.1/24 dev vdlb-h; ip link set vdlb-h up
  ip netns exec "$NS" ip addr add 10.231.0.2/24 dev vdlb-n
  ip netns exec "$NS" ip link set vdlb-n up
  ip netns exec "$NS" ip link set lo up
  # The server's side sends at 200 Mbit/s: the link the download crosses.
  ip netns exec "$NS" tc qdisc add dev vdlb-n root tbf rate 200mbit burst 64kb latency 100ms
  outer_nginx=${NGINX_PID:-}
  NGINX_ADDR=10.231.0.2 NGINX_DIR=nsnginx NGINX_WRAP="ip netns exec $NS" start_nginx 8080 "$WORK/www" ""
  PIDS+=("$NGINX_PID"); NGINX_PID=$outer_nginx
  U="http://10.231.0.2:8080/f256.bin"
  measure "$RAW" "shaped:vdl" "$WORK/vdl" -q -n 16 -o out "$U"; row "shaped 200 Mbit" vdl ""
  measure "$RAW" "shaped:aria2c" aria2c -q -x16 -s16 -k1M --file-allocation=none --allow-overwrite=true -o out "$U"; row "shaped 200 Mbit" aria2c ""
  measure "$RAW" "shaped:curl" curl -sf -o out "$U"; row "shaped 200 Mbit" curl ""
fi
