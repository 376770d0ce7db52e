#pragma once

#include "scenario.h"

namespace bench {

// What ending and shrinking streams costs, against the cheapest plain SQL that removes or
// blanks the same rows of the baseline table (raw; lock n/a):
//   scavenge  rows removed per second: Store::scavenge() of a stream truncated past its end
//             (batches of 10,000 rows, each its own transaction, the stream's bookkeeping
//             kept) against one DELETE of the same number of rows by (stream, version);
//   erase     events per second: Store::erase() one event at a time (payload and metadata
//             blanked, who and when recorded in erasures) against an UPDATE per event of data
//             and metadata by (stream, version).
// The rows are written before the clock starts; only the removal or the erasure is timed.
class LifeScenarios
{
public:
    static Scenario::Measure scavengeOurs();
    static Scenario::Measure scavengeRaw();
    static Scenario::Measure eraseOurs();
    static Scenario::Measure eraseRaw();
};

} // namespace bench
