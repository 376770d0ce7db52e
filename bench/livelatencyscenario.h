#pragma once

#include "scenario.h"

#include <QStringList>

namespace bench {

// live_latency: from an append's acknowledgement to the event's arrival at a live reader,
// under a steady background load; a probe every BenchConfig::probeIntervalMs. Ours: a
// Follower on the write store. Raw: a LISTENing connection that re-selects after each NOTIFY,
// the writers INSERT and pg_notify in one statement. Lock has no live path of its own.
// live_latency_loaded: the same under the load of many writers (BenchConfig::loadedWriters at
// loadedRatePerWriter each, about half of what append_8w reaches).
class LiveLatencyScenario
{
public:
    // Its report rows: live_latency_p50 and live_latency_p99 (and the _loaded ones).
    static QStringList rows();
    static QStringList loadedRows();
    // One sample per probe that arrived, in milliseconds.
    static bool measureOurs(const Round &round, QString *error);
    static bool measureRaw(const Round &round, QString *error);
    static bool measureOursLoaded(const Round &round, QString *error);
    static bool measureRawLoaded(const Round &round, QString *error);
    // live_latency_standby: the same (live_latency's load), read from a hot standby of the
    // server; raw polls the standby every millisecond, so its figure is the replay lag.
    static QStringList standbyRows();
    static bool prepareStandby(BenchContext &context, QString *error);
    static bool measureOursStandby(const Round &round, QString *error);
    static bool measureRawStandby(const Round &round, QString *error);
    static QList<ScenarioResult> summarizeStandby(const BenchContext &context,
                                                  const Scenario &scenario, const Samples &samples);
    static QString progress(int round, const Samples &samples);
    // p50 and p99 over the probes of all rounds.
    static QList<ScenarioResult> summarize(const BenchContext &context, const Scenario &scenario,
                                           const Samples &samples);
    static QList<ScenarioResult> summarizeLoaded(const BenchContext &context,
                                                 const Scenario &scenario, const Samples &samples);
};

} // namespace bench
