#!/usr/bin/env bash
# The probe under a real Prometheus (Debian 12's package), all on loopback:
#   1. a looping replay of a small recording (`sse-monitor-cli replay --loop`) as the SSE source;
#   2. `sse-monitor-cli probe` watching it twice (two connection labels);
#   3. Prometheus scraping the probe every second, with docs/probe-alerts.yml loaded, its
#      storage in a temporary directory and its web listener on a free port;
# then, over the Prometheus HTTP API: the scrape target is up, sse_up == 1 for both streams,
# sse_events_total grows between two queries, and the example rules load without error.
# Stops everything it started (by process id) and removes its directory.
#
# usage: scripts/prometheus-check.sh [--cli PATH] [--prometheus PATH]
# Needs python3 (HTTP queries and JSON) and the prometheus package (scripts/deps.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cli=$root/build/app/sse-monitor-cli
prometheus=$(command -v prometheus || true)
while (($#)); do
    case $1 in
        --cli) cli=$2; shift 2 ;;
        --prometheus) prometheus=$2; shift 2 ;;
        *) echo "usage: $0 [--cli PATH] [--prometheus PATH]" >&2; exit 2 ;;
    esac
done
[[ -x $cli ]] || { echo "prometheus-check: no sse-monitor-cli at $cli" >&2; exit 2; }
[[ -n $prometheus && -x $prometheus ]] || {
    echo "prometheus-check: prometheus not found (scripts/deps.sh installs it)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/sse-prometheus-check.XXXXXX")
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
# Loopback must not go to a proxy named in the environment.
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY

fail() {
    echo "prometheus-check: FAIL: $*" >&2
    for log in "$work"/*.log; do
        [[ -s $log ]] && { echo "--- $(basename "$log")" >&2; tail -n 20 "$log" >&2; }
    done
    exit 1
}

# Waits up to $2 seconds for a line matching $3 in file $1; prints the line.
wait_for_line() {
    local file=$1 seconds=$2 pattern=$3 line
    for ((i = 0; i < seconds * 10; i++)); do
        line=$(grep -m1 -E "$pattern" "$file" 2>/dev/null || true)
        if [[ -n $line ]]; then
            echo "$line"
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# 1. The source: 20 events, 50 ms apart, of three types, replayed in a loop.
now=$(date +%s)
for ((n = 0; n < 20; n++)); do
    types=(tick trade log)
    printf '{"kind":"event","seq":%d,"time":"%s.%03dZ","type":"%s","data":"{\\"n\\":%d}","id":"%d"}\n' \
        $((n + 1)) "$(date -u -d "@$now" +%Y-%m-%dT%H:%M:%S)" $((n * 50)) "${types[n % 3]}" "$n" "$n"
done > "$work/recording.jsonl"
"$cli" replay "$work/recording.jsonl" --loop --listen 127.0.0.1:0 \
    > "$work/replay.out" 2> "$work/replay.log" &
pids+=($!)
stream=$(wait_for_line "$work/replay.out" 10 '^http://') || fail "the replay server printed no URL"

# 2. The probe, on a port of its choosing.
"$cli" probe --listen-metrics 127.0.0.1:0 --stall-after 5 "$stream" "$stream" \
    > "$work/probe.out" 2> "$work/probe.log" &
pids+=($!)
metrics=$(wait_for_line "$work/probe.out" 10 '^metrics: ') || fail "the probe printed no URL"
metrics=${metrics#metrics: }
target=${metrics#http://}
target=${target%%/*}

# 3. Prometheus, on a free port, scraping every second.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cp "$root/docs/probe-alerts.yml" "$work/probe-alerts.yml"
cat > "$work/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - probe-alerts.yml
scrape_configs:
  - job_name: sse-probe
    static_configs:
      - targets: ['$target']
EOF
"$prometheus" --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
    --web.listen-address="127.0.0.1:$port" --log.level=warn \
    > "$work/prometheus.log" 2>&1 &
pids+=($!)
api=http://127.0.0.1:$port

# Queries the instant-query API: prints one line per series, "value labels".
query() {
    python3 - "$api" "$1" <<'EOF'
import json, sys, urllib.parse, urllib.request
api, expr = sys.argv[1], sys.argv[2]
url = api + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
with urllib.request.urlopen(url, timeout=5) as response:
    answer = json.load(response)
if answer.get("status") != "success":
    sys.exit("query failed: " + json.dumps(answer))
for item in answer["data"]["result"]:
    labels = ",".join(f"{k}={v}" for k, v in sorted(item["metric"].items()) if k != "__name__")
    print(item["value"][1], labels)
EOF
}

# Ready, then at least three scrapes (up == 1 and a few samples of the probe's series).
for ((i = 0; i < 300; i++)); do
    python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=1)" \
        "$api/-/ready" 2>/dev/null && break
    sleep 0.1
done
((i < 300)) || fail "Prometheus did not get ready on port $port"
for ((i = 0; i < 30; i++)); do
    scrapes=$(query 'count_over_time(up{job="sse-probe"}[1m])' 2>/dev/null | awk '{print $1}')
    [[ -n $scrapes && $scrapes -ge 3 ]] && break
    sleep 0.5
done
[[ -n ${scrapes:-} && $scrapes -ge 3 ]] || fail "fewer than 3 scrapes after 15 s (${scrapes:-none})"
echo "prometheus-check: $scrapes scrapes of $target"

[[ $(query 'up{job="sse-probe"}' | awk '{print $1}') == 1 ]] || fail "the probe target is not up"
up=$(query 'sse_up{job="sse-probe"} == 1' | wc -l)
[[ $up -eq 2 ]] || fail "sse_up == 1 for $up streams, expected 2: $(query 'sse_up')"
echo "prometheus-check: sse_up == 1 for both streams"

first=$(query 'sum(sse_events_total{job="sse-probe"})' | awk '{print $1}')
sleep 2.5
second=$(query 'sum(sse_events_total{job="sse-probe"})' | awk '{print $1}')
python3 -c 'import sys; a, b = map(float, sys.argv[1:]); sys.exit(0 if 0 < a < b else 1)' \
    "${first:-0}" "${second:-0}" || fail "sse_events_total did not grow: ${first:-none} then ${second:-none}"
types=$(query 'count(sse_events_total{job="sse-probe"})' | awk '{print $1}')
[[ $types -eq 6 ]] || fail "expected 3 types x 2 streams of sse_events_total, got ${types:-none}"
echo "prometheus-check: sse_events_total grew from $first to $second"

rules=$(python3 - "$api" <<'EOF'
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1] + "/api/v1/rules", timeout=5) as response:
    groups = json.load(response)["data"]["groups"]
rules = [rule for group in groups for rule in group["rules"]]
bad = [rule["name"] for rule in rules if rule.get("health") not in ("ok", "unknown")]
print(len(rules), " ".join(bad))
EOF
)
[[ $rules == "3 " ]] || fail "example rules: expected 3 healthy rules, got '$rules'"
[[ ! -s $work/probe.log ]] || fail "the probe printed errors: $(cat "$work/probe.log")"
echo "prometheus-check: PASS (docs/probe-alerts.yml loaded: 3 rules)"
