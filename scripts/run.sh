#!/usr/bin/env bash
# Builds and starts the event browser. With no --db and no DATABASE_URL it starts its own
# private PostgreSQL (the embedded default). Arguments go to the browser.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
"$root/scripts/build.sh" -DEVENTIUM_BUILD_UI=ON
exec "$build/app/browser/eventium-browser" "$@"
