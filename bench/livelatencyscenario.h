#pragma once

#include "scenario.h"

#include <QStringList>

namespace bench {

// live_latency: from an append's acknowledgement to the event's arrival at a live reader,
// under a steady background load; a probe every BenchConfig::probeIntervalMs. Ours: a
// Follower on the write store. Raw: a LISTENing connection that re-selects after each NOTIFY,
// the writers INSERT and pg_notify in one statement. Lock has no live path of its own.
class LiveLatencyScenario
{
public:
    // Its report rows: live_latency_p50 and live_latency_p99.
    static QStringList rows();
    // One sample per probe that arrived, in milliseconds.
    static bool measureOurs(const Round &round, QString *error);
    static bool measureRaw(const Round &round, QString *error);
    static QString progress(int round, const Samples &samples);
    // p50 and p99 over the probes of all rounds.
    static QList<ScenarioResult> summarize(const BenchContext &context, const Scenario &scenario,
                                           const Samples &samples);
};

} // namespace bench
