#pragma once

#include "scenarioresult.h"

#include <QList>
#include <QString>

namespace bench {

// The results as a human table and as JSON.
class Report
{
public:
    static QString tableHeader();
    static QString tableRow(const ScenarioResult &result);
    static QString table(const QList<ScenarioResult> &results);
    // {"scenario": {"ours": x, "raw": y, "lock": z, "peer": p, "unit": ..., "ratio_raw": x/y,
    //  "ratio_lock": x/z, "ratio_peer": x/p}}, null where n/a (ratios also for counts).
    static QByteArray json(const QList<ScenarioResult> &results);
    static bool writeJson(const QString &path, const QList<ScenarioResult> &results,
                          QString *error);
    static QString formatValue(double value, const QString &unit);
};

} // namespace bench
