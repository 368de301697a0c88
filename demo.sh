#!/usr/bin/env bash
# Builds the static vdl binary into ./bin and shows it working offline:
# a local server throttles every connection to 4 MiB/s; vdl downloads a
# 96 MiB file over 8 connections, is interrupted with Ctrl-C (SIGINT)
# half-way, and the same command finishes the download without refetching.
# Then it lists and downloads an AES-128 HLS playlist from testdata/, a
# v.qq.com episode through the legacy flow, one through the 2026 flow
# (proxyhttp, TS mode), and a whole series through the fake v.qq.com
# (killed half-way and resumed).
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p bin
CGO_ENABLED=0 go build -ldflags "-s -w" -o bin/vdl ./cmd/vdl
go build -o bin/benchserver ./bench/cmd/benchserver
echo "built $(pwd)/bin/vdl (static; copy it anywhere on your PATH)"

work=$(mktemp -d)
bin/benchserver -size $((96<<20)) -throttle $((4<<20)) > "$work/url" &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -s "$work/url" ] && break; sleep 0.05; done
url=$(head -1 "$work/url")

echo; echo "\$ vdl -n 8 -d $work $url    (interrupted after 1.5 s)"
bin/vdl -n 8 -d "$work" "$url" &
vdl=$!
sleep 1.5
kill -INT $vdl
wait $vdl || echo "(exit code $?: interrupted, progress saved)"

echo; echo "\$ vdl -n 8 -d $work $url    (same command: resumes)"
bin/vdl -n 8 -d "$work" "$url"

echo; echo "checking against a plain curl download..."
curl -sf -o "$work/reference.bin" "$url"
if cmp -s "$work/file.bin" "$work/reference.bin"; then
  echo "OK: identical ($(sha256sum < "$work/file.bin" | cut -c1-16)...)"
else
  echo "MISMATCH" >&2; exit 1
fi

# HLS: the AES-128 fixture playlist, listed and downloaded (decrypted and
# remuxed from TS into one regular MP4; then with --remux ts kept as one
# .ts), from a local server over testdata/.
bin/benchserver -dir testdata/media > "$work/hls-url" &
hls_server=$!
trap 'kill $server $hls_server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -s "$work/hls-url" ] && break; sleep 0.05; done
playlist="$(head -1 "$work/hls-url")hls-aes128/index.m3u8"
echo; echo "\$ vdl -F $playlist"
bin/vdl -F "$playlist"
echo; echo "\$ vdl -d $work $playlist"
bin/vdl -d "$work" "$playlist"
mp4="$work/hls-aes128.mp4"
box_at() { od -A n -t c -j "$2" -N 4 "$1" | tr -d ' \n'; }
ftyp_size=$(od -A n -t u1 -N 4 "$mp4" | awk '{print $1*16777216 + $2*65536 + $3*256 + $4}')
if [ "$(box_at "$mp4" 4)" = ftyp ] && [ "$(box_at "$mp4" $((ftyp_size + 4)))" = moov ]; then
  echo "OK: a regular MP4 (ftyp, then moov before the media), remuxed from TS in pure Go"
else
  echo "MISMATCH: $mp4 is not a moov-first MP4" >&2; exit 1
fi
if command -v ffprobe >/dev/null; then
  echo "ffprobe: $(ffprobe -v error -count_packets -show_entries format=duration:stream=codec_name,nb_read_packets -of csv=p=0 "$mp4" | tr '\n' ' ')"
fi
echo; echo "\$ vdl --remux ts -d $work $playlist"
bin/vdl --remux ts -d "$work" "$playlist"
if cat testdata/media/hls-ts/seg00{0,1,2,3}.ts | cmp -s - "$work/hls-aes128.ts"; then
  echo "OK: the decrypted, joined stream equals the clear segments"
else
  echo "MISMATCH" >&2; exit 1
fi

# v.qq.com, offline: the fake v.qq.com of the tests (internal/fakeqq, pages
# and media from testdata/) behind its own HTTPS proxy; vdl trusts the
# fake's CA through SSL_CERT_FILE and reaches it with --proxy, exactly as a
# user behind a proxy would reach the real site.
go build -o bin/fakeqq ./internal/fakeqq/cmd/fakeqq
source bench/lib.sh
start_fakeqq bin/fakeqq "$work"
qq_server=$FAKEQQ_PID proxy=$FAKEQQ_PROXY
trap 'kill $server $hls_server $qq_server 2>/dev/null; rm -rf "$work"' EXIT
episode=https://v.qq.com/x/page/n0687peq62x.html
echo; echo "\$ vdl --proxy $proxy -F $episode"
bin/vdl --proxy "$proxy" -F "$episode"
echo; echo "\$ vdl --proxy $proxy -d $work $episode"
bin/vdl --proxy "$proxy" -d "$work" "$episode"
out="$work/世界杯第一期：100秒速成！“伪球迷”世界杯生存指南.mp4"
if command -v ffprobe >/dev/null; then
  echo "ffprobe: $(ffprobe -v error -show_entries format=duration -of csv=p=0 "$out") s," \
    "$(ffprobe -v error -count_packets -show_entries stream=nb_read_packets -of csv=p=0 "$out" | paste -sd+ -) packets"
