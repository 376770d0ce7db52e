#pragma once

#include "scenario.h"

namespace bench {

// peer_missed_8w: events a live reader of the global order never sees. BenchConfig::
// missedWriters writers append single events, each to a stream of its own, as fast as they
// can for missedDuration, while one reader follows the global order from the head; once the
// writers have stopped the reader catches up, and every event written meanwhile that it did
// not see is missed: its position was at or below what the reader had read, because it
// committed after the reader had passed it.
//   ours  a Follower on the write store. Positions are given after commit, in order, so it
//         must see every event once and in order; a round in which it does not fails.
//   raw   RawWriter's INSERTs; the reader polls `seq > last ORDER BY seq LIMIT 1000` in a
//         tight loop, `last` the highest seq it has seen (identity values are taken when a
//         row is inserted, and transactions commit in another order).
//   peer  PeerWriter's write_message(); the same reader on global_position (a bigserial).
// One sample per round, the events missed; the row gives the sum over the rounds.
class MissedScenario
{
public:
    static bool measureOurs(const Round &round, QString *error);
    static bool measureRaw(const Round &round, QString *error);
    static bool measurePeer(const Round &round, QString *error);
    static QString progress(int round, const Samples &samples);
    static QList<ScenarioResult> summarize(const BenchContext &context, const Scenario &scenario,
                                           const Samples &samples);
};

} // namespace bench
