#pragma once

#include "scenario.h"

#include <QStringList>

namespace bench {

// ui_stall: the longest time the browser's UI thread does not get back to its event loop
// (measured by a 1 ms timer: the largest gap between two of its ticks, less the 1 ms) while
// a user works with big events: the browser (offscreen) opens a stream on the bench server
// and selects, scrolls (text and tree) and switches between a payload of many objects
// (BenchConfig::stallArrayBytes), one long string (stallStringBytes) and an array of
// stallElements numbers, then pastes stallPasteBytes of one-line JSON into the append dialog.
// "ours" does this with the big events; the baseline ("raw" column) does the same with small
// events, the floor of this machine's event loop. Target: no stall over 50 ms.
class UiStallScenario
{
public:
    // ui_stall (the longest over all actions), then one row per action.
    static QStringList rows();
    static bool measureBig(const Round &round, QString *error);
    static bool measureSmall(const Round &round, QString *error);
    static QString progress(int round, const Samples &samples);
    static QList<ScenarioResult> summarize(const BenchContext &context, const Scenario &scenario,
                                           const Samples &samples);
};

} // namespace bench
