#include "stdineventreader.h"

#include "rawjsonobject.h"

#include <QIODevice>
#include <QJsonArray>
#include <QJsonDocument>

namespace eventium::cli {

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

std::optional<NewEvent> StdinEventReader::parseLine(const QByteArray &line, QString *why)
{
    RawJsonObject object;
    if (QString problem = object.parse(line); !problem.isEmpty()) {
        *why = problem;
        return std::nullopt;
    }
    NewEvent event;
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
    return event;
}

bool StdinEventReader::parse(const QByteArray &input)
{
    m_events.clear();
    m_error.clear();
    const QList<QByteArray> lines = input.split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        QByteArray line = lines.at(i);
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.trimmed().isEmpty() && !line.contains('\0'))
            continue;
        QString why;
        auto event = parseLine(line, &why);
        if (!event) {
            m_error = QStringLiteral("stdin line %1: %2").arg(i + 1).arg(why);
            m_events.clear();
            return false;
        }
        m_events.append(*event);
    }
    return true;
}

bool StdinEventReader::read(QIODevice *device)
{
    return parse(device->readAll());
}

} // namespace eventium::cli
