#pragma once

#include "scenarioresult.h"
#include "variant.h"

#include <QList>
#include <QString>

#include <map>

namespace bench {

// What the rounds of one scenario measured, by variant: every sample, for live latency the
// probes that never arrived, and the events the rounds wrote.
class Samples
{
public:
    // Where a round of `variant` puts what it measures (stays valid while this lives).
    QList<double> *valuesFor(Variant variant) { return &m_values[variant]; }
    int *missingFor(Variant variant) { return &m_missing[variant]; }
    void addEvents(Variant variant, qint64 events) { m_events[variant] += events; }

    QList<double> values(Variant variant) const;
    int missing(Variant variant) const;
    qint64 events(Variant variant) const;
    // A row named `name` with the median of every variant that ran (the others n/a).
    ScenarioResult medians(const QString &name, const QString &unit) const;

private:
    std::map<Variant, QList<double>> m_values;
    std::map<Variant, int> m_missing;
    std::map<Variant, qint64> m_events;
};

} // namespace bench
