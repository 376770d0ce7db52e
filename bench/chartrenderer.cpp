#include "chartrenderer.h"

#include "report.h"

#include <QFont>
#include <QFontMetrics>
#include <QPainter>

#include <QPainterPath>

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>

namespace bench {

QImage ChartRenderer::render(const QList<ScenarioResult> &input, const QString &subtitle)
{
    QList<ScenarioResult> results;
    for (const ScenarioResult &r : input) {
        if (r.error.isEmpty())
            results.append(r);
    }
    // Rows of at most `perRow` scenarios, so that the whole suite stays readable on a page.
    const int groupWidth = 210;
    const int perRow = 7;
    const int left = 40, right = 40, top = 90, bottom = 110;
    const int plotHeight = 260;
    const int columns = std::max(1, std::min(perRow, int(results.size())));
    const int rows = std::max(1, (int(results.size()) + perRow - 1) / perRow);
    const int width = std::max(800, left + right + groupWidth * columns);
    const int height = top + rows * (plotHeight + bottom);
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

    const QString title = QStringLiteral("Eventium store vs. plain PostgreSQL (raw), the "
                                         "table-lock design (lock) and an advisory lock with a "
                                         "bigserial (peer)");
    // As large as fits the width (a chart of few scenarios is narrow).
    while (titleFont.pixelSize() > 12
           && QFontMetrics(titleFont).horizontalAdvance(title) > width - 20)
        titleFont.setPixelSize(titleFont.pixelSize() - 1);
    p.setFont(titleFont);
    p.setPen(Qt::black);
    p.drawText(QRect(0, 10, width, 30), Qt::AlignCenter, title);
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

    const int barWidth = 40;
    for (qsizetype g = 0; g < results.size(); ++g) {
        const ScenarioResult &r = results.at(g);
        const int column = int(g) % perRow;
        const int baseY = top + (int(g) / perRow) * (plotHeight + bottom) + plotHeight;
        if (column == 0) {
            p.setPen(QPen(Qt::black, 1));
            p.drawLine(left, baseY, width - right, baseY);
        }
        const std::array<std::optional<double>, bars> values {r.ours, r.raw, r.lock, r.peer};
        double maxValue = 0;
        for (const auto &v : values)
            maxValue = std::max(maxValue, v.value_or(0));
        const int gx
            = left + column * groupWidth + (groupWidth - bars * barWidth - (bars - 1) * 6) / 2;
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
        const QRect nameRect(left + column * groupWidth, baseY + 8, groupWidth, 20);
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

namespace {

// 100000 as "100k", 10000000 as "10M".
QString sizeLabel(qint64 events)
{
    if (events >= 1000000 && events % 100000 == 0)
        return QStringLiteral("%1M").arg(double(events) / 1e6, 0, 'g', 3);
    if (events >= 1000 && events % 100 == 0)
        return QStringLiteral("%1k").arg(double(events) / 1e3, 0, 'g', 3);
    return QString::number(events);
}

QString valueLabel(double value, const QString &unit)
{
    if (unit != QLatin1String("ms") && value >= 10000)
        return QStringLiteral("%1k").arg(value / 1000.0, 0, 'f', value >= 100000 ? 0 : 1);
    return Report::formatValue(value, unit);
}

// An axis value: 80k rather than 80.0k.
QString tickLabel(double value, const QString &unit)
{
    if (unit != QLatin1String("ms") && value >= 10000)
        return QStringLiteral("%1k").arg(value / 1000.0, 0, 'g', 6);
    return unit == QLatin1String("ms") ? QString::number(value, 'g', 6)
                                       : QString::number(value, 'f', 0);
}

// The smallest of 1, 2 or 5 times a power of ten at or above `value`.
double niceCeiling(double value)
{
    if (value <= 0)
        return 1;
    const double power = std::pow(10.0, std::floor(std::log10(value)));
    for (const double step : {1.0, 2.0, 5.0, 10.0}) {
        if (step * power >= value)
            return step * power;
    }
    return 10 * power;
}

struct Curve
{
    QString name;
    QString unit;
    QList<qint64> sizes;
    QList<std::optional<double>> ours;
    QList<std::optional<double>> raw;
};

} // namespace

QImage ChartRenderer::renderScale(const QList<ScalePoint> &points, const QString &subtitle)
{
    // The curves, in the order the scenarios ran.
    QList<Curve> curves;
    for (const ScalePoint &point : points) {
        for (const ScenarioResult &r : point.results) {
            auto it = std::find_if(curves.begin(), curves.end(),
                                   [&r](const Curve &c) { return c.name == r.name; });
            if (it == curves.end()) {
                it = curves.insert(curves.end(), Curve {});
                it->name = r.name;
                it->unit = r.unit;
            }
            const bool ok = r.error.isEmpty();
            it->sizes.append(point.events);
            it->ours.append(ok ? r.ours : std::nullopt);
            it->raw.append(ok ? r.raw : std::nullopt);
        }
    }
    qint64 minSize = 0;
    qint64 maxSize = 0;
    for (const ScalePoint &point : points) {
        minSize = minSize == 0 ? point.events : std::min(minSize, point.events);
        maxSize = std::max(maxSize, point.events);
    }
    const double logMin = std::log10(double(std::max<qint64>(1, minSize)));
    const double logMax = std::log10(double(std::max<qint64>(1, maxSize)));
    const double pad = logMax > logMin ? 0.15 * (logMax - logMin) : 0.5;
    const double xFrom = logMin - pad;
    const double xTo = logMax + pad;

    const int panelWidth = 400;
    const int left = 20, right = 20, top = 100, bottom = 20;
    const int plotLeft = 70, plotRight = 20, plotTop = 40, plotBottom = 90;
    const int plotHeight = 300;
    const int panelHeight = plotTop + plotHeight + plotBottom;
    const int width = std::max(800, left + right + panelWidth * int(curves.size()));
    const int height = top + panelHeight + bottom;
    QImage image(width, height, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    p.setRenderHint(QPainter::TextAntialiasing);

    QFont titleFont = p.font();
    titleFont.setPixelSize(20);
    titleFont.setBold(true);
    QFont panelFont = p.font();
    panelFont.setPixelSize(15);
    panelFont.setBold(true);
    QFont smallFont = p.font();
    smallFont.setPixelSize(12);

    p.setFont(titleFont);
    p.setPen(Qt::black);
    p.drawText(QRect(0, 10, width, 30), Qt::AlignCenter,
               QStringLiteral("How cost grows with the store: Eventium (ours) vs. plain "
                              "PostgreSQL (raw)"));
    p.setFont(smallFont);
    p.drawText(QRect(0, 40, width, 20), Qt::AlignCenter, subtitle);

    const std::array<QColor, 2> colors {QColor(0x2e, 0x7d, 0x32), QColor(0x15, 0x65, 0xc0)};
    const std::array<QString, 2> names {QStringLiteral("ours"), QStringLiteral("raw")};
    for (int i = 0; i < 2; ++i) {
        const int lx = width - right - 2 * 80 + i * 80;
        p.setPen(QPen(colors[i], 3));
        p.drawLine(lx, 73, lx + 16, 73);
        p.setPen(Qt::black);
        p.drawText(QRect(lx + 20, 63, 60, 20), Qt::AlignLeft | Qt::AlignVCenter, names[i]);
    }

    for (qsizetype c = 0; c < curves.size(); ++c) {
        const Curve &curve = curves.at(c);
        const QRect plot(left + int(c) * panelWidth + plotLeft, top + plotTop,
                         panelWidth - plotLeft - plotRight, plotHeight);
        double maxValue = 0;
        for (const auto &values : {curve.ours, curve.raw}) {
            for (const auto &v : values)
                maxValue = std::max(maxValue, v.value_or(0));
        }
        const double yMax = niceCeiling(maxValue * 1.15);
        const auto xOf = [&](qint64 size) {
            const double share
                = (std::log10(double(std::max<qint64>(1, size))) - xFrom) / (xTo - xFrom);
            return plot.left() + share * plot.width();
        };
        const auto yOf = [&](double value) { return plot.bottom() - value / yMax * plot.height(); };

        p.setFont(panelFont);
        p.setPen(Qt::black);
        p.drawText(QRect(plot.left(), top - 5, plot.width(), 24), Qt::AlignCenter, curve.name);
        p.setFont(smallFont);
        p.setPen(Qt::darkGray);
        p.drawText(QRect(plot.left(), top + 17, plot.width(), 16), Qt::AlignCenter,
                   curve.unit == QLatin1String("ms")
                       ? QStringLiteral("ms per read, lower is better")
                       : QStringLiteral("%1, higher is better").arg(curve.unit));

        // Horizontal grid lines with their values, the axes, the sizes below.
        p.setFont(smallFont);
        for (int i = 0; i <= 5; ++i) {
            const double value = yMax * i / 5;
            const int y = int(std::lround(yOf(value)));
            p.setPen(QPen(QColor(0xe0, 0xe0, 0xe0), 1));
            p.drawLine(plot.left(), y, plot.right(), y);
            p.setPen(Qt::darkGray);
            p.drawText(QRect(plot.left() - plotLeft, y - 8, plotLeft - 6, 16),
                       Qt::AlignRight | Qt::AlignVCenter, tickLabel(value, curve.unit));
        }
        p.setPen(QPen(Qt::black, 1));
        p.drawLine(plot.bottomLeft(), plot.bottomRight());
        p.drawLine(plot.bottomLeft(), plot.topLeft());
        for (const qint64 size : curve.sizes) {
            const int x = int(std::lround(xOf(size)));
            p.drawLine(x, plot.bottom(), x, plot.bottom() + 4);
            p.drawText(QRect(x - 40, plot.bottom() + 6, 80, 16), Qt::AlignCenter, sizeLabel(size));
        }
        p.setPen(Qt::darkGray);
        p.drawText(QRect(plot.left(), plot.bottom() + 24, plot.width(), 16), Qt::AlignCenter,
                   QStringLiteral("events in the store (log scale)"));

        // The lines, each point labelled: above it for the higher of the two at that size,
        // below it for the lower, so that close points' labels do not overlap.
        for (int v = 0; v < 2; ++v) {
            const QList<std::optional<double>> &values = v == 0 ? curve.ours : curve.raw;
            QPainterPath path;
            bool started = false;
            for (qsizetype i = 0; i < values.size(); ++i) {
                if (!values.at(i)) {
                    started = false;
                    continue;
                }
                const QPointF point(xOf(curve.sizes.at(i)), yOf(*values.at(i)));
                if (started)
                    path.lineTo(point);
                else
                    path.moveTo(point);
                started = true;
            }
            p.setPen(QPen(colors[v], 2.5));
            p.setBrush(Qt::NoBrush);
            p.drawPath(path);
            p.setBrush(colors[v]);
            for (qsizetype i = 0; i < values.size(); ++i) {
                if (!values.at(i))
                    continue;
                const QPointF point(xOf(curve.sizes.at(i)), yOf(*values.at(i)));
                p.setPen(Qt::NoPen);
                p.drawEllipse(point, 4, 4);
                p.setPen(colors[v]);
                const std::optional<double> &other = (v == 0 ? curve.raw : curve.ours).at(i);
                const bool above
                    = !other || *values.at(i) > *other || (*values.at(i) == *other && v == 0);
                const QRectF label(point.x() - 40, above ? point.y() - 22 : point.y() + 6, 80, 16);
                p.drawText(label, Qt::AlignCenter, valueLabel(*values.at(i), curve.unit));
            }
            p.setBrush(Qt::NoBrush);
        }

        // ours/raw at each size.
        QStringList ratios;
        for (qsizetype i = 0; i < curve.sizes.size(); ++i) {
            if (curve.ours.at(i) && curve.raw.at(i) && *curve.raw.at(i) > 0)
                ratios << QStringLiteral("%1: %2")
                              .arg(sizeLabel(curve.sizes.at(i)))
                              .arg(*curve.ours.at(i) / *curve.raw.at(i), 0, 'f', 2);
        }
        p.setPen(Qt::black);
        p.drawText(
            QRect(plot.left() - plotLeft / 2, plot.bottom() + 44, plot.width() + plotLeft / 2, 16),
            Qt::AlignCenter, QStringLiteral("ours/raw  %1").arg(ratios.join(QStringLiteral(", "))));
    }
    p.end();
    return image;
}

bool ChartRenderer::saveScale(const QList<ScalePoint> &points, const QString &subtitle,
                              const QString &path, QString *error)
{
    const QImage image = renderScale(points, subtitle);
    if (!image.save(path, "PNG")) {
        *error = QStringLiteral("cannot write %1").arg(path);
        return false;
    }
    return true;
}

} // namespace bench
