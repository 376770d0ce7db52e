#pragma once

#include "scenario.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace bench {

// Every scenario of the suite, in the order a full run runs them: its name (--scenario), what
// it measures, its variants and the functions that measure them (AppendScenarios,
// ReadScenarios, LiveLatencyScenario).
class ScenarioTable
{
public:
    static const QList<Scenario> &all();
    // The scenarios of a --scale run, at each size of the read data set, ours and raw:
    // read_global and read_stream on exactly the loaded events, then append_8w into the same
    // tables (ours into the read schema's store, raw into its read table), so that appends
    // meet indexes of that size.
    static const QList<Scenario> &scale();
    // nullptr for a name the table does not have.
    static const Scenario *find(const QString &name);
    static QStringList names();
};

} // namespace bench
