#include "eventium/toolkit/jsondiff.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QRegularExpression>

#include <algorithm>

namespace eventium::toolkit {

namespace {

QString memberPath(const QString &parent, const QString &name)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z_$][A-Za-z0-9_$]*$"));
    if (plain.match(name).hasMatch())
        return parent + QLatin1Char('.') + name;
    QString quoted = name;
    quoted.replace(QLatin1Char('\\'), QStringLiteral("\\\\"))
        .replace(QLatin1Char('"'), QStringLiteral("\\\""));
    return parent + QStringLiteral("[\"") + quoted + QStringLiteral("\"]");
}

void diff(const QJsonValue &before, const QJsonValue &after, const QString &path,
          QList<JsonChange> *out)
{
    if (before.isObject() && after.isObject()) {
        const QJsonObject a = before.toObject();
        const QJsonObject b = after.toObject();
        QStringList names = a.keys() + b.keys();
        std::sort(names.begin(), names.end());
        names.erase(std::unique(names.begin(), names.end()), names.end());
        for (const QString &name : names) {
            const QString at = memberPath(path, name);
            if (!b.contains(name))
                out->append({JsonChange::Kind::Removed, at, a.value(name), QJsonValue::Undefined});
            else if (!a.contains(name))
                out->append({JsonChange::Kind::Added, at, QJsonValue::Undefined, b.value(name)});
            else
                diff(a.value(name), b.value(name), at, out);
        }
        return;
    }
    if (before.isArray() && after.isArray()) {
        const QJsonArray a = before.toArray();
        const QJsonArray b = after.toArray();
        const qsizetype common = std::min(a.size(), b.size());
        for (qsizetype i = 0; i < common; ++i)
            diff(a.at(i), b.at(i), QStringLiteral("%1[%2]").arg(path).arg(i), out);
        for (qsizetype i = common; i < a.size(); ++i)
            out->append({JsonChange::Kind::Removed, QStringLiteral("%1[%2]").arg(path).arg(i),
                         a.at(i), QJsonValue::Undefined});
        for (qsizetype i = common; i < b.size(); ++i)
            out->append({JsonChange::Kind::Added, QStringLiteral("%1[%2]").arg(path).arg(i),
                         QJsonValue::Undefined, b.at(i)});
        return;
    }
    if (before != after)
        out->append({JsonChange::Kind::Changed, path, before, after});
}

Result<QJsonValue> parse(const QByteArray &text, const char *which)
{
    if (text.trimmed().isEmpty())
        return QJsonValue(QJsonValue::Null);
    // Wrapped, so that any JSON value (not only an object or array) parses.
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson("[" + text + "]", &error);
    if (error.error != QJsonParseError::NoError || !doc.isArray() || doc.array().size() != 1)
        return StoreError(StoreError::Kind::InvalidInput,
                          QStringLiteral("the %1 document is not JSON: %2")
                              .arg(QLatin1String(which), error.errorString()));
    return doc.array().at(0);
}

} // namespace

QList<JsonChange> jsonDiff(const QJsonValue &before, const QJsonValue &after)
{
    QList<JsonChange> out;
    diff(before, after, QStringLiteral("$"), &out);
    return out;
}

Result<QList<JsonChange>> jsonDiff(const QByteArray &before, const QByteArray &after)
{
    auto a = parse(before, "first");
    if (!a)
        return a.error();
    auto b = parse(after, "second");
    if (!b)
        return b.error();
    return jsonDiff(*a, *b);
}

QString kindName(JsonChange::Kind kind)
{
    switch (kind) {
    case JsonChange::Kind::Added:
        return QStringLiteral("added");
    case JsonChange::Kind::Removed:
        return QStringLiteral("removed");
    case JsonChange::Kind::Changed:
        return QStringLiteral("changed");
    }
    return {};
}

QByteArray compactJson(const QJsonValue &value)
{
    // Wrapped in an array, the one container QJsonDocument takes that holds any value.
    return QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
}

Result<std::optional<RecordedEvent>> previousOfType(Store &store, const RecordedEvent &event)
{
    constexpr int page = 1000;
    const StreamName stream(event.stream);
    for (qint64 from = event.version.value - 1; from >= 1;) {
        auto events = store.readStream(stream, StreamVersion(from), Direction::Backward, page);
        if (!events)
            return events.error();
        for (const RecordedEvent &e : *events) {
            if (e.type == event.type && e.version.value < event.version.value)
                return std::optional<RecordedEvent>(e);
        }
        if (events->size() < page)
            break;
        from = events->last().version.value - 1;
    }
    return std::optional<RecordedEvent>();
}

} // namespace eventium::toolkit
