#pragma once

#include "scenario.h"

namespace bench {

// activity and activity_stream: how many events of which types per bucket of time, on the read
// data set (ReadDataSet), at the automatic width. Ours asks Store::activity, which finds the
// positions (versions) at the buckets' bounds and samples the types of large buckets; raw is
// the naive query over the same tables, SELECT bucket, type, count(*) ... GROUP BY, which reads
// every event (of the stream). Each round checks that both count the same total. Milliseconds
// per query.
class ActivityScenarios
{
public:
    static Scenario::Measure ours(bool oneStream);
    static Scenario::Measure naive(bool oneStream);
    static QList<ScenarioResult> summarize(const BenchContext &context, const Scenario &scenario,
                                           const Samples &samples);
};

} // namespace bench
