#!/usr/bin/env bash
# Reconnect storm: sse-storm-server drops every response after 100 ms (graceful close,
# close in the middle of an event, or TCP reset, in turn) and continues each client after
# the highest id it wrote whole to it. It counts the attempts and reports every unscheduled
# request (a Last-Event-ID other than that id, sooner than the reconnection time after the
# previous response ended, or while another response runs). The CLI (sse-monitor-cli -o FILE) and the GUI (soak_gui: the real MainWindow
# recording to a file) each run against their own server for SOAK_SECONDS, at the same time.
# For each: events received, ids lost and duplicated (the ids are 1, 2, 3, ...), ids out of
# order, reconnects, and resident memory (VmRSS) after the warm-up and at the end. Then the
# CLI runs SOAK_VALGRIND_SECONDS under valgrind --leak-check=full --track-fds=yes: leaked
# bytes and descriptors still open at exit. Exits non-zero on any lost, duplicated or
# reordered id, on any unscheduled request, on a failed run, or on a definite leak.
#
# Environment:
#   SOAK_SECONDS (600)           length of each storm
#   SOAK_WARMUP_SECONDS (30)     when the first memory sample is taken
#   SOAK_VALGRIND_SECONDS (60)   0 skips valgrind
#   SOAK_RETRY_MS (100)          the retry: the server sends (the reconnection time it holds
#                                clients to, minus 50 ms)
#   SOAK_DROP_MS (100)           lifetime of each response (1: responses that end at once)
#   SOAK_TARGETS ("cli gui")     which subjects to run
#   SOAK_GUI_CAPACITY (unset)    event log capacity of the window (default: the product's 1,000,000)
#   SOAK_BUILD_DIR (build-soak)  where the tools are built unless given below
#   SOAK_SERVER, SOAK_CLI, SOAK_GUI  prebuilt executables (CTest passes them)
#   SOAK_OUT (a new temporary directory)  logs and recordings
# The CTest test soak_smoke runs this for 12 s without valgrind.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${SOAK_SECONDS:-600}
warmup=${SOAK_WARMUP_SECONDS:-30}
valgrind_seconds=${SOAK_VALGRIND_SECONDS:-60}
targets=${SOAK_TARGETS:-cli gui}
retry_ms=${SOAK_RETRY_MS:-100}
drop_ms=${SOAK_DROP_MS:-100}
if (( warmup >= seconds )); then
    warmup=$(( seconds / 2 ))
fi

if [[ -z ${SOAK_SERVER:-} || -z ${SOAK_CLI:-} || -z ${SOAK_GUI:-} ]]; then
    build=${SOAK_BUILD_DIR:-build-soak}
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$build" --parallel "$(nproc)" --target sse-storm-server sse-monitor-cli soak_gui
    SOAK_SERVER=${SOAK_SERVER:-$build/tests/soak/sse-storm-server}
    SOAK_CLI=${SOAK_CLI:-$build/app/sse-monitor-cli}
    SOAK_GUI=${SOAK_GUI:-$build/tests/soak/soak_gui}
fi
if (( valgrind_seconds > 0 )) && ! command -v valgrind >/dev/null; then
    bash scripts/deps.sh valgrind
