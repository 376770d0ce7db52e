#!/usr/bin/env bash
# Builds everything and runs all tests. The tests start their own throw-away PostgreSQL
# servers (set EVENTIUM_TEST_DATABASE to use an existing one instead).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
"$root/scripts/build.sh" -DEVENTIUM_WERROR="${EVENTIUM_WERROR:-OFF}" \
    -DEVENTIUM_BUILD_UI=ON -DEVENTIUM_BUILD_TESTS=ON -DEVENTIUM_BUILD_BENCH=ON
cd "$build"
ctest --output-on-failure --timeout 900 -j"${TEST_JOBS:-2}"
