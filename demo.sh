#!/usr/bin/env bash
# Builds the static vdl binary into ./bin and shows it working offline:
# a local server throttles every connection to 4 MiB/s; vdl downloads a
# 96 MiB file over 8 connections, is interrupted with Ctrl-C (SIGINT)
# half-way, and the same command finishes the download without refetching.
# Then it lists and downloads an AES-128 HLS playlist from testdata/.
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
# joined into one .ts), from a local server over testdata/.
bin/benchserver -dir testdata/media > "$work/hls-url" &
hls_server=$!
trap 'kill $server $hls_server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -s "$work/hls-url" ] && break; sleep 0.05; done
playlist="$(head -1 "$work/hls-url")hls-aes128/index.m3u8"
echo; echo "\$ vdl -F $playlist"
bin/vdl -F "$playlist"
echo; echo "\$ vdl -d $work $playlist"
bin/vdl -d "$work" "$playlist"
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
echo; echo "\$ vdl --proxy $proxy -F https://v.qq.com/x/cover/7ce5noezvafma27.html    (a series page)"
bin/vdl --proxy "$proxy" -F https://v.qq.com/x/cover/7ce5noezvafma27.html
