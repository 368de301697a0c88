#!/usr/bin/env bash
# Benchmark `vdl join` against ffmpeg, median of RUNS runs (default 3):
#  1. MP4 clips (issue 3): 10 minutes of 720p H.264 + AAC split into 5 MP4
#     clips without re-encoding (as Tencent serves an episode), against
#     ffmpeg's concat demuxer; vdl's output must be packet-identical to
#     ffmpeg's (-auto_convert 0 keeps ffmpeg's packets unmodified; its
#     default inserts SPS/PPS into every keyframe) and to the source.
#  2. TS -> MP4 (issue 12): 120 s of 720p as one MPEG-TS, `vdl join -o
#     x.mp4 in.ts` against `ffmpeg -i in.ts -c copy out.mp4`; the decoded
#     frames of both outputs must equal the TS's.
#  3. fMP4 -> MP4 (issue 12): the same 120 s as HLS fMP4 (init + .m4s),
#     `vdl join` against ffmpeg reading the playlist.
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
  measure ffmpeg+fsync "$WORK/ffs.mp4" sh -c 'ffmpeg -v error -y -f concat -safe 0 -i "$1" -c copy "$2" && sync "$2"' - "$WORK/list.txt" "$WORK/ffs.mp4"
done

# 2 and 3: one 120 s source, as a TS and as fMP4 segments.
if [ ! -s "$WORK/long.ts" ]; then
  echo "join bench: encoding 120 s of 720p for the remux..." >&2
  ffmpeg -v error -y -i "$WORK/source.mp4" -t 120 -map 0 -c copy -f mpegts "$WORK/long.ts"
  mkdir -p "$WORK/fmp4"
  ( cd "$WORK/fmp4" && ffmpeg -v error -y -i ../long.ts -map 0 -c copy -bsf:a aac_adtstoasc -f hls -hls_time 4 -hls_playlist_type vod \
      -hls_segment_type fmp4 -hls_fmp4_init_filename init.mp4 -hls_segment_filename 'seg%03d.m4s' index.m3u8 )
fi
frag=("$WORK"/fmp4/init.mp4 "$WORK"/fmp4/seg*.m4s)
echo "join bench: TS $(du -h "$WORK/long.ts" | cut -f1), fMP4 $(du -ch "${frag[@]}" | tail -1 | cut -f1) in ${#frag[@]} files" >&2
for run in $(seq "$RUNS"); do
  measure vdl-ts2mp4 "$WORK/vdl-ts.mp4" "$WORK/vdl" join -q -o "$WORK/vdl-ts.mp4" "$WORK/long.ts"
  measure ffmpeg-ts2mp4 "$WORK/ff-ts.mp4" ffmpeg -v error -y -i "$WORK/long.ts" -map 0 -c copy "$WORK/ff-ts.mp4"
  measure ffmpeg-ts2mp4+fsync "$WORK/ff-tss.mp4" sh -c 'ffmpeg -v error -y -i "$1" -map 0 -c copy "$2" && sync "$2"' - "$WORK/long.ts" "$WORK/ff-tss.mp4"
  measure vdl-fmp4 "$WORK/vdl-fmp4.mp4" "$WORK/vdl" join -q -o "$WORK/vdl-fmp4.mp4" "${frag[@]}"
  measure ffmpeg-fmp4 "$WORK/ff-fmp4.mp4" ffmpeg -v error -y -i "$WORK/fmp4/index.m3u8" -map 0 -c copy "$WORK/ff-fmp4.mp4"
  measure ffmpeg-fmp4+fsync "$WORK/ff-fmp4s.mp4" sh -c 'ffmpeg -v error -y -i "$1" -map 0 -c copy "$2" && sync "$2"' - "$WORK/fmp4/index.m3u8" "$WORK/ff-fmp4s.mp4"
done
frames() { ffmpeg -v error -i "$1" -map 0:v:0 -fps_mode passthrough -f framemd5 - | grep -v '^#' | awk -F, '{print $NF}' | md5sum | cut -c1-12; }

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
echo "TS -> MP4 packets: vdl $(packets "$WORK/vdl-ts.mp4")/ ffmpeg $(packets "$WORK/ff-ts.mp4")/ TS $(packets "$WORK/long.ts")"
f_ts=$(frames "$WORK/long.ts"); f_vdl=$(frames "$WORK/vdl-ts.mp4"); f_ff=$(frames "$WORK/ff-ts.mp4"); f_frag=$(frames "$WORK/vdl-fmp4.mp4")
if [ "$f_ts" = "$f_vdl" ] && [ "$f_ts" = "$f_ff" ] && [ "$f_ts" = "$f_frag" ]; then
  echo "decoded video frames: TS = vdl TS->MP4 = ffmpeg TS->MP4 = vdl fMP4->MP4 ($f_ts)"
else
  echo "decoded frames MISMATCH: TS $f_ts, vdl $f_vdl, ffmpeg $f_ff, vdl fMP4 $f_frag"; exit 1
fi
for f in vdl-ts ff-ts vdl-fmp4 ff-fmp4; do
  echo "$f: $(ffprobe -v error -show_entries format=duration -of csv=p=0 "$WORK/$f.mp4") s, top boxes $(python3 -c '
import struct,sys
f=open(sys.argv[1],"rb"); out=[]
while len(out) < 4:
    h=f.read(8)
    if len(h)<8: break
    n,t=struct.unpack(">I4s",h); out.append(t.decode())
    if n==1: n=struct.unpack(">Q",f.read(8))[0]-8
    f.seek(n-8 if n!=1 else n,1)
print(" ".join(out))' "$WORK/$f.mp4")"
done
