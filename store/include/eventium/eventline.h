#pragma once

#include "eventium/types.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

#include <optional>

namespace eventium {

// The JSON-lines format of events: what `eventium read`, `tail` and `search` print, what
// exportEvents() writes, and what `eventium append STREAM -` and importEvents() read. One
// compact object a line:
//   {"position":12,"stream":"order-7","version":3,"id":"<uuid>","type":"Shipped",
//    "data":{…},"metadata":{…}|null,"created":"2026-11-30T14:03:07.123Z"}
// plus "erased" (a time) for an event whose data was erased. data and metadata are the stored
// JSON text as it is (numbers keep their digits).
class EventLine
{
public:
    // One event as a line, without the line break.
    static QByteArray format(const RecordedEvent &event);
    // ISO 8601 in UTC with milliseconds: 2024-05-01T12:00:00.123Z (empty for an invalid time).
    static QString timestamp(const QDateTime &time);

    // What a line holds for an append.
    struct Parsed
    {
        NewEvent event; // type, data and metadata as their exact JSON text; id if given
        QString stream; // the "stream" member; empty when absent or null
    };
    // One line (without its line break): a JSON object with "type" (a string) and "data";
    // "metadata", "id" (a UUID) and "stream" (a string) are optional, and other members
    // ("position", "version", "created", …) are ignored, so read output reads back in.
    // nullopt with `why` set when it is not such a line (not JSON, invalid UTF-8, a NUL byte,
    // a member of the wrong kind). Names and sizes are left to the caller (or the store).
    static std::optional<Parsed> parse(const QByteArray &line, QString *why);
    // Whether a line holds nothing but white space (such lines are skipped).
    static bool isBlank(const QByteArray &line);
};

} // namespace eventium
