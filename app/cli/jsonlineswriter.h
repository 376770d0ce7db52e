#pragma once

#include <eventium/types.h>

#include <QByteArray>

#include <cstdio>

namespace eventium::cli {

// Writes JSON lines (one compact object per line) to a stdio stream, buffered; flush() after
// each batch a reader may be waiting for.
class JsonLinesWriter
{
public:
    explicit JsonLinesWriter(std::FILE *out = stdout)
        : m_out(out)
    {
    }

    void writeLine(const QByteArray &json);
    void writeEvent(const RecordedEvent &event);
    void writeStream(const StreamInfo &stream);
    void flush();
    // False after a failed write (a closed pipe, a full disk).
    bool ok() const { return m_ok; }

    // name, version, created, updated. (Events are written in EventLine's format.)
    static QByteArray streamLine(const StreamInfo &stream);

private:
    std::FILE *m_out;
    bool m_ok = true;
};

} // namespace eventium::cli
