#!/bin/sh
# The flood smoke for 60 s (CTest runs it for 10 s): the window and the CLI against
# `sse-monitor-cli replay --fast --loop`. Usage: scripts/flood.sh [BUILD_DIR] [SECONDS]
set -eu
build=${1:-build}
seconds=${2:-60}
cmake --build "$build" --parallel 2 --target tst_flood sse-monitor-cli
cd "$build"
FLOOD_SECONDS=$seconds ctest -R '^tst_flood$' --output-on-failure --timeout $((seconds * 3 + 120))
