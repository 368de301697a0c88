#!/usr/bin/env bash
# Benchmark `vdl join` against ffmpeg's concat demuxer (issue 3): 10 minutes
# of 720p H.264 + AAC, split into 5 MP4 clips without re-encoding (as
# Tencent serves an episode). Median of RUNS runs (default 3) of each;
# also checks that vdl's output is packet-identical to ffmpeg's
# (-auto_convert 0 keeps ffmpeg's packets unmodified; its default inserts
# SPS/PPS into every keyframe) and to the unsplit source.
# Needs: ffmpeg, time (Debian packages).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
RUNS=${RUNS:-3}
WORK=${BENCH_DIR:-/tmp/vdl-bench}/join
OUT=bench/results
mkdir -p "$WORK" "$OUT"
build_bench "$WORK"

if [ ! -s "$WORK/clip5.mp4" ]; then
  echo "join bench: encoding 10 minutes of 720p (takes a minute or two)..." >&2
  encode_source "$WORK/source.mp4" 600 -movflags +faststart
  ffmpeg -v error -y -i "$WORK/source.mp4" -map 0 -c copy -f segment -segment_times 120,240,360,480 \
    -segment_start_number 1 -reset_timestamps 1 -segment_format mp4 "$WORK/clip%d.mp4"
fi
( cd "$WORK" && printf "file 'clip%d.mp4'\n" 1 2 3 4 5 > list.txt )
clips=("$WORK"/clip{1,2,3,4,5}.mp4)
echo "join bench: inputs $(du -ch "${clips[@]}" | tail -1 | cut -f1)" >&2

: > "$OUT/join-raw.txt"
measure() {
  local label=$1 out=$2; shift 2
  rm -f "$out"
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/time.txt" "$@" 2>"$WORK/stderr.txt" >/dev/null || {
    echo "join bench: $label failed" >&2; cat "$WORK/stderr.txt" >&2; exit 1; }
  echo "$label $(cat "$WORK/time.txt")" >> "$OUT/join-raw.txt"
}
for run in $(seq "$RUNS"); do
  measure vdl "$WORK/vdl.mp4" "$WORK/vdl" join -q -o "$WORK/vdl.mp4" "${clips[@]}"
  measure ffmpeg "$WORK/ff.mp4" ffmpeg -v error -y -f concat -safe 0 -i "$WORK/list.txt" -c copy "$WORK/ff.mp4"
  measure ffmpeg-auto_convert0 "$WORK/ff0.mp4" ffmpeg -v error -y -f concat -safe 0 -auto_convert 0 -i "$WORK/list.txt" -c copy "$WORK/ff0.mp4"
done

hash() { ffmpeg -v error -i "$1" -map 0 -c copy -f streamhash -hash md5 - | tr '\n' ' '; }
h_vdl=$(hash "$WORK/vdl.mp4"); h_ff0=$(hash "$WORK/ff0.mp4"); h_src=$(hash "$WORK/source.mp4")
packets() { ffprobe -v error -count_packets -show_entries stream=codec_type,nb_read_packets -of csv=p=0 "$1" | tr '\n' ' '; }

python3 - "$OUT/join-raw.txt" <<'PY'
import sys, statistics, collections
rows = collections.OrderedDict()
for line in open(sys.argv[1]):
    label, wall, user, sys_, rss = line.split()
    rows.setdefault(label, []).append((float(wall), float(user) + float(sys_), int(rss)))
print("| tool | wall s (median) | CPU s | peak RSS MiB |")
print("|---|---|---|---|")
for label, v in rows.items():
    print(f"| {label} | {statistics.median(x[0] for x in v):.2f} | {statistics.median(x[1] for x in v):.2f} | {statistics.median(x[2] for x in v)/1024:.1f} |")
PY
echo
echo "vdl output packets:    $(packets "$WORK/vdl.mp4")"
echo "ffmpeg output packets: $(packets "$WORK/ff.mp4")"
if [ "$h_vdl" = "$h_ff0" ] && [ "$h_vdl" = "$h_src" ]; then
  echo "streamhash: vdl = ffmpeg (-auto_convert 0) = unsplit source: $h_vdl"
else
  echo "streamhash MISMATCH: vdl $h_vdl / ffmpeg $h_ff0 / source $h_src"; exit 1
fi
