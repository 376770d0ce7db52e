#pragma once

#include "benchconfig.h"
#include "round.h"
#include "scenarioresult.h"
#include "variant.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <utility>

namespace bench {

class BenchContext;
class Samples;

// One entry of the scenario table (ScenarioTable): what the scenario measures, which variants
// run in each round and in which order, and the function that measures one round of each.
// BenchRunner runs every scenario through the same loop: `rounds` rounds of every variant in
// turn, then summarize() over the samples of all rounds.
struct Scenario
{
    // Measures one round of round.variant and appends to round.samples; false with an error.
    using Measure = std::function<bool(const Round &round, QString *error)>;
    // Runs once before the first round (e.g. loads the read data set); false with an error.
    using Prepare = std::function<bool(BenchContext &context, QString *error)>;
    // The progress line after each round.
    using Progress = std::function<QString(int round, const Samples &samples)>;
    // The report rows from the samples of all rounds.
    using Summarize = std::function<QList<ScenarioResult>(
        const BenchContext &context, const Scenario &scenario, const Samples &samples)>;

    QString name {};
    QString description {};
    QString unit {}; // "events/s" or "ms"
    // The names of its report rows when they are not just `name`; a failure fails them all.
    QStringList rows {};
    int BenchConfig::*rounds = &BenchConfig::rounds;
    QList<std::pair<Variant, Measure>> variants {};
    Summarize summarize {};
    Prepare prepare {}; // may be empty
    // May be empty when every round of a variant measures one sample: then the progress is a
    // line per variant and round with that sample.
    Progress roundProgress {};
    // Whether the server's WAL is measured around each round (per event written: records,
    // full-page images, bytes, flushes, sync time; sequencer steps per second).
    bool wal = false;

    QStringList rowNames() const { return rows.isEmpty() ? QStringList {name} : rows; }
};

} // namespace bench
