#include "appendencoding.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QRandomGenerator>

#include <numeric>
#include <optional>

namespace eventium::appendencoding {

namespace {

constexpr int kMaxTypeLength = 255;

struct JsonProblem
{
    StoreError::Kind kind;
    QString why;
};

// Nothing when `json` is one valid JSON value jsonb will accept; otherwise what is wrong.
std::optional<JsonProblem> jsonProblem(const QByteArray &json)
{
    if (json.contains('\0'))
        return JsonProblem {StoreError::Kind::InvalidInput, QStringLiteral("contains a NUL byte")};
    QJsonParseError error;
    // Wrapping in an array lets a scalar stand at the top level.
    const QByteArray wrapped = '[' + json + ']';
    const QJsonDocument doc = QJsonDocument::fromJson(wrapped, &error);
    if (error.error != QJsonParseError::NoError)
        return JsonProblem {StoreError::Kind::InvalidJson,
                            QStringLiteral("is not valid JSON: %1 at offset %2")
                                .arg(error.errorString())
                                .arg(qMax(0, error.offset - 1))};
    if (doc.array().size() != 1)
        return JsonProblem {StoreError::Kind::InvalidJson, QStringLiteral("is not one JSON value")};
    // jsonb cannot store U+0000: look for an escaped \u0000 (an odd run of backslashes).
    for (qsizetype at = json.indexOf("u0000"); at >= 0; at = json.indexOf("u0000", at + 1)) {
        qsizetype slashes = 0;
        while (at - 1 - slashes >= 0 && json.at(at - 1 - slashes) == '\\')
            ++slashes;
        if (slashes % 2 == 1)
            return JsonProblem {
                StoreError::Kind::InvalidInput,
                QStringLiteral("contains \\u0000, which PostgreSQL's jsonb cannot store")};
    }
    for (qsizetype at = json.indexOf("U0000"); at >= 0; at = json.indexOf("U0000", at + 1)) {
        if (at > 0 && json.at(at - 1) == '\\')
            return JsonProblem {StoreError::Kind::InvalidInput,
                                QStringLiteral("contains an invalid escape \\U0000")};
    }
    return std::nullopt;
}

// One element of a PostgreSQL array literal, quoted.
void appendArrayElement(QByteArray &out, const QByteArray &text)
{
    out += '"';
    for (const char c : text) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    out += '"';
}

QByteArray payloadOf(const NewEvent &e)
{
    return e.data.trimmed().isEmpty() ? QByteArray("{}") : e.data;
}

QString where(const QList<NewEvent> &events, qsizetype i)
{
    return events.size() > 1 ? QStringLiteral("event %1: ").arg(i + 1) : QString();
}

} // namespace

int jsonDepth(const QByteArray &json)
{
    int depth = 0;
    int deepest = 0;
    bool inString = false;
    for (qsizetype i = 0; i < json.size(); ++i) {
        const char c = json.at(i);
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '"')
            inString = true;
        else if (c == '{' || c == '[')
            deepest = std::max(deepest, ++depth);
        else if (c == '}' || c == ']')
            --depth;
    }
    return deepest;
}

QString typeProblem(const QString &type)
{
    if (type.isEmpty())
        return QStringLiteral("an event type cannot be empty");
    if (type.size() > kMaxTypeLength)
        return QStringLiteral("an event type is at most %1 characters").arg(kMaxTypeLength);
    for (const QChar c : type) {
        if (isControl(c))
            return QStringLiteral("an event type cannot contain control characters");
    }
    return {};
}

QUuid newEventId()
{
    QByteArray bytes(16, Qt::Uninitialized);
    const quint64 ms = quint64(QDateTime::currentMSecsSinceEpoch());
    for (int i = 0; i < 6; ++i)
        bytes[i] = char((ms >> (8 * (5 - i))) & 0xff);
    QRandomGenerator *rng = QRandomGenerator::global();
    const quint64 r1 = rng->generate64();
    const quint32 r2 = rng->generate();
    for (int i = 6; i < 14; ++i)
        bytes[i] = char((r1 >> (8 * (i - 6))) & 0xff);
    bytes[14] = char(r2 & 0xff);
    bytes[15] = char((r2 >> 8) & 0xff);
    bytes[6] = char((bytes[6] & 0x0f) | 0x70); // version 7
    bytes[8] = char((bytes[8] & 0x3f) | 0x80); // RFC 4122 variant
    return QUuid::fromRfc4122(bytes);
}

