#!/usr/bin/env bash
# Throughput of one stream through a real nginx, HTTP/1.1 against HTTP/2 (h2 over TLS and h2c
# with prior knowledge): `sse-monitor-cli replay --fast` serves EVENTS events of BYTES bytes of
# data, nginx proxies it (proxy_buffering off), and `sse-monitor-cli -q --max-events` reads them.
# Prints the wall time and rate per protocol, best of ROUNDS. Needs nginx (nginx-light).
# usage: scripts/http2-bench.sh [--cli PATH] [EVENTS] [BYTES] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
cli=build/app/sse-monitor-cli
if [[ ${1:-} == --cli ]]; then cli=$2; shift 2; fi
events=${1:-200000}
bytes=${2:-200}
rounds=${3:-3}
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x $nginx ]] || { echo "nginx not found: install nginx-light (scripts/deps.sh)" >&2; exit 1; }

dir=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$dir"; }
trap cleanup EXIT

python3 - "$dir/events.jsonl" "$events" "$bytes" <<'PY'
import sys
path, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, 'w') as out:
    for i in range(count):
        data = ('{"n":%d,"pad":"' % i) + 'x' * max(0, size - 20) + '"}'
        out.write('{"kind":"event","seq":%d,"time":"2026-12-02T00:00:00.000Z","type":"message",'
                  '"data":"%s","id":"%d"}\n' % (i + 1, data.replace('"', '\\"'), i))
PY

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
backend=$(port); tls=$(port); clear=$(port)
"$cli" replay "$dir/events.jsonl" --listen "127.0.0.1:$backend" --fast >"$dir/replay.out" 2>&1 &
pids+=($!)
user=""; [[ $(id -u) -eq 0 ]] && user="user root;"
location="location / { proxy_pass http://127.0.0.1:$backend; proxy_http_version 1.1;
    proxy_set_header Connection \"\"; proxy_buffering off; proxy_read_timeout 1h; }"
cat >"$dir/nginx.conf" <<CONF
$user
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $dir/body; proxy_temp_path $dir/proxy; fastcgi_temp_path $dir/fcgi;
    uwsgi_temp_path $dir/uwsgi; scgi_temp_path $dir/scgi;
    server { listen 127.0.0.1:$tls ssl http2;
             ssl_certificate $PWD/tests/data/tls/server.pem;
             ssl_certificate_key $PWD/tests/data/tls/server.key; $location }
    server { listen 127.0.0.1:$clear http2; $location }
}
CONF
"$nginx" -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' &
pids+=($!)
for p in "$tls" "$clear" "$backend"; do
    for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null && break; sleep 0.05; done
done

run() { # label, arguments...
    local label=$1 best=""
    shift
    for _ in $(seq "$rounds"); do
        local start end ms
        start=$(date +%s%N)
        "$cli" -q -o /dev/null --max-events "$events" "$@"
        end=$(date +%s%N)
        ms=$(((end - start) / 1000000))
        if [[ -z $best || $ms -lt $best ]]; then best=$ms; fi
    done
    awk -v l="$label" -v ms="$best" -v n="$events" -v b="$bytes" 'BEGIN {
        printf "%-28s %6d ms  %9.0f events/s  %6.1f MB/s of data\n", l, ms, n * 1000 / ms, n * b / ms / 1000 }'
}
echo "$events events of $bytes bytes through nginx, best of $rounds"
run "direct (HTTP/1.1, no nginx)" "http://127.0.0.1:$backend/"
run "nginx HTTP/1.1 over TLS" --insecure --http1.1 "https://127.0.0.1:$tls/"
run "nginx HTTP/2 over TLS" --insecure "https://127.0.0.1:$tls/"
run "nginx h2c prior knowledge" --http2-prior-knowledge "http://127.0.0.1:$clear/"
