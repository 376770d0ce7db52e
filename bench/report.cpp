#include "report.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <optional>
#include <utility>

namespace bench {

namespace {

std::optional<double> ratio(const std::optional<double> &a, const std::optional<double> &b)
{
    if (!a || !b || *b == 0)
        return std::nullopt;
    return *a / *b;
}

QString cell(const std::optional<double> &v, const QString &unit)
{
    return v ? Report::formatValue(*v, unit) : QStringLiteral("n/a");
}

QString ratioCell(const std::optional<double> &r)
{
    return r ? QStringLiteral("%1x").arg(*r, 0, 'f', 2) : QStringLiteral("n/a");
}

QJsonValue jsonNumber(const std::optional<double> &v)
{
    return v ? QJsonValue(*v) : QJsonValue(QJsonValue::Null);
}

} // namespace

QString Report::formatValue(double value, const QString &unit)
{
    if (unit == QLatin1String("ms"))
        return QString::number(value, 'f', value < 10 ? 2 : 1);
    return QString::number(value, 'f', 0);
}

QString Report::tableHeader()
{
    return QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8 %9")
        .arg(QStringLiteral("scenario"), -18)
        .arg(QStringLiteral("ours"), 11)
        .arg(QStringLiteral("raw"), 11)
        .arg(QStringLiteral("lock"), 11)
        .arg(QStringLiteral("peer"), 11)
        .arg(QStringLiteral("unit"), -9)
        .arg(QStringLiteral("ours/raw"), 9)
        .arg(QStringLiteral("ours/lock"), 10)
        .arg(QStringLiteral("ours/peer"), 10);
}

QString Report::tableRow(const ScenarioResult &r)
{
    if (!r.error.isEmpty())
        return QStringLiteral("%1 FAILED: %2").arg(r.name, -18).arg(r.error);
    // Counts are compared as they are: a ratio of 0 missed events to 12 says nothing.
    const auto ratioOf = [&r](const std::optional<double> &baseline) {
        return r.isCount() ? std::nullopt : ratio(r.ours, baseline);
    };
    QString line = QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8 %9")
                       .arg(r.name, -18)
                       .arg(cell(r.ours, r.unit), 11)
                       .arg(cell(r.raw, r.unit), 11)
                       .arg(cell(r.lock, r.unit), 11)
                       .arg(cell(r.peer, r.unit), 11)
                       .arg(r.unit, -9)
                       .arg(ratioCell(ratioOf(r.raw)), 9)
                       .arg(ratioCell(ratioOf(r.lock)), 10)
                       .arg(ratioCell(ratioOf(r.peer)), 10);
    if (!r.note.isEmpty())
        line += QStringLiteral("\n%1 (%2)").arg(QString(), -18).arg(r.note);
    return line;
}

QString Report::table(const QList<ScenarioResult> &results)
{
    QString out = tableHeader() + QLatin1Char('\n');
    out += QString(tableHeader().size(), QLatin1Char('-')) + QLatin1Char('\n');
    for (const ScenarioResult &r : results)
        out += tableRow(r) + QLatin1Char('\n');
    out += QStringLiteral("(events/s: higher is better; ms: lower is better, so there a ratio "
                          "above 1 means ours is slower; missed: events a live reader never "
                          "saw, over all rounds)\n");
    return out;
}

namespace {

// The scenarios of a --scale run in the order they ran, each with its rows by size.
QList<std::pair<QString, QList<std::pair<qint64, ScenarioResult>>>>
scaleCurves(const QList<ScalePoint> &points)
{
    QList<std::pair<QString, QList<std::pair<qint64, ScenarioResult>>>> curves;
    for (const ScalePoint &point : points) {
        for (const ScenarioResult &r : point.results) {
            auto it = std::find_if(curves.begin(), curves.end(),
                                   [&r](const auto &c) { return c.first == r.name; });
            if (it == curves.end())
                it = curves.insert(curves.end(), {r.name, {}});
            it->second.append({point.events, r});
        }
    }
    return curves;
}

} // namespace

QString Report::scaleTable(const QList<ScalePoint> &points)
{
    const QString header = QStringLiteral("%1 %2 %3 %4 %5 %6")
                               .arg(QStringLiteral("scenario"), -18)
                               .arg(QStringLiteral("events"), 11)
                               .arg(QStringLiteral("ours"), 11)
                               .arg(QStringLiteral("raw"), 11)
                               .arg(QStringLiteral("unit"), -9)
                               .arg(QStringLiteral("ours/raw"), 9);
    QString out
        = header + QLatin1Char('\n') + QString(header.size(), QLatin1Char('-')) + QLatin1Char('\n');
    for (const auto &[name, rows] : scaleCurves(points)) {
        for (const auto &[events, r] : rows) {
            if (!r.error.isEmpty()) {
                out += QStringLiteral("%1 %2 FAILED: %3\n")
                           .arg(name, -18)
                           .arg(events, 11)
                           .arg(r.error);
                continue;
            }
            out += QStringLiteral("%1 %2 %3 %4 %5 %6\n")
                       .arg(name, -18)
                       .arg(events, 11)
                       .arg(cell(r.ours, r.unit), 11)
                       .arg(cell(r.raw, r.unit), 11)
                       .arg(r.unit, -9)
                       .arg(ratioCell(ratio(r.ours, r.raw)), 9);
        }
    }
    for (const ScalePoint &point : points) {
        out += QStringLiteral("loading %1 events on the server: ours %2 s, raw %3 s\n")
                   .arg(point.events)
                   .arg(point.oursLoadSeconds, 0, 'f', 1)
                   .arg(point.rawLoadSeconds, 0, 'f', 1);
    }
    return out;
}

QByteArray Report::json(const QList<ScenarioResult> &results, const QList<ScalePoint> &scale)
{
    QJsonObject root;
    for (const ScenarioResult &r : results) {
        QJsonObject o;
        const bool failed = !r.error.isEmpty();
        o.insert(QStringLiteral("ours"), jsonNumber(failed ? std::nullopt : r.ours));
        o.insert(QStringLiteral("raw"), jsonNumber(failed ? std::nullopt : r.raw));
        o.insert(QStringLiteral("lock"), jsonNumber(failed ? std::nullopt : r.lock));
        o.insert(QStringLiteral("peer"), jsonNumber(failed ? std::nullopt : r.peer));
        o.insert(QStringLiteral("unit"), r.unit);
        const bool ratios = !failed && !r.isCount();
        o.insert(QStringLiteral("ratio_raw"),
                 jsonNumber(ratios ? ratio(r.ours, r.raw) : std::nullopt));
        o.insert(QStringLiteral("ratio_lock"),
                 jsonNumber(ratios ? ratio(r.ours, r.lock) : std::nullopt));
        o.insert(QStringLiteral("ratio_peer"),
                 jsonNumber(ratios ? ratio(r.ours, r.peer) : std::nullopt));
        if (!r.note.isEmpty())
            o.insert(QStringLiteral("note"), r.note);
        if (!r.wal.isEmpty()) {
            QJsonObject wal;
            for (const auto &[variant, figures] : r.wal)
                wal.insert(variantName(variant), figures.toJson());
            o.insert(QStringLiteral("wal"), wal);
        }
        if (failed)
            o.insert(QStringLiteral("error"), r.error);
        root.insert(r.name, o);
    }
    if (!scale.isEmpty()) {
        QJsonArray sizes;
        QJsonArray loads;
        for (const ScalePoint &point : scale) {
            sizes.append(double(point.events));
            loads.append(QJsonObject {{QStringLiteral("events"), double(point.events)},
                                      {QStringLiteral("ours"), point.oursLoadSeconds},
                                      {QStringLiteral("raw"), point.rawLoadSeconds}});
        }
        QJsonObject scenarios;
        for (const auto &[name, rows] : scaleCurves(scale)) {
            QJsonArray curve;
            QString unit;
            for (const auto &[events, r] : rows) {
                const bool failed = !r.error.isEmpty();
                unit = r.unit;
                QJsonObject o {{QStringLiteral("events"), double(events)},
                               {QStringLiteral("ours"), jsonNumber(failed ? std::nullopt : r.ours)},
                               {QStringLiteral("raw"), jsonNumber(failed ? std::nullopt : r.raw)},
                               {QStringLiteral("ratio"),
                                jsonNumber(failed ? std::nullopt : ratio(r.ours, r.raw))}};
                if (!r.note.isEmpty())
                    o.insert(QStringLiteral("note"), r.note);
                if (failed)
                    o.insert(QStringLiteral("error"), r.error);
                curve.append(o);
            }
            scenarios.insert(
                name,
                QJsonObject {{QStringLiteral("unit"), unit}, {QStringLiteral("points"), curve}});
        }
        root.insert(QStringLiteral("scale"),
                    QJsonObject {{QStringLiteral("sizes"), sizes},
                                 {QStringLiteral("load_seconds"), loads},
                                 {QStringLiteral("scenarios"), scenarios}});
    }
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

bool Report::writeJson(const QString &path, const QList<ScenarioResult> &results,
                       const QList<ScalePoint> &scale, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        *error = f.errorString();
        return false;
    }
    f.write(json(results, scale));
    return true;
}

} // namespace bench
