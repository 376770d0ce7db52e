#pragma once

#include "variant.h"
#include "walstats.h"

#include <QList>
#include <QString>

#include <optional>
#include <utility>

namespace bench {

// One row of the report: the median of each variant's rounds.
struct ScenarioResult
{
    QString name;
    // "events/s" (higher is better), "ms" (lower is better) or "missed" (events a live reader
    // never saw: lower is better)
    QString unit;
    std::optional<double> ours;
    std::optional<double> raw;
    std::optional<double> lock;
    std::optional<double> peer;
    QString note; // e.g. why a baseline is n/a
    QString error; // non-empty when the scenario failed
    QList<std::pair<Variant, WalFigures>> wal; // scenarios that measure WAL (Scenario::wal)

    bool higherIsBetter() const { return unit != QLatin1String("ms") && !isCount(); }
    // A count of events (e.g. missed by a live reader) rather than a rate or a time: the
    // variants are compared by their counts, not by ratios.
    bool isCount() const { return unit == QLatin1String("missed"); }
};

} // namespace bench
