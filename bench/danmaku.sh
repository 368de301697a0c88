#!/usr/bin/env bash
# Benchmark of issue 20: the danmaku layout and ASS rendering of a
# 45-minute episode with 50,000 comments (bench/cmd/danmakubench):
# comments per second and peak memory. One run of the command, the median
# of three renders inside it. N and D pick another size.
# Needs: time (Debian package).
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${BENCH_DIR:-/tmp/vdl-bench}/danmaku
mkdir -p "$WORK" bench/results
go build -o "$WORK/danmakubench" ./bench/cmd/danmakubench
/usr/bin/time -f "peak RSS %M KiB, CPU %U s user %S s sys" "$WORK/danmakubench" -n "${N:-50000}" -d "${D:-45m}" 2>&1 | tee bench/results/danmaku.txt
