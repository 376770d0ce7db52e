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
    QString unit; // "events/s" (higher is better) or "ms" (lower is better)
    std::optional<double> ours;
    std::optional<double> raw;
    std::optional<double> lock;
    QString note; // e.g. why a baseline is n/a
    QString error; // non-empty when the scenario failed
    QList<std::pair<Variant, WalFigures>> wal; // scenarios that measure WAL (Scenario::wal)

    bool higherIsBetter() const { return unit != QLatin1String("ms"); }
};

} // namespace bench
