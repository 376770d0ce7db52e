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

    // position (null while unnumbered), stream, version, id, type, data, metadata, created.
    static QByteArray eventLine(const RecordedEvent &event);
    static QByteArray streamLine(const StreamInfo &stream);
    // ISO 8601 in UTC with milliseconds: 2024-05-01T12:00:00.123Z
    static QString timestamp(const QDateTime &time);

private:
    std::FILE *m_out;
    bool m_ok = true;
};

} // namespace eventium::cli
