#pragma once

#include <eventium/types.h>

#include <QList>
#include <QString>

#include <optional>

class QIODevice;

namespace eventium::cli {

// Reads events as JSON lines, one event a line:
//   {"type": "...", "data": {...}, "metadata": {...}, "id": "uuid"}
// (metadata and id optional; other members, a "stream" string too, are ignored, so `read`
// output can be piped back in): EventLine's format. data and metadata are kept as the exact JSON
// text given. Blank lines are skipped. The whole input is held: for a batch that is one append.
class StdinEventReader
{
public:
    // Reads everything from `device`; false with error() on the first bad line.
    bool read(QIODevice *device);
    // The same from a buffer.
    bool parse(const QByteArray &input);

    const QList<NewEvent> &events() const { return m_events; }
    const QString &error() const { return m_error; }

    // One line; nullopt with `why` set when it is not a valid event.
    static std::optional<NewEvent> parseLine(const QByteArray &line, QString *why);

private:
    QList<NewEvent> m_events;
    QString m_error;
};

} // namespace eventium::cli
