#!/usr/bin/env bash
# Load conformance, the long run: tests/load/run_conformance.py for ROUNDS rounds (default
# 50) of every case in tests/load/cases.py, 16 sse-monitor-cli processes at once under a CPU
# hog of two busy loops. Each run is checked for its exact events, its exact requests (none
# unscheduled), the Last-Event-ID and custom headers of every request and every reconnection
# delay; see docs/ROBUSTNESS.md "Load conformance". Exits non-zero if any run failed; the
# server's request log is kept and its path printed.
#
#   scripts/conformance.sh [ROUNDS]
#
# Environment:
#   CONFORMANCE_CLI (unset)                a prebuilt sse-monitor-cli; otherwise it is built
#   CONFORMANCE_BUILD_DIR (build)          where to find or build it
#   CONFORMANCE_CLIENTS (16)               CLI processes at once
#   CONFORMANCE_ARGS (unset)               more runner options, e.g. "--no-hog" or
#                                          "--case rst_after_events"
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${1:-50}
clients=${CONFORMANCE_CLIENTS:-16}
cli=${CONFORMANCE_CLI:-}
if [[ -z $cli ]]; then
    build=${CONFORMANCE_BUILD_DIR:-build}
    if [[ ! -f $build/build.ninja ]]; then
        cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    fi
    cmake --build "$build" --parallel "$(nproc)" --target sse-monitor-cli
    cli=$build/app/sse-monitor-cli
fi
if ! command -v python3 >/dev/null; then
    echo "conformance: python3 is needed" >&2
    exit 2
fi

out=$(mktemp -d "${TMPDIR:-/tmp}/sse-conformance.XXXXXX")
echo "conformance: $rounds rounds, $clients clients at once, $cli; output in $out"
set +e
# shellcheck disable=SC2086 # CONFORMANCE_ARGS is a list of options
python3 tests/load/run_conformance.py --cli "$cli" --rounds "$rounds" --clients "$clients" \
    --out "$out" --keep ${CONFORMANCE_ARGS:-} | tee "$out/report.txt"
status=${PIPESTATUS[0]}
set -e
echo "conformance: report in $out/report.txt"
exit "$status"
