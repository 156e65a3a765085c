#!/usr/bin/env bash
# Command 3: build a Release tree (build-bench) and run the benchmarks: bench_suite
# (throughput, latency, scale; see docs/PERFORMANCE.md), then every other benchmark
# program declared in tests/benchmarks/CMakeLists.txt. The benchmark output (not the
# build log) is also written to docs/bench-latest.txt. Extra arguments go to bench_suite,
# e.g. scripts/bench.sh --runs 9 or scripts/bench.sh --only T2. T8 needs node and npm
# (the npm eventsource package is installed into build-bench/npm).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build-bench --parallel "$(nproc)" --target bench_suite sse-monitor-cli

# The other benchmarks are optional: one that does not build is reported and skipped.
others=()
while read -r target; do
    [[ $target == bench_suite ]] && continue
    if cmake --build build-bench --parallel "$(nproc)" --target "$target"; then
        others+=("$target")
    else
        echo "bench.sh: $target did not build; skipped" >&2
    fi
done < <(sed -n 's/^[[:space:]]*qt_add_executable(\(bench_[A-Za-z0-9_]*\).*/\1/p' \
             tests/benchmarks/CMakeLists.txt)

# T8 compares the CLI with node + the npm eventsource package: installed into a prefix of
# its own. Without node or npm (or the registry), T8 reports itself skipped.
npm_prefix=build-bench/npm
node_args=()
if command -v node >/dev/null && command -v npm >/dev/null; then
    mkdir -p "$npm_prefix"
    [[ -f $npm_prefix/package.json ]] || echo '{"private": true}' > "$npm_prefix/package.json"
    if [[ -f $npm_prefix/node_modules/eventsource/package.json ]] \
        || npm install --prefix "$npm_prefix" --no-save --no-audit --no-fund eventsource@5; then
        node_args=(--node "$(command -v node)" --eventsource "$npm_prefix")
    else
        echo "bench.sh: npm install eventsource@5 failed; T8 will be skipped" >&2
    fi
fi

mkdir -p docs
export QT_QPA_PLATFORM=offscreen
{
    echo "# scripts/bench.sh, $(date -u '+%Y-%m-%d %H:%M UTC'), tree $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ' (uncommitted changes)')"
    echo
    status=0
    ./build-bench/tests/benchmarks/bench_suite --cli build-bench/app/sse-monitor-cli \
        "${node_args[@]}" "$@" \
        || status=$?
    for target in "${others[@]}"; do
        echo
        echo "# $target"
        "./build-bench/tests/benchmarks/$target" || status=$?
    done
    exit "$status"
} 2>&1 | tee docs/bench-latest.txt
