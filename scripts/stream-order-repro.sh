#!/usr/bin/env bash
# Reproduces the stream-order check of the global sequence under contention: 8 writer
# processes append 3,000 single events each through Store::append to 3 streams, on the
# embedded server (durable settings), then the sequencer numbers everything and SQL counts
# the events whose position comes after an event of the same stream with a higher version.
# usage: scripts/stream-order-repro.sh [SCHEMA]   (after scripts/test.sh has built ./build)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
schema="${1:-repro_$(date +%s)}"
export EVENTIUM_DATA_DIR="${EVENTIUM_DATA_DIR:-/tmp/eventium-repro}"
cli="$build/app/cli/eventium"
"$cli" embedded start >/dev/null
db="$("$cli" embedded status | sed -n 's/^running (pid [0-9]*) on //p')"
"$cli" --db "$db" --schema "$schema" migrate >/dev/null
start=$(date +%s.%N)
for w in 1 2 3 4 5 6 7 8; do
    "$build/tests/mp/eventium_mp_worker" hot "$db" "$schema" 3000 3 "$w" &
done
wait
end=$(date +%s.%N)
echo "appends/s: $(echo "24000 / ($end - $start)" | bc)"
until [ "$(psql "$db" -qAt -c "SELECT numbered FROM $schema.sequence_step(100000)")" = 0 ]; do :; done
psql "$db" -At -F ' ' -c "SELECT count(*) AS events, count(*) FILTER (WHERE version < highest_before)
  AS before_a_lower_version FROM (SELECT e.version, max(e.version) OVER (PARTITION BY e.stream_id
  ORDER BY g.position ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS highest_before
  FROM $schema.global_events g JOIN $schema.events e ON e.id = g.event_row) x" \
  | awk '{print "events: " $1 ", numbered before a lower version of their stream: " $2}'
