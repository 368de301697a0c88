#!/usr/bin/env bash
# Benchmark v.qq.com (issues 5 and 16) against the fake v.qq.com
# (internal/fakeqq) behind its TLS proxy, every page/API reply delayed by
# API_DELAY (a round trip to Tencent) and a CDN throttled to RATE bytes/s
# per connection; vdl -n CONNS. One episode through each flow of the
# chain, on LENGTH seconds of 720p at BITRATE (default 60 s at 6M: 44 MiB,
# encoded once with ffmpeg; the fake says 15.02 s, and vdl accepts a
# result up to a minute longer; longer media needs VDL_ARGS=--no-check-duration):
#   ts            a 2026 episode, proxyhttp TS mode (TS_SEGMENT s segments)
#   mp4-handover  the same, the CDN refusing TS (403): handover to clips
#   mp4           the same, the TS-mode API refusing (85.-3): clips at once
#   getvinfo      -legacy (the site of 2022-2023), an older episode (one MP4)
#   ts-danmaku    ts with --write-danmaku: the bullet comments fetched beside
#                 the media (their fetch time, and how long the episode waited)
#   getinfo       -legacy, n0687peq62x (getvinfo and platform 11 refused,
#                 then getinfo per quality and getkey per clip; 5 clips)
# and whole series, listing included, on the fake's own 15 s media:
#   series26      the 2026 series (getPage; 11 episodes, E09 a preview)
#   series26-ho   the same, the CDN refusing TS (403)
#   series-legacy -legacy, the 12-episode LongSeries (E06 VIP only)
# For each: the page/API requests (pages, proxyhttp, getvinfo, getinfo,
# getkey, getPage, GetPageData; not the CDN) as the fake counts them, and
# the time from the command's start to the CDN's first media body byte;
# for episodes, download + join (first media byte to exit) against the
# limit, size / (RATE x CONNS). RUNS runs per episode (medians; requests
# from run 1), one per series. CASES picks cases (default all);
# FAIL_EVERY=N fails every Nth page/API request (503 with Retry-After: 1,
# a reset, a 502, a request never answered, in turn); VDL_ARGS adds vdl
# flags (for example --timeout 5s).
# Needs: ffmpeg, time, curl (Debian packages).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
RATE=${RATE:-1048576}
CONNS=${CONNS:-16}
API_DELAY=${API_DELAY:-50ms}
FAIL_EVERY=${FAIL_EVERY:-0}
RUNS=${RUNS:-3}
TS_SEGMENT=${TS_SEGMENT:-4}
LENGTH=${LENGTH:-60}
BITRATE=${BITRATE:-6M}
CASES=${CASES:-ts mp4-handover mp4 getvinfo getinfo series26 series26-ho series-legacy}
WORK=${BENCH_DIR:-/tmp/vdl-bench}/qq
OUT=bench/results
mkdir -p "$WORK" "$OUT"
require_tools ffmpeg ffprobe curl
build_bench "$WORK" fakeqq

# The bench media: LENGTH s of 720p as the source, cut into the 2026
# clip mode's 3 clips and the legacy episode's 5 (base-*/; keyframes
# every 2 s), and into TS segments of TS_SEGMENT s; media-*/ is laid out as
# testdata/media (the fake's -media: hls-ts, mp4-clips/clip{1,2,3}.mp4,
# source/source.mp4; the other fixtures linked).
B=$WORK/base-$LENGTH-$BITRATE M=$WORK/media-$LENGTH-$BITRATE-ts$TS_SEGMENT
episodes=$(for c in $CASES; do case $c in series*) ;; *) echo "$c" ;; esac; done)
if [ -n "$episodes" ] && [ ! -s "$B/ready" ]; then
  echo "qq bench: encoding $LENGTH s of 720p at $BITRATE..." >&2
  rm -rf "$B"; mkdir -p "$B/mp4-clips" "$B/source"
  encode_source "$B/source/source.mp4" "$LENGTH" -b:v "$BITRATE"
  ffmpeg -v error -y -i "$B/source/source.mp4" -map 0 -c copy -f segment -segment_times $((LENGTH / 3)),$((LENGTH * 2 / 3)) \
    -segment_start_number 1 -reset_timestamps 1 -segment_format mp4 "$B/mp4-clips/clip%d.mp4"
  ffmpeg -v error -y -i "$B/source/source.mp4" -map 0 -c copy -f segment -segment_times $((LENGTH / 5)),$((LENGTH * 2 / 5)),$((LENGTH * 3 / 5)),$((LENGTH * 4 / 5)) \
    -segment_start_number 1 -reset_timestamps 1 -segment_format mp4 "$B/clip%d.mp4"
  echo ok > "$B/ready"
