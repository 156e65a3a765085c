#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in build-fuzz and runs each for FUZZ_SECONDS
# (default 60) on a scratch copy of its seed corpus (fuzz/corpus/<name>). Exits non-zero if a
# target crashes; the reproducer is left in the scratch directory printed at the end.
# scripts/test.sh runs it (60 s per target) before the main suite when CI=true or with --full.
set -euo pipefail

cd "$(dirname "$0")/.."

bash scripts/deps.sh clang libclang-rt-14-dev

seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_BUILD_JOBS:-2}
targets=(fuzz_parser fuzz_jsonlines fuzz_jsontext fuzz_eventstore)

CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSSE_MONITOR_FUZZ=ON -DSSE_MONITOR_BUILD_TESTS=OFF
cmake --build build-fuzz --parallel "$jobs" --target "${targets[@]}"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/sse-fuzz.XXXXXX")
status=0
for target in "${targets[@]}"; do
    name=${target#fuzz_}
    corpus=$scratch/$name/corpus
    artifacts=$scratch/$name/artifacts
    mkdir -p "$corpus" "$artifacts"
    cp fuzz/corpus/"$name"/* "$corpus"/
    echo "== $target: ${seconds}s, corpus $corpus"
    log=$scratch/$name/log.txt
    if ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
        build-fuzz/fuzz/"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$artifacts"/ -print_final_stats=1 "$corpus" >"$log" 2>&1; then
        echo "$target: no crash"
    else
        echo "$target: FAILED (exit $?); reproducer(s):"
        ls -l "$artifacts"
        grep -E "ERROR|SUMMARY|==[0-9]+==" "$log" | head -n 20 || true
        status=1
    fi
    # libFuzzer's last status line and final statistics.
    grep -E "^#[0-9]+.*(DONE|pulse|NEW|REDUCE)" "$log" | tail -n 1 || true
    grep -E "^(stat::|Done [0-9]+ runs)" "$log" || true
    echo "$target: corpus now $(find "$corpus" -type f | wc -l) files"
done
echo "Logs, corpora and artifacts: $scratch"
exit "$status"
