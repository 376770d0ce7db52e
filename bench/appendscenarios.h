#pragma once

#include "scenario.h"

namespace bench {

// append_1w, append_8w, append_batch_1w, append_batch_4w: writers in threads of their own,
// each appending to a stream of its own as fast as it can for BenchConfig::appendDuration;
// one sample per round, in events per second.
class AppendScenarios
{
public:
    // A size taken from the run's configuration (writers, events per append).
    using Size = int (*)(const BenchConfig &config);

    // One round of each variant: ours through a Store (OursWriter), raw (RawWriter) and lock
    // (LockWriter) on libpq connections.
    static Scenario::Measure ours(Size writers, Size batch);
    static Scenario::Measure raw(Size writers, Size batch);
    static Scenario::Measure lock(Size writers, Size batch);
    // Ours on another schema of the store (BenchContext: without the payload's search index,
    // or with version 4's append_events()): what the difference costs appends.
    static Scenario::Measure oursOn(const char *schema, Size writers, Size batch);
    // The median of each variant's rounds.
    static QList<ScenarioResult> summarize(const BenchContext &context, const Scenario &scenario,
                                           const Samples &samples);
};

} // namespace bench
