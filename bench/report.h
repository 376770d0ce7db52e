#pragma once

#include "scalepoint.h"
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
    // With a --scale run's points, a "scale" section besides: {"scale": {"sizes": [n, ...],
    //  "load_seconds": [{"events": n, "ours": s, "raw": s}, ...], "scenarios": {"append_8w":
    //  {"unit": ..., "points": [{"events": n, "ours": x, "raw": y, "ratio": x/y}, ...]}, ...}}}
    static QByteArray json(const QList<ScenarioResult> &results,
                           const QList<ScalePoint> &scale = {});
    static bool writeJson(const QString &path, const QList<ScenarioResult> &results,
                          const QList<ScalePoint> &scale, QString *error);
    // A --scale run's curve: a row per scenario and size (ScenarioTable::scale()'s order),
    // then the load times.
    static QString scaleTable(const QList<ScalePoint> &points);
    static QString formatValue(double value, const QString &unit);
};

} // namespace bench
