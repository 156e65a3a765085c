#!/usr/bin/env bash
# Command 1: install what is missing, build (Release) and launch SSE Monitor on
# its built-in demo stream. Extra arguments go to sse-monitor.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DSSE_MONITOR_BUILD_TESTS=OFF
cmake --build build-release --parallel "$(nproc)"
if [[ $# -eq 0 ]]; then
    set -- --demo
fi
exec ./build-release/app/sse-monitor "$@"
