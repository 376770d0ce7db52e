#pragma once

#include "scenarioresult.h"
#include "variant.h"

#include <QList>
#include <QString>

#include <map>

namespace bench {

// What the rounds of one scenario measured, by variant: every sample, and for live latency
// the probes that never arrived.
class Samples
{
public:
    // Where a round of `variant` puts what it measures (stays valid while this lives).
    QList<double> *valuesFor(Variant variant) { return &m_values[variant]; }
    int *missingFor(Variant variant) { return &m_missing[variant]; }

    QList<double> values(Variant variant) const;
    int missing(Variant variant) const;
    // A row named `name` with the median of every variant that ran (the others n/a).
    ScenarioResult medians(const QString &name, const QString &unit) const;

private:
    std::map<Variant, QList<double>> m_values;
    std::map<Variant, int> m_missing;
};

} // namespace bench
