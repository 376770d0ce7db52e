#include "stdineventreader.h"

#include <eventium/eventline.h>

#include <QIODevice>

namespace eventium::cli {

std::optional<NewEvent> StdinEventReader::parseLine(const QByteArray &line, QString *why)
{
    auto parsed = EventLine::parse(line, why);
    if (!parsed)
        return std::nullopt;
    return parsed->event;
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
        if (EventLine::isBlank(line))
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
