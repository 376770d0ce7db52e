#pragma once

#include "scenarioresult.h"

#include <QList>

namespace bench {

// What a --scale run measured at one size of the store: the rows of ScenarioTable::scale()'s
// scenarios (ours and raw) and how long loading the read data set took.
struct ScalePoint
{
    qint64 events = 0; // in the read data set when the scenarios began (append_8w adds its own)
    double oursLoadSeconds = 0;
    double rawLoadSeconds = 0;
    QList<ScenarioResult> results;
};

} // namespace bench