fi
if [ -n "$episodes" ] && [ ! -s "$M/ready" ]; then
  rm -rf "$M"; mkdir -p "$M/hls-ts"
  ln -s "$B/source" "$B/mp4-clips" "$M/"
  for d in testdata/media/*/; do
    d=$(basename "$d")
    [ -e "$M/$d" ] || ln -s "$PWD/testdata/media/$d" "$M/$d"
  done
  ffmpeg -v error -y -i "$B/source/source.mp4" -map 0 -c copy -f hls -hls_time "$TS_SEGMENT" -hls_playlist_type vod \
    -hls_segment_filename "$M/hls-ts/seg%03d.ts" "$M/hls-ts/index.m3u8"
  echo ok > "$M/ready"
fi
bytes() { cat "$@" | wc -c; }

fake_start() { # fake_start NAME ARGS...: a fake of its own for one case
  local d=$WORK/fake-$1; shift
  mkdir -p "$d"
  start_fakeqq "$WORK/fakeqq" "$d" -throttle "$RATE" -api-delay "$API_DELAY" -fail-every "$FAIL_EVERY" "$@"
  fake=$FAKEQQ_PID proxy=$FAKEQQ_PROXY
}
fake_stop() { kill -INT "$fake"; wait "$fake" 2>/dev/null || true; fake=; }
trap '[ -z "${fake:-}" ] || kill "$fake" 2>/dev/null || true' EXIT
stats() { curl -sf -x "$proxy" http://fakeqq.stats/; }

# run CASE RUN URL WANT-CODE [VDL-ARGS...]: one timed vdl run; appends
# "case run t0 t1 wall cpu rss extraction flow code <stats>" to runs.txt.
run() {
  local c=$1 n=$2 url=$3 want=$4; shift 4
  rm -rf "$WORK/dl"; mkdir -p "$WORK/dl"
  sync # no writeback of earlier files in this run's fsyncs
  stats > /dev/null # counters start here
  local code=0 t0 t1
  t0=$(date +%s%N)
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/time.txt" "$WORK/vdl" --verbose -n "$CONNS" ${VDL_ARGS:-} "$@" \
    --proxy "$proxy" -d "$WORK/dl" "$url" 2> "$WORK/dl.err" > /dev/null || code=$?
  t1=$(date +%s%N)
  if [ "$code" != "$want" ]; then
    echo "qq bench: $c: vdl exited $code, want $want" >&2; cat "$WORK/dl.err" >&2; exit 1
  fi
  local ext flow
  ext=$(grep -o "extracted site=qq took=[^ ]*" "$WORK/dl.err" | sed 's/.*took=//' | paste -sd+ -)
  flow=$(grep -o "downloading through flow [a-z0-9-]*" "$WORK/dl.err" | awk '!seen[$4]++ {print $4}' | paste -sd'>' -)
  read -r wall user sys rss < <(tail -1 "$WORK/time.txt")
  echo "$c $n $t0 $t1 $wall $user+$sys $rss ${ext:-0ms} ${flow:--} $code $(stats)" >> "$WORK/runs.txt"
  grep -o "danmaku fetched took=[^ ]* episode_waited=[^ ]*" "$WORK/dl.err" | sed "s/^/$c run $n: /" >> "$WORK/danmaku.txt" || true
}

# check_out SECONDS: the one output file (MP4, or TS with --remux ts) lasts SECONDS (±1 s): every
# clip or segment is in it.
check_out() {
  local f d
  f=$(find "$WORK/dl" -maxdepth 1 -type f \( -name '*.mp4' -o -name '*.ts' \) | head -1)
  d=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$f")
  python3 -c "import sys; sys.exit(abs(float('$d') - $1) > 1)" || {
    echo "qq bench: $f lasts ${d}s, want $1 s" >&2; exit 1; }
}

episode() { # episode CASE URL SIZE FAKE-ARGS...
  local c=$1 url=$2 size=$3; shift 3
  fake_start "$c" "$@"
  for n in $(seq "$RUNS"); do
    run "$c" "$n" "$url" 0 ${CASE_ARGS:-}
    check_out "$LENGTH"
  done
  fake_stop
  echo "$c $size" >> "$WORK/sizes.txt"
}

series() { # series CASE URL SAVED FAKE-ARGS...: one run, exit 7 (one refused item)
  local c=$1 url=$2 saved=$3; shift 3
  fake_start "$c" "$@"
  run "$c" 1 "$url" 7
  local n; n=$(find "$WORK/dl" -name '*.mp4' | wc -l)
  [ "$n" = "$saved" ] || { echo "qq bench: $c: $n episodes saved, want $saved" >&2; exit 1; }
  fake_stop
}

: > "$WORK/runs.txt"; : > "$WORK/sizes.txt"; : > "$WORK/danmaku.txt"
ep26=https://v.qq.com/x/cover/mzc00200vdl26ab/e04vdl26ab0.html
if [ -n "$episodes" ]; then
  ts_size=$(bytes "$M"/hls-ts/*.ts) clip_size=$(bytes "$M"/mp4-clips/clip{1,2,3}.mp4)
  legacy_clips=$(ls "$B"/clip{1,2,3,4,5}.mp4 | paste -sd, -)
fi
for c in $CASES; do
  echo "qq bench: $c" >&2
  case $c in
    ts) episode ts "$ep26" "$ts_size" -media "$M" ;;
    ts-danmaku) CASE_ARGS=--write-danmaku episode ts-danmaku "$ep26" "$ts_size" -media "$M" ;;
    mp4-handover) episode mp4-handover "$ep26" "$clip_size" -media "$M" -refuse-flow proxyhttp-ts=403 ;;
    mp4) episode mp4 "$ep26" "$clip_size" -media "$M" -refuse-api-mode ts ;;
    getvinfo) episode getvinfo https://v.qq.com/x/page/a00269ix3l8.html "$(bytes "$M/source/source.mp4")" -media "$M" -legacy ;;
    getinfo) episode getinfo https://v.qq.com/x/page/n0687peq62x.html "$(bytes "$B"/clip{1,2,3,4,5}.mp4)" \
      -media "$M" -legacy -clips "$legacy_clips" ;;
    series26) series series26 https://v.qq.com/x/cover/mzc00200vdl26ab.html 10 ;;
    series26-ho) series series26-ho https://v.qq.com/x/cover/mzc00200vdl26ab.html 10 -refuse-flow proxyhttp-ts=403 ;;
    series-legacy) series series-legacy https://v.qq.com/x/cover/mzc00200vdlser1.html 11 -legacy ;;
    *) echo "qq bench: unknown case $c" >&2; exit 2 ;;
  esac
done

python3 - "$WORK/runs.txt" "$WORK/sizes.txt" "$RATE" "$CONNS" "$API_DELAY" "$FAIL_EVERY" "$LENGTH s of 720p at $BITRATE, TS segments of $TS_SEGMENT s" "${VDL_ARGS:-}" > "$OUT/qq.txt" <<'PY'
import collections, statistics, sys
runs_path, sizes_path, rate, conns, delay, fail, media, args = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], int(sys.argv[6]), sys.argv[7], sys.argv[8]
sizes = {l.split()[0]: int(l.split()[1]) for l in open(sizes_path)}
def secs(v): # "120ms+1.2s" -> seconds
    total = 0.0
    for t in v.split("+"):
        for unit, f in (("ms", 1e-3), ("µs", 1e-6), ("s", 1.0)):
            if t.endswith(unit):
                total += float(t[:-len(unit)]) * f
                break
    return total
runs = collections.defaultdict(list)
for line in open(runs_path):
    f = line.split()
    st = {k: int(v) for k, v in (kv.split("=", 1) for kv in f[10:])}
    t0, t1, fb, lb = int(f[2]), int(f[3]), st["first_byte"], st["last_byte"]
    nan = float("nan")
    runs[f[0]].append(dict(wall=(t1 - t0) / 1e9, cpu=sum(float(x) for x in f[5].split("+")), rss=int(f[6]) / 1024,
                           ext=secs(f[7]), flow=f[8].replace(">", " → "), st=st,
                           ttfb=(fb - t0) / 1e9 if fb else nan, dl=(t1 - fb) / 1e9 if fb else nan,
                           xfer=(lb - fb) / 1e9 if fb else nan, join=(t1 - lb) / 1e9 if lb else nan))
def med(c, k): return statistics.median(r[k] for r in runs[c])
def reqs(st): # the breakdown of the page/API requests
    parts = []
    for k, name in (("page", "page"), ("getpage", "getPage"), ("pagedata", "GetPageData"), ("vinfoad_ts", "vinfoad TS"),
                    ("vinfoad_mp4", "vinfoad clips"), ("onlyvkey", "onlyvkey"), ("getvinfo", "getvinfo"),
                    ("getinfo", "getinfo"), ("getkey", "getkey"), ("faults", "faulted")):
        if st.get(k):
            parts.append(f"{st[k]} {name}")
    if other := st["proxyhttp"] - st["vinfoad_ts"] - st["vinfoad_mp4"] - st["onlyvkey"]:
        parts.append(f"{other} other proxyhttp")
    return ", ".join(parts)
label = {"ts": "proxyhttp-ts (2026 episode)", "ts-danmaku": "proxyhttp-ts with --write-danmaku", "mp4-handover": "proxyhttp-mp4 after a handover (CDN refuses TS, 403)",
         "mp4": "proxyhttp-mp4 (TS-mode API refuses, 85.-3)", "getvinfo": "getvinfo (site of 2022-2023)",
         "getinfo": "getinfo (site of 2022-2023, n0687peq62x)", "series26": "2026 series (getPage)",
         "series26-ho": "2026 series, CDN refuses TS (403)", "series-legacy": "LongSeries (site of 2022-2023)"}
listed = {"series26": 11, "series26-ho": 11, "series-legacy": 12}
nth = {1: "", 2: "2nd ", 3: "3rd "}.get(fail, f"{fail}th ")
faults = f"every {nth}page/API request failing" if fail else "no faults"
print(f"CDN {rate/2**20:.2f} MiB/s per connection x {conns} connections; API round trip {delay}; {faults}"
      + (f"; vdl {args}" if args else ""))
eps = [c for c in runs if c in sizes]
if eps:
    n = max(len(runs[c]) for c in eps)
    print(f"\nEpisodes, {media}: median of {n} run(s), requests from run 1")
    print("| flow | page/API requests | served by | extraction | first media byte |")
    print("|---|---|---|---|---|")
    for c in eps:
        st = runs[c][0]["st"]
        vary = sorted(set(r["st"]["api"] for r in runs[c]))
        note = f" (varied: {vary})" if len(vary) > 1 else ""
        flows = " / ".join(sorted(set(r["flow"] for r in runs[c])))
        print(f"| {label[c]} | {st['api']}{note}: {reqs(st)} | {flows} | {med(c, 'ext'):.3f} s | {med(c, 'ttfb'):.3f} s |")
    print("\n| flow | size | limit | transfer (first to last media byte) | join + exit | download + join vs the limit | total |")
    print("|---|---|---|---|---|---|---|")
    for c in eps:
        limit = sizes[c] / (rate * conns)
        each = ", ".join(f"{100*limit/r['dl']:.1f}" for r in runs[c])
        print(f"| {label[c]} | {sizes[c]/2**20:.1f} MiB | {limit:.2f} s | {med(c, 'xfer'):.2f} s = {100*limit/med(c, 'xfer'):.1f} % "
              f"| {med(c, 'join'):.2f} s | {med(c, 'dl'):.2f} s = {100*limit/med(c, 'dl'):.1f} % (runs: {each} %) "
              f"| {med(c, 'wall'):.2f} s (CPU {med(c, 'cpu'):.2f} s, RSS {med(c, 'rss'):.1f} MiB) |")
ser = [c for c in runs if c not in sizes]
if ser:
    print("\nSeries, listing included: one run each, the fake's own 15 s media")
    print("| series | episodes listed | page/API requests | per episode | served by | CDN refusals | first media byte | total |")
    print("|---|---|---|---|---|---|---|---|")
    for c in ser:
        r = runs[c][0]
        print(f"| {label[c]} | {listed[c]} | {r['st']['api']}: {reqs(r['st'])} | {r['st']['api']/listed[c]:.1f} | {r['flow']} "
              f"| {r['st']['media_refused']} | {r['ttfb']:.3f} s | {r['wall']:.2f} s |")
PY
if [ -s "$WORK/danmaku.txt" ]; then
  { echo; echo "Bullet comments fetched beside the media (the fake's 4 windows, each API reply delayed $API_DELAY):"; sed 's/^/- /' "$WORK/danmaku.txt"; } >> "$OUT/qq.txt"
fi
cat "$OUT/qq.txt"
