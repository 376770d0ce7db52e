#pragma once

#include "scenario.h"

namespace bench {

// read_global and read_stream: the read data set (ReadDataSet), read whole in pages or one
// stream at a time. Ours reads through the store's API; raw and lock run the same keyset
// SELECTs on their own tables. Every variant parses what it reads into RecordedEvents.
class ReadScenarios
{
public:
    // Loads the read data set (once for both scenarios).
    static bool prepare(BenchContext &context, QString *error);

    // read_global: one catch-up read of the whole set in pages of BenchConfig::readPage, one
    // sample per round in events per second.
    static bool readGlobalOurs(const Round &round, QString *error);
    static bool readGlobalLibpq(const Round &round, QString *error);
    static QList<ScenarioResult> summarizeGlobal(const BenchContext &context,
                                                 const Scenario &scenario, const Samples &samples);

    // read_filtered_type, _prefix, _stream: the catch-up read of read_global with a filter
    // (the events of one type, a quarter of them; of the streams named order-1...; of one
    // stream), ours through Store::readAll with a GlobalFilter, raw with the same condition on
    // its table (its only indexes: seq and (stream, version)).
    enum class Filter { Type, Prefix, Stream };
    static Scenario::Measure filteredOurs(Filter filter);
    static Scenario::Measure filteredLibpq(Filter filter);
    static QList<ScenarioResult> summarizeFiltered(const BenchContext &context,
                                                   const Scenario &scenario,
                                                   const Samples &samples);

    // read_stream: BenchConfig::streamReads reads of whole streams picked at random (the same
    // ones for every variant of a round), one sample per read in milliseconds.
    static bool readStreamOurs(const Round &round, QString *error);
    static bool readStreamLibpq(const Round &round, QString *error);
    static QString streamProgress(int round, const Samples &samples);
    static QList<ScenarioResult> summarizeStream(const BenchContext &context,
                                                 const Scenario &scenario, const Samples &samples);
};

} // namespace bench
