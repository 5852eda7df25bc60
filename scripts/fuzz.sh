#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the libFuzzer targets of tests/fuzz with clang, AddressSanitizer and UBSan (build-fuzz,
# -DBANATA_FUZZ=ON: core and the parsers only) and runs each for a bounded time over a copy of
# its seed corpus; the committed corpus never changes. Exits non-zero on any finding and prints
# the path of the input that crashed, leaked or hung (kept under build-fuzz/findings/).
#
# Usage: scripts/fuzz.sh [seconds-per-target] [target...]
#   scripts/fuzz.sh                 every target for 15 s (what scripts/test.sh runs in CI)
#   scripts/fuzz.sh 3600 wire       one target for an hour
# Environment: FUZZ_JOBS (targets run at once, default 2), FUZZ_BUILD_DIR (default build-fuzz).
# See docs/fuzzing.md for the targets, what they check and how to turn a finding into a fix.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

seconds=${1:-15}
[ $# -gt 0 ] && shift
all_targets=(wire events errors files webhooks viewer_input http_request http_range download_headers)
targets=("${@:-${all_targets[@]}}")
for target in "${targets[@]}"; do
    [ -d "tests/fuzz/corpus/$target" ] || { echo "fuzz.sh: unknown target '$target' (${all_targets[*]})" >&2; exit 2; }
done

scripts/deps.sh test
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1
build=${FUZZ_BUILD_DIR:-build-fuzz}
if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S . -B "$build" -G Ninja -DBANATA_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ >/dev/null
fi
cmake --build "$build" -j2 --target "${targets[@]/#/fuzz_}"

findings="$build/findings"
[[ "$findings" = /* ]] || findings="$root/$findings"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$findings"

# One target: a copy of its corpus and regressions, a bounded run, its numbers in $work/<target>.
run_target() {
    local target=$1
    local corpus="$work/$target/corpus"
    mkdir -p "$corpus" "$findings/$target"
    cp -r "tests/fuzz/corpus/$target/." "$corpus/"
    [ -d "tests/fuzz/regressions/$target" ] && cp -r "tests/fuzz/regressions/$target/." "$corpus/"
    local max_len=65536
    [ "$target" = http_request ] && max_len=140000 # room to cross the 64 KiB header limit
    local options=(-max_total_time="$seconds" -rss_limit_mb=2048 -max_len="$max_len" -timeout=10
                   -print_final_stats=1 -artifact_prefix="$findings/$target/")
    [ -f "tests/fuzz/dict/$target.dict" ] && options+=(-dict="tests/fuzz/dict/$target.dict")
    local status=0
    "$build/tests/fuzz/fuzz_$target" "${options[@]}" "$corpus" >"$work/$target.log" 2>&1 || status=$?
    cp "$work/$target.log" "$findings/$target/last-run.log"
    local execs rate coverage
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$target.log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$target.log" | tail -1)
    coverage=$(sed -n 's/^#[0-9]*.*cov: \([0-9]*\) .*/\1/p' "$work/$target.log" | tail -1)
    echo "$status ${execs:-0} ${rate:-0} ${coverage:-0}" >"$work/$target.result"
}

jobs=${FUZZ_JOBS:-2}
for target in "${targets[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
    echo "fuzzing $target for ${seconds}s"
    run_target "$target" &
done
wait

failed=0
total=0
printf '%-18s %12s %10s %6s  %s\n' target executions exec/s edges result
for target in "${targets[@]}"; do
    read -r status execs rate coverage <"$work/$target.result"
    total=$((total + execs))
    result=ok
    if [ "$status" -ne 0 ]; then
        failed=1
        crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$work/$target.log" | tail -1)
        result="FAILED (exit $status): ${crash:-see log}"
    fi
    printf '%-18s %12s %10s %6s  %s\n' "$target" "$execs" "$rate" "$coverage" "$result"
    printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$target" "$seconds" "$execs" "$status" >>"$findings/runs.tsv"
done
echo "total executions: $total"
if [ "$failed" -ne 0 ]; then
    echo "fuzz.sh: findings above; logs in $findings/<target>/last-run.log." >&2
    echo "Reproduce: $build/tests/fuzz/fuzz_<target> <input>; minimise: add -minimize_crash=1 -runs=10000." >&2
    exit 1
fi
