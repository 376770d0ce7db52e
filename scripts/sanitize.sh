#!/usr/bin/env bash
# Builds a Debug tree with AddressSanitizer and UndefinedBehaviorSanitizer in ./build-sanitize
# (override with BUILD_DIR) and runs every test there. Not part of CI's default run.
# Leak checks are off: Qt and libpq keep allocations for the life of the process (plugin
# loaders, the driver registry, libpq's SSL and locale state), which LeakSanitizer reports.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build-sanitize}"
"$root/scripts/setup-debian.sh"
nice cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DEVENTIUM_SANITIZE=ON \
    -DEVENTIUM_WERROR="${EVENTIUM_WERROR:-OFF}" \
    -DEVENTIUM_BUILD_UI=ON -DEVENTIUM_BUILD_TESTS=ON -DEVENTIUM_BUILD_BENCH=OFF >/dev/null
nice cmake --build "$build" -j2
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
if [ -f "$root/scripts/ubsan.supp" ]; then
    UBSAN_OPTIONS="$UBSAN_OPTIONS:suppressions=$root/scripts/ubsan.supp"
fi
if [ -f "$root/scripts/asan.supp" ]; then
    ASAN_OPTIONS="$ASAN_OPTIONS:suppressions=$root/scripts/asan.supp"
fi
cd "$build"
nice ctest --output-on-failure --timeout 1800 -j"${TEST_JOBS:-2}"
