#!/usr/bin/env bash
# Command 2: install what is missing, build and run the whole CTest suite
# (widgets offscreen). Ends with CTest's summary line.
#
# With CI=true in the environment, or with --full, it first runs the fuzz smoke
# (scripts/fuzz.sh, FUZZ_SECONDS per target, default 60) and the ASan + UBSan suite
# (scripts/sanitize.sh), so that the last lines stay the main suite's summary. Any
# failure stops the script with a non-zero exit.
set -euo pipefail
cd "$(dirname "$0")/.."

full=0
if [[ ${CI:-} == true ]]; then
    full=1
fi
for argument in "$@"; do
    case $argument in
        --full) full=1 ;;
        *) echo "usage: $0 [--full]" >&2; exit 2 ;;
    esac
done

bash scripts/deps.sh
if (( full )); then
    start=$SECONDS
    echo "== fuzz smoke: ${FUZZ_SECONDS:-60} s per target"
    FUZZ_SECONDS=${FUZZ_SECONDS:-60} bash scripts/fuzz.sh
    echo "== fuzz smoke took $(( SECONDS - start )) s"
    start=$SECONDS
    echo "== ASan + UBSan build and suite"
    bash scripts/sanitize.sh
    echo "== sanitizer build and suite took $(( SECONDS - start )) s"
    echo "== main suite"
fi
cmake -S . -B build-test -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build-test --parallel "$(nproc)"
export QT_QPA_PLATFORM=offscreen
cd build-test
ctest --output-on-failure --parallel 2 --timeout 600 --no-label-summary
