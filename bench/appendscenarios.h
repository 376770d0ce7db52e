#pragma once

#include "scenario.h"
#include "writertask.h"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

namespace bench {

// append_1w, append_8w, append_batch_1w, append_batch_4w: writers in threads of their own,
// each appending to a stream of its own as fast as it can for BenchConfig::appendDuration;
// one sample per round, in events per second.
class AppendScenarios
{
public:
    // A size taken from the run's configuration (writers, events per append).
    using Size = int (*)(const BenchConfig &config);

    // One round of each variant: ours through a Store (OursWriter), raw (RawWriter), lock
    // (LockWriter) and peer (PeerWriter, single events only) on libpq connections.
    static Scenario::Measure ours(Size writers, Size batch);
    static Scenario::Measure raw(Size writers, Size batch);
    static Scenario::Measure lock(Size writers, Size batch);
    static Scenario::Measure peer(Size writers, Size batch);
    // Ours on another schema of the store (BenchContext: without the payload's search index,
    // or with version 4's append_events()): what the difference costs appends.
    static Scenario::Measure oursOn(const char *schema, Size writers, Size batch);
    // Raw into another table of its schema (the read data set's, which holds many events).
    static Scenario::Measure rawOn(const char *table, Size writers, Size batch);

    // Runs `writers` tasks made by `make` (given the writer's index) in threads of their own
    // for `duration` once all are prepared; events per second (nullopt with an error), and
    // the events written in that time in `written`.
    static std::optional<double>
    runWriters(int writers, std::chrono::milliseconds duration,
               const std::function<std::unique_ptr<WriterTask>(int)> &make, qint64 *written,
               QString *error);
    // The median of each variant's rounds.
    static QList<ScenarioResult> summarize(const BenchContext &context, const Scenario &scenario,
                                           const Samples &samples);
};

} // namespace bench
