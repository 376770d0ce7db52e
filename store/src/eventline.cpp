#include "eventium/eventline.h"

#include "eventium/jsonline.h"
#include "rawjsonobject.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace eventium {

namespace {

// The string a raw JSON string literal stands for; nullopt when it is not a string.
std::optional<QString> jsonString(const QByteArray &raw)
{
    if (!raw.startsWith('"'))
        return std::nullopt;
    const QJsonArray array = QJsonDocument::fromJson('[' + raw + ']').array();
    if (array.size() != 1 || !array.at(0).isString())
        return std::nullopt;
    return array.at(0).toString();
}

} // namespace

QString EventLine::timestamp(const QDateTime &time)
{
    if (!time.isValid())
        return {};
    return time.toUTC().toString(Qt::ISODateWithMs);
}

QByteArray EventLine::format(const RecordedEvent &event)
{
    JsonLine line;
    if (event.position.value > 0)
        line.add("position", event.position.value);
    else
        line.addNull("position");
    line.add("stream", event.stream)
        .add("version", event.version.value)
        .add("id", event.id.toString(QUuid::WithoutBraces))
        .add("type", event.type)
        .addRaw("data", event.data)
        .addRaw("metadata", event.metadata)
        .add("created", timestamp(event.created));
    if (event.isErased())
        line.add("erased", timestamp(event.erased));
    return line.toJson();
}

bool EventLine::isBlank(const QByteArray &line)
{
    return line.trimmed().isEmpty() && !line.contains('\0');
}

std::optional<EventLine::Parsed> EventLine::parse(const QByteArray &line, QString *why)
{
    RawJsonObject object;
    if (QString problem = object.parse(line); !problem.isEmpty()) {
        *why = problem;
        return std::nullopt;
    }
    Parsed out;
    NewEvent &event = out.event;
    const auto type = jsonString(object.raw(QStringLiteral("type")));
    if (!type) {
        *why = QStringLiteral("needs \"type\" as a string");
        return std::nullopt;
    }
    event.type = *type;
    if (!object.contains(QStringLiteral("data"))) {
        *why = QStringLiteral("needs \"data\"");
        return std::nullopt;
    }
    event.data = object.raw(QStringLiteral("data"));
    const QByteArray metadata = object.raw(QStringLiteral("metadata"));
    event.metadata = metadata == "null" ? QByteArray() : metadata;
    const QByteArray id = object.raw(QStringLiteral("id"));
    if (!id.isEmpty() && id != "null") {
        const auto text = jsonString(id);
        const QUuid uuid = text ? QUuid::fromString(*text) : QUuid();
        if (uuid.isNull()) {
            *why = QStringLiteral("\"id\" is not a UUID");
            return std::nullopt;
        }
        event.id = uuid;
    }
    const QByteArray stream = object.raw(QStringLiteral("stream"));
    if (!stream.isEmpty() && stream != "null") {
        const auto text = jsonString(stream);
        if (!text) {
            *why = QStringLiteral("\"stream\" is not a string");
            return std::nullopt;
        }
        out.stream = *text;
    }
    return out;
}

} // namespace eventium