fi
echo "OK: three MP4 clips fetched through the legacy API flow and joined into one file"

# The site as it is in 2026: an episode through the current web player's
# proxyhttp (cKey 8.5), TS mode, its segments remuxed into an MP4; -F
# names each format's flow.
episode26=https://v.qq.com/x/cover/mzc00200vdl26ab/e02vdl26ab0.html
echo; echo "\$ vdl --proxy $proxy -F $episode26"
bin/vdl --proxy "$proxy" -F "$episode26"
echo; echo "\$ vdl --proxy $proxy -d $work $episode26"
bin/vdl --proxy "$proxy" -d "$work" "$episode26"
out26="$work/二〇二六测试剧 第02集.mp4"
[ -s "$out26" ] || { echo "demo: $out26 missing" >&2; exit 1; }
echo "OK: TS segments from proxyhttp (TS mode) remuxed into one MP4"

# A whole series, unattended: 12 episodes (and a trailer, left out) listed
# 10 at a time by the site's API, E06 VIP only. A second fake with a
# throttled CDN, so that the run can be killed half-way and resumed.
start_fakeqq bin/fakeqq "$work" -throttle $((256<<10))
series_fake=$FAKEQQ_PID series_proxy=$FAKEQQ_PROXY
trap 'kill $server $hls_server $qq_server $series_fake 2>/dev/null; rm -rf "$work"' EXIT
series=https://v.qq.com/x/cover/mzc00200vdlser1.html
echo; echo "\$ vdl --proxy $series_proxy -F $series"
bin/vdl --proxy "$series_proxy" -F "$series"
echo; echo "\$ vdl --proxy $series_proxy -n 2 -d $work/tv --download-archive $work/archive.txt $series    (killed after 2 s)"
bin/vdl -q --proxy "$series_proxy" -n 2 -d "$work/tv" --download-archive "$work/archive.txt" "$series" &
vdl_pid=$!
sleep 2
kill -9 $vdl_pid; wait $vdl_pid 2>/dev/null || true
echo "killed with SIGKILL; the archive holds $(wc -l < "$work/archive.txt") finished episodes"
echo; echo "\$ (the same command again)"
code=0
bin/vdl --proxy "$series_proxy" -n 2 -d "$work/tv" --download-archive "$work/archive.txt" "$series" 2> "$work/series.err" || code=$?
grep -v '%' "$work/series.err" || true
echo "exit code: $code (7: partly done, the VIP episode refused)"
[ "$code" = 7 ] || { echo "FAIL: exit code $code, want 7" >&2; exit 1; }
echo; echo "\$ ls $work/tv/*/*"; ls "$work/tv"/*/*
echo; echo "\$ cat archive.txt"; cat "$work/archive.txt"
n=$(ls "$work/tv/vdl测试剧/Season 01" | wc -l)
[ "$n" = 11 ] || { echo "FAIL: $n episodes in the series folder, want 11" >&2; exit 1; }
echo "OK: 11 episodes in their series folder, the VIP one named in the summary; the rerun skipped the archived episodes without asking the site"

# Straight into a media library: the 2026 series (three episodes) and its
# second season, with NFOs, posters, stills, cover art, info JSON and the
# bullet comments as ASS subtitles.
series26=https://v.qq.com/x/cover/mzc00200vdl26ab.html
season2=https://v.qq.com/x/cover/mzc00200vdl26s2.html
echo; echo "\$ vdl --proxy $series_proxy -d $work/library --library --write-danmaku -I 1-3 $series26 $season2"
bin/vdl -q --proxy "$series_proxy" -d "$work/library" --library --write-danmaku -I 1-3 "$series26" "$season2" || true
show="$work/library/二〇二六测试剧 (2026)"
echo; echo "\$ tree of the show folder"
(cd "$show" && find . | sort | sed 's|^\./||; /^\.$/d')
for f in tvshow.nfo poster.jpg "Season 01/二〇二六测试剧 - S01E01.mp4" "Season 01/二〇二六测试剧 - S01E01.nfo" \
  "Season 01/二〇二六测试剧 - S01E01.danmaku.ass" "Season 02/二〇二六测试剧 - S02E01.mp4" "Season 00/二〇二六测试剧 - S00E01 - 特别篇.mp4"; do
  [ -s "$show/$f" ] || { echo "FAIL: $f missing in the show folder" >&2; exit 1; }
done
echo "OK: two seasons and a special in one show folder, with NFOs, artwork and bullet comments"
