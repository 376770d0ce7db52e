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
    // nullptr for a name the table does not have.
    static const Scenario *find(const QString &name);
    static QStringList names();
};

} // namespace bench
