#!/usr/bin/env bash
# Builds everything and runs all tests. The tests start their own throw-away PostgreSQL
# servers (set EVENTIUM_TEST_DATABASE to use an existing one instead).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
"$root/scripts/build.sh" -DEVENTIUM_WERROR="${EVENTIUM_WERROR:-OFF}" \
    -DEVENTIUM_BUILD_UI=ON -DEVENTIUM_BUILD_TESTS=ON -DEVENTIUM_BUILD_BENCH=ON
cd "$build"
if ! ctest --output-on-failure --timeout 900 -j"${TEST_JOBS:-2}"; then
    # The failures again, last, without the logs around them.
    echo "==== failed checks ===="
    grep -h -E -A2 '^(FAIL!|XPASS|QFATAL)|\*\*\*(Failed|Timeout|Exception)' \
        Testing/Temporary/LastTest.log | cut -c1-400 || true
    exit 1
fi
