#!/usr/bin/env bash
# Builds the whole project with AddressSanitizer + UndefinedBehaviorSanitizer
# (build-asan) and runs the CTest suite with it. Leak checking is off: Qt keeps
# some allocations until process exit on purpose.
# scripts/test.sh runs it before the main suite when CI=true or with --full.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSSE_MONITOR_SANITIZE=ON
cmake --build build-asan --parallel "$(nproc)"
export QT_QPA_PLATFORM=offscreen
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd build-asan
# The load conformance run (16 CLI processes against a CPU hog, timing bounds) stays in the
# main suite: sanitizer builds are several times slower and would only test the machine.
ctest --output-on-failure --parallel 2 --timeout 900 -LE load --no-label-summary
