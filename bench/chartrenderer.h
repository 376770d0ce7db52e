#pragma once

#include "scalepoint.h"
#include "scenarioresult.h"

#include <QImage>
#include <QList>
#include <QString>

namespace bench {

// A bar chart of ours against the baselines, one group per scenario, each group normalised
// to its largest value and every bar labelled with its value; and a --scale run's line chart.
// Rendered offscreen (QImage and QPainter; needs a QGuiApplication, e.g. with
// QT_QPA_PLATFORM=offscreen).
class ChartRenderer
{
public:
    static QImage render(const QList<ScenarioResult> &results, const QString &subtitle);
    static bool save(const QList<ScenarioResult> &results, const QString &subtitle,
                     const QString &path, QString *error);
    // A --scale run's curves: one panel per scenario, its value against the size of the store
    // (log scale), a line for ours and one for raw, each point labelled, ours/raw under it.
    static QImage renderScale(const QList<ScalePoint> &points, const QString &subtitle);
    static bool saveScale(const QList<ScalePoint> &points, const QString &subtitle,
                          const QString &path, QString *error);
};

} // namespace bench
