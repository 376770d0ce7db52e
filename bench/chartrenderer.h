#pragma once

#include "scenarioresult.h"

#include <QImage>
#include <QList>
#include <QString>

namespace bench {

// A bar chart of ours against the baselines, one group per scenario, each group normalised
// to its largest value and every bar labelled with its value. Rendered offscreen (QImage and
// QPainter; needs a QGuiApplication, e.g. with QT_QPA_PLATFORM=offscreen).
class ChartRenderer
{
public:
    static QImage render(const QList<ScenarioResult> &results, const QString &subtitle);
    static bool save(const QList<ScenarioResult> &results, const QString &subtitle,
                     const QString &path, QString *error);
};

} // namespace bench
