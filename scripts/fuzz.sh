#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang into ./build-fuzz (override with
# FUZZ_BUILD_DIR) and runs each for SECONDS_PER_TARGET (default 60) on a scratch copy of its
# seed corpus, so tests/fuzz/corpus only grows when you copy inputs back yourself. Prints per
# target the executions, executions per second, libFuzzer's final coverage (cov: edges, ft:
# features) and any crash file. Exits 1 when a target crashed.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Environment: FUZZ_JOBS (build jobs, default 2), FUZZ_WORK (scratch directory, default
# build-fuzz/fuzz-work), FUZZ_ARGS (extra libFuzzer flags).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-60}"
shift || true
all_targets=(connectionoptions stdinevents searchexpression codecs appendvalidation importinput)
targets=("${@:-${all_targets[@]}}")
build="${FUZZ_BUILD_DIR:-$root/build-fuzz}"
work="${FUZZ_WORK:-$build/fuzz-work}"

if ! command -v clang++ >/dev/null; then
    echo "fuzz.sh: clang++ is missing (apt-get install -y clang)" >&2
    exit 2
fi
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEVENTIUM_FUZZ=ON -DEVENTIUM_BUILD_TESTS=ON \
    -DEVENTIUM_BUILD_UI=OFF -DEVENTIUM_BUILD_BENCH=OFF >/dev/null
nice -n 10 cmake --build "$build" -j"${FUZZ_JOBS:-2}" --target "${targets[@]/#/fuzz_}"

status=0
summary=()
for target in "${targets[@]}"; do
    corpus="$work/$target/corpus"
    artifacts="$work/$target/crashes"
    log="$work/$target/fuzz.log"
    rm -rf "$corpus"
    mkdir -p "$corpus" "$artifacts"
    cp "$root/tests/fuzz/corpus/$target/"* "$corpus/"
    echo "== fuzz_$target: ${seconds}s, log $log"
    set +e
    # Leaks are found with ASan's leak checker at exit, not per input.
    nice -n 10 "$build/tests/fuzz/fuzz_$target" -max_total_time="$seconds" \
        -print_final_stats=1 -artifact_prefix="$artifacts/" -timeout=10 -rss_limit_mb=2048 \
        ${FUZZ_ARGS:-} "$corpus" >"$log" 2>&1
    rc=$?
    set -e
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    final=$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$final")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$final")
    crashes=$(find "$artifacts" -type f | sort | tr '\n' ' ')
    line=$(printf '%-18s executions %-10s exec/s %-7s cov %-6s ft %-7s corpus %s files' \
        "$target" "${runs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}" "$(ls "$corpus" | wc -l)")
    if [[ $rc -ne 0 || -n $crashes ]]; then
        status=1
        line+="  CRASH (exit $rc): ${crashes:-see $log}"
        grep -E 'eventium fuzz:|ERROR:|runtime error|SUMMARY' "$log" | head -5 | sed 's/^/    /'
    fi
    echo "$line"
    summary+=("$line")
done
echo
echo "== summary (${seconds}s per target)"
printf '%s\n' "${summary[@]}"
exit $status
