#!/usr/bin/env bash
# Command 2: install what is missing, build and run the whole CTest suite
# (widgets offscreen). Ends with CTest's summary line.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh
cmake -S . -B build-test -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build-test --parallel "$(nproc)"
export QT_QPA_PLATFORM=offscreen
cd build-test
ctest --output-on-failure --parallel 2 --timeout 600
