#include "chartrenderer.h"

#include "report.h"

#include <QFont>
#include <QPainter>

#include <algorithm>
#include <array>
#include <optional>

namespace bench {

QImage ChartRenderer::render(const QList<ScenarioResult> &input, const QString &subtitle)
{
    QList<ScenarioResult> results;
    for (const ScenarioResult &r : input) {
        if (r.error.isEmpty())
            results.append(r);
    }
    const int groupWidth = 210;
    const int left = 40, right = 40, top = 90, bottom = 130;
    const int plotHeight = 360;
    const int width = std::max(800, left + right + groupWidth * int(results.size()));
    const int height = top + plotHeight + bottom;
    QImage image(width, height, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    p.setRenderHint(QPainter::TextAntialiasing);

    QFont titleFont = p.font();
    titleFont.setPixelSize(20);
    titleFont.setBold(true);
    QFont smallFont = p.font();
    smallFont.setPixelSize(12);
    QFont labelFont = p.font();
    labelFont.setPixelSize(13);

    p.setFont(titleFont);
    p.setPen(Qt::black);
    p.drawText(QRect(0, 10, width, 30), Qt::AlignCenter,
               QStringLiteral("Eventium store vs. plain PostgreSQL (raw), the table-lock design "
                              "(lock) and an advisory lock with a bigserial (peer)"));
    p.setFont(smallFont);
    p.drawText(QRect(0, 40, width, 20), Qt::AlignCenter, subtitle);

    constexpr int bars = 4;
    const std::array<QColor, bars> colors {QColor(0x2e, 0x7d, 0x32), QColor(0x15, 0x65, 0xc0),
                                           QColor(0x9e, 0x9e, 0x9e), QColor(0xef, 0x6c, 0x00)};
    const std::array<QString, bars> names {QStringLiteral("ours"), QStringLiteral("raw"),
                                           QStringLiteral("lock"), QStringLiteral("peer")};
    // Legend.
    int lx = width - right - bars * 80;
    for (int i = 0; i < bars; ++i) {
        p.fillRect(QRect(lx + i * 80, 66, 14, 14), colors[i]);
        p.setPen(Qt::black);
        p.drawText(QRect(lx + i * 80 + 18, 62, 60, 20), Qt::AlignLeft | Qt::AlignVCenter, names[i]);
    }

    const int baseY = top + plotHeight;
    p.setPen(QPen(Qt::black, 1));
    p.drawLine(left, baseY, width - right, baseY);
    const int barWidth = 40;
    for (qsizetype g = 0; g < results.size(); ++g) {
        const ScenarioResult &r = results.at(g);
        const std::array<std::optional<double>, bars> values {r.ours, r.raw, r.lock, r.peer};
        double maxValue = 0;
        for (const auto &v : values)
            maxValue = std::max(maxValue, v.value_or(0));
        const int gx
            = left + int(g) * groupWidth + (groupWidth - bars * barWidth - (bars - 1) * 6) / 2;
        for (int i = 0; i < bars; ++i) {
            const int x = gx + i * (barWidth + 6);
            if (!values[i]) {
                p.setPen(Qt::darkGray);
                p.setFont(smallFont);
                p.drawText(QRect(x - 5, baseY - 20, barWidth + 10, 18), Qt::AlignCenter,
                           QStringLiteral("n/a"));
                continue;
            }
            const double share = maxValue > 0 ? *values[i] / maxValue : 0;
            const int h = std::max(1, int(share * (plotHeight - 30)));
            p.fillRect(QRect(x, baseY - h, barWidth, h), colors[i]);
            p.setPen(Qt::black);
            p.setFont(smallFont);
            QString label = Report::formatValue(*values[i], r.unit);
            if (r.higherIsBetter() && *values[i] >= 10000)
                label = QStringLiteral("%1k").arg(*values[i] / 1000.0, 0, 'f',
                                                  *values[i] >= 100000 ? 0 : 1);
            p.drawText(QRect(x - 15, baseY - h - 18, barWidth + 30, 16), Qt::AlignCenter, label);
        }
        p.setFont(labelFont);
        p.setPen(Qt::black);
        const QRect nameRect(left + int(g) * groupWidth, baseY + 8, groupWidth, 20);
        p.drawText(nameRect, Qt::AlignCenter, r.name);
        p.setFont(smallFont);
        p.setPen(Qt::darkGray);
        const QString unit = r.isCount()    ? QStringLiteral("missed events, lower is better")
            : r.unit == QLatin1String("ms") ? QStringLiteral("ms, lower is better")
                                            : QStringLiteral("events/s");
        p.drawText(nameRect.translated(0, 18), Qt::AlignCenter, unit);
        // One line per baseline with a value (counts are compared as they are).
        int line = 0;
        for (int i = 1; i < bars && !r.isCount(); ++i) {
            if (!values[i] || !r.ours || *values[i] <= 0)
                continue;
            ++line;
            p.drawText(
                nameRect.translated(0, 18 + 18 * line), Qt::AlignCenter,
                QStringLiteral("ours/%1 %2").arg(names[i]).arg(*r.ours / *values[i], 0, 'f', 2));
        }
    }
    p.end();
    return image;
}

bool ChartRenderer::save(const QList<ScenarioResult> &results, const QString &subtitle,
                         const QString &path, QString *error)
{
    const QImage image = render(results, subtitle);
    if (!image.save(path, "PNG")) {
        *error = QStringLiteral("cannot write %1").arg(path);
        return false;
    }
    return true;
}

} // namespace bench