fi
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
out=${SOAK_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/sse-soak.XXXXXX")}
mkdir -p "$out"

rss_kb() {
    awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0
}

# Starts a storm server; sets server_pid and server_port.
start_server() {
    local log=$1
    "$SOAK_SERVER" --retry "$retry_ms" --drop-ms "$drop_ms" >"$log" 2>&1 &
    server_pid=$!
    for _ in $(seq 100); do
        server_port=$(awk '/^port / { print $2 }' "$log" 2>/dev/null || true)
        [[ -n $server_port ]] && return 0
        sleep 0.1
    done
    echo "soak: the storm server did not start" >&2
    cat "$log" >&2
    return 1
}

# Stops the server started last (in this shell: wait needs its parent) and sets
# server_summary to its summary line.
stop_server() {
    kill -TERM "$server_pid"
    wait "$server_pid" || true
    server_summary=$(grep '^connections ' "$1" || echo "connections ? (no summary)")
}

# Ids of the event records of a JSON Lines file, one per line, in file order.
event_ids() {
    grep '"kind":"event"' "$1" | grep -o '"id":"[0-9]*"' | tr -dc '0-9\n' || true
}

# "received N lost N duplicated N out_of_order N highest N" for a recording.
id_report() {
    event_ids "$1" | awk '
        { n = $1 + 0; total++; if (seen[n]++) dup++; else unique++
          if (n <= last) order++; last = n; if (n > highest) highest = n }
        END { printf "received %d lost %d duplicated %d out_of_order %d highest %d\n",
                     total, highest - unique, dup, order, highest }'
}

# The value after NAME in the server's summary line (? when it is not there).
summary_field() {
    local value
    value=$(awk -v name="$2" '{ for (i = 1; i < NF; i++) if ($i == name) { print $(i + 1); exit } }' <<<"$1")
    echo "${value:-?}"
}

failures=0
# Fails on lost, duplicated or reordered ids in the recording ($2) and on unscheduled
# requests in the server's summary ($3); the first ones are described in its log ($4).
check_report() {
    local name=$1 report=$2 summary=$3 log=$4
    read -r _ received _ lost _ duplicated _ reordered _ <<<"$report"
    if (( received == 0 || lost != 0 || duplicated != 0 || reordered != 0 )); then
        echo "soak: $name FAILED: $report" >&2
        failures=$((failures + 1))
    fi
    local unscheduled; unscheduled=$(summary_field "$summary" unscheduled)
    if [[ $unscheduled != 0 ]]; then
        echo "soak: $name FAILED: $unscheduled unscheduled requests (server: $summary)" >&2
        grep '^unscheduled: ' "$log" | head -5 | sed 's/^/soak:   /' >&2 || true
        failures=$((failures + 1))
    fi
}

# Waits for the subject started last (pid $1) to end, sampling its VmRSS after the warm-up and
# one second before the end of the run; sets rss_start, rss_end and code, then stops the server
# (log $2) and sets report (ids of the recording $3) and server.
follow_subject() {
    local pid=$1
    sleep "$warmup"
    rss_start=$(rss_kb "$pid")
    sleep $(( seconds - warmup - 1 ))
    rss_end=$(rss_kb "$pid")
    code=0
    wait "$pid" || code=$?
    stop_server "$2"
    server=$server_summary
    report=$(id_report "$3")
}

run_cli() {
    local log=$out/cli-server.log file=$out/cli.jsonl
    start_server "$log"
    "$SOAK_CLI" "http://127.0.0.1:$server_port/" --states -q -o "$file" --timeout "$seconds" \
        2>"$out/cli.stderr" &
    follow_subject $! "$log" "$file"
    local reconnects; reconnects=$(grep -c '"state":"reconnecting"' "$file" || true)
    echo "cli: $report reconnects $reconnects rss_start_kb $rss_start rss_end_kb $rss_end exit $code"
    echo "cli server: $server"
    check_report cli "$report" "$server" "$log"
    if (( code != 0 )); then
        echo "soak: cli exited with $code" >&2
        failures=$((failures + 1))
    fi
}

run_gui() {
    local log=$out/gui-server.log file=$out/gui.jsonl
    start_server "$log"
    "$SOAK_GUI" "http://127.0.0.1:$server_port/" "$file" "$seconds" ${SOAK_GUI_CAPACITY:-} \
        >"$out/gui.stdout" 2>"$out/gui.stderr" &
    follow_subject $! "$log" "$file"
    echo "gui: $report rss_start_kb $rss_start rss_end_kb $rss_end exit $code"
    echo "gui window: $(cat "$out/gui.stdout")"
    echo "gui server: $server"
    check_report gui "$report" "$server" "$log"
    if (( code != 0 )) || grep -q 'dropped [1-9]' "$out/gui.stdout"; then
        echo "soak: gui exited with $code or the recorder dropped events" >&2
        failures=$((failures + 1))
    fi
}

run_valgrind() {
    local log=$out/valgrind-server.log file=$out/valgrind.jsonl vlog=$out/valgrind.log
    start_server "$log"
    local code=0
    valgrind --leak-check=full --track-fds=yes --num-callers=30 --log-file="$vlog" \
        "$SOAK_CLI" "http://127.0.0.1:$server_port/" --states -q -o "$file" \
        --timeout "$valgrind_seconds" 2>"$out/valgrind.stderr" || code=$?
    stop_server "$log"
    local server=$server_summary
    local report; report=$(id_report "$file")
    local reconnects; reconnects=$(grep -c '"state":"reconnecting"' "$file" || true)
    echo "valgrind cli: $report reconnects $reconnects exit $code"
    echo "valgrind server: $server"
    grep -E "definitely lost|indirectly lost|possibly lost|still reachable|ERROR SUMMARY" "$vlog" \
        | sed 's/^==[0-9]*== */valgrind: /'
    grep -E "FILE DESCRIPTORS" "$vlog" | sed 's/^==[0-9]*== */valgrind: /'
    # Descriptors other than the standard three and valgrind's own log file.
    grep -E "^==[0-9]+== Open (AF_INET|AF_INET6|AF_UNIX)? *socket" "$vlog" \
        | sed 's/^==[0-9]*== */valgrind open: /' || true
    check_report "valgrind cli" "$report" "$server" "$log"
    if grep -qE "definitely lost: [1-9]" "$vlog" || (( code != 0 )); then
        echo "soak: valgrind run exited with $code or found a definite leak; see $vlog" >&2
        failures=$((failures + 1))
    fi
}

echo "soak: ${seconds}s storm (warm-up ${warmup}s) for: $targets; logs in $out"
pids=()
for target in $targets; do
    case $target in
        cli) run_cli >"$out/cli.report" 2>&1 & pids+=($!) ;;
        gui) run_gui >"$out/gui.report" 2>&1 & pids+=($!) ;;
        *) echo "soak: unknown target $target" >&2; exit 2 ;;
    esac
done
for pid in "${pids[@]}"; do
    wait "$pid" || failures=$((failures + 1))
done
for target in $targets; do
    cat "$out/$target.report"
    if grep -q "FAILED\|exited with" "$out/$target.report"; then
        failures=$((failures + 1))
    fi
done
if (( valgrind_seconds > 0 )); then
    run_valgrind
fi
if (( failures > 0 )); then
    echo "soak: FAILED ($failures problems); logs in $out" >&2
    exit 1
fi
echo "soak: passed"
