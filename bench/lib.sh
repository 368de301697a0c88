# Shared helpers of the bench scripts; source it after setting WORK and OUT.

# require_tools CMD...: stop with one line when a tool is missing.
require_tools() {
  for t in "$@"; do
    command -v "$t" >/dev/null || [ -x "/usr/sbin/$t" ] || { echo "bench: $t missing (apt-get install it)" >&2; exit 1; }
  done
}

# start_nginx PORT ROOT EXTRA [HTTP]: serves ROOT on $NGINX_ADDR:PORT
# (default 127.0.0.1) in the background (NGINX_PID), EXTRA being more
# server-block directives and HTTP more http-block ones. $NGINX_DIR (under
# $WORK, default nginx) holds its files; $NGINX_WRAP prefixes the command
# (ip netns exec NS, to serve inside a network namespace).
start_nginx() {
  local port=$1 root=$2 extra=$3 httpextra=${4:-}
  local addr=${NGINX_ADDR:-127.0.0.1} d=$WORK/${NGINX_DIR:-nginx}
  mkdir -p "$d"
  cat > "$d/nginx.conf" <<CONF
$( [ "$(id -u)" = 0 ] && echo "user root root;" )
worker_processes 2;
daemon off;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; application/octet-stream bin; }
  $httpextra
  client_body_temp_path $d; proxy_temp_path $d; fastcgi_temp_path $d; uwsgi_temp_path $d; scgi_temp_path $d;
  server {
    listen $addr:$port;
    root $root;
    $extra
  }
}
CONF
  ${NGINX_WRAP:-} "$(command -v nginx || echo /usr/sbin/nginx)" -c "$d/nginx.conf" -p "$d" &
  NGINX_PID=$!
  for _ in $(seq 50); do curl -s -o /dev/null "http://$addr:$port/" && return; sleep 0.1; done
}

# measure RAW LABEL CMD...: runs CMD once in an empty $WORK/dl and appends
# "label wall user sys maxrss_kib" to RAW.
measure() {
  local raw=$1 label=$2; shift 2
  rm -rf "$WORK/dl"; mkdir -p "$WORK/dl"
  ( cd "$WORK/dl" && /usr/bin/time -f "%e %U %S %M" -o "$WORK/time.txt" "$@" >/dev/null 2>"$WORK/stderr.txt" ) || {
    echo "bench: $label failed:" >&2; cat "$WORK/stderr.txt" >&2; exit 1; }
  read -r wall user sys rss < "$WORK/time.txt"
  echo "$label $wall $user $sys $rss" >> "$raw"
  echo "bench: $label ${wall}s" >&2
}

# start_fakeqq BIN DIR [ARGS...]: runs the fake v.qq.com (BIN, built from
# internal/fakeqq/cmd/fakeqq) in the background with its CA in DIR; sets
# FAKEQQ_PID and FAKEQQ_PROXY and exports SSL_CERT_FILE so vdl trusts it.
start_fakeqq() {
  local bin=$1 dir=$2; shift 2
  "$bin" -dir "$dir" "$@" > "$dir/fakeqq.txt" 2> "$dir/fakeqq.err" &
  FAKEQQ_PID=$!
  for _ in $(seq 100); do [ "$(wc -l < "$dir/fakeqq.txt")" -ge 2 ] && break; sleep 0.05; done
  FAKEQQ_PROXY=$(sed -n 1p "$dir/fakeqq.txt")
  SSL_CERT_FILE=$(sed -n 2p "$dir/fakeqq.txt")
  export SSL_CERT_FILE
}

# build_bench DIR [HELPER...]: builds the static vdl binary and the named
# helpers (benchserver, delayrelay, fakeqq) into DIR.
build_bench() {
  local dir=$1; shift
  CGO_ENABLED=0 go build -o "$dir/vdl" ./cmd/vdl
  local h
  for h in "$@"; do
    case $h in
      fakeqq) go build -o "$dir/fakeqq" ./internal/fakeqq/cmd/fakeqq ;;
      *) go build -o "$dir/$h" "./bench/cmd/$h" ;;
    esac
  done
}

# encode_source OUT SECONDS [FFMPEG-ARGS...]: a 720p25 H.264 + AAC test
# video (testsrc2 and a sine), 3 Mbit/s, keyframes every 2 s.
encode_source() {
  local out=$1 secs=$2; shift 2
  ffmpeg -v error -y -f lavfi -i "testsrc2=size=1280x720:rate=25:duration=$secs" \
    -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=$secs" \
    -c:v libx264 -preset ultrafast -b:v 3M -g 50 -pix_fmt yuv420p -c:a aac -b:a 128k "$@" "$out"
}
