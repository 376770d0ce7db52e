#include "jsonlineswriter.h"

#include "jsonline.h"

namespace eventium::cli {

QString JsonLinesWriter::timestamp(const QDateTime &time)
{
    if (!time.isValid())
        return {};
    return time.toUTC().toString(Qt::ISODateWithMs);
}

QByteArray JsonLinesWriter::eventLine(const RecordedEvent &event)
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

QByteArray JsonLinesWriter::streamLine(const StreamInfo &stream)
{
    return JsonLine()
        .add("name", stream.name)
        .add("version", stream.version.value)
        .add("created", timestamp(stream.created))
        .add("updated", timestamp(stream.updated))
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
    writeLine(eventLine(event));
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
