#include "jsonlineswriter.h"

#include <eventium/eventline.h>
#include <eventium/jsonline.h>

namespace eventium::cli {

QByteArray JsonLinesWriter::streamLine(const StreamInfo &stream)
{
    return JsonLine()
        .add("name", stream.name)
        .add("version", stream.version.value)
        .add("created", EventLine::timestamp(stream.created))
        .add("updated", EventLine::timestamp(stream.updated))
        .toJson();
}

void JsonLinesWriter::writeLine(const QByteArray &json)
{
    if (!m_ok)
        return;
    if (std::fwrite(json.constData(), 1, size_t(json.size()), m_out) != size_t(json.size())
        || std::fputc('\n', m_out) == EOF)
        m_ok = false;
}

void JsonLinesWriter::writeEvent(const RecordedEvent &event)
{
    writeLine(EventLine::format(event));
}

void JsonLinesWriter::writeStream(const StreamInfo &stream)
{
    writeLine(streamLine(stream));
}

void JsonLinesWriter::flush()
{
    if (std::fflush(m_out) != 0)
        m_ok = false;
}

} // namespace eventium::cli