QList<QUuid> assignIds(const QList<NewEvent> &events)
{
    QList<QUuid> ids;
    ids.reserve(events.size());
    for (const NewEvent &e : events)
        ids.append(e.id.isNull() ? newEventId() : e.id);
    return ids;
}

Result<QList<QByteArray>> encodeBatch(const QList<NewEvent> &events, const QList<QUuid> &ids,
                                      qint64 maxEventBytes)
{
    const qsizetype payload = std::accumulate(
        events.begin(), events.end(), qsizetype(0),
        [](qsizetype n, const NewEvent &e) { return n + e.data.size() + e.metadata.size(); });
    QByteArray idList, typeList, dataList, metaList;
    idList.reserve(events.size() * 38 + 2);
    typeList.reserve(events.size() * 24 + 2);
    dataList.reserve(payload + payload / 8 + events.size() * 3 + 2);
    metaList.reserve(events.size() * 8 + 2);
    idList += '{';
    typeList += '{';
    dataList += '{';
    metaList += '{';
    for (qsizetype i = 0; i < events.size(); ++i) {
        const NewEvent &e = events.at(i);
        if (QString why = typeProblem(e.type); !why.isEmpty())
            return StoreError(StoreError::Kind::InvalidInput, where(events, i) + why);
        const qint64 bytes = e.data.size() + e.metadata.size();
        if (bytes > maxEventBytes)
            return StoreError(
                StoreError::Kind::PayloadTooLarge,
                QStringLiteral("%1payload and metadata are %2 bytes, over the limit of %3 bytes")
                    .arg(where(events, i))
                    .arg(bytes)
                    .arg(maxEventBytes));
        for (const auto &[json, what] :
             {std::pair {&e.data, "payload"}, {&e.metadata, "metadata"}}) {
            if (jsonDepth(*json) > NewEvent::maxJsonDepth)
                return StoreError(StoreError::Kind::InvalidJson,
                                  where(events, i)
                                      + QStringLiteral("the %1 is nested deeper than %2 levels")
                                            .arg(QLatin1String(what))
                                            .arg(NewEvent::maxJsonDepth));
        }
        // A NUL byte cannot travel in a text parameter at all: refuse it here.
        if (e.data.contains('\0'))
            return StoreError(StoreError::Kind::InvalidInput,
                              where(events, i) + QStringLiteral("the payload contains a NUL byte"));
        if (e.metadata.contains('\0'))
            return StoreError(StoreError::Kind::InvalidInput,
                              where(events, i)
                                  + QStringLiteral("the metadata contains a NUL byte"));
        if (i) {
            idList += ',';
            typeList += ',';
            dataList += ',';
            metaList += ',';
        }
        idList += ids.at(i).toByteArray(QUuid::WithoutBraces);
        appendArrayElement(typeList, e.type.toUtf8());
        appendArrayElement(dataList, payloadOf(e));
        if (e.metadata.trimmed().isEmpty())
            metaList += "NULL";
        else
            appendArrayElement(metaList, e.metadata);
    }
    idList += '}';
    typeList += '}';
    dataList += '}';
    metaList += '}';
    return QList<QByteArray> {idList, typeList, dataList, metaList};
}

StoreError diagnoseBatch(const QList<NewEvent> &events, const StoreError &serverError)
{
    for (qsizetype i = 0; i < events.size(); ++i) {
        const NewEvent &e = events.at(i);
        const QList<std::pair<QString, QByteArray>> parts {
            {QStringLiteral("the payload "), payloadOf(e)},
            {QStringLiteral("the metadata "),
             e.metadata.trimmed().isEmpty() ? QByteArray() : e.metadata}};
        for (const auto &[what, json] : parts) {
            if (json.isNull())
                continue;
            if (auto problem = jsonProblem(json))
                return StoreError(problem->kind, where(events, i) + what + problem->why,
                                  serverError.sqlState());
        }
    }
    return serverError;
}

} // namespace eventium::appendencoding
