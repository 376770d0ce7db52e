#pragma once

#include <eventium/types.h>

#include <QByteArray>
#include <QString>

namespace eventium::ui {

// Formats JSON text for people without parsing numbers, so big integers and exact decimals
// are shown exactly as stored (QJsonDocument would round them through double).
class JsonFormatter
{
public:
    // Indented JSON; text that is not JSON comes back unchanged.
    static QString pretty(const QByteArray &json, int indent = 2);
    // The whole event as one JSON object (data and metadata embedded as stored), indented.
    static QString eventAsJson(const RecordedEvent &event);
    // A JSON string literal for `text`.
    static QString quote(const QString &text);
    // "2024-05-01 12:34:56.789" in local time.
    static QString displayTime(const QDateTime &time);
};

} // namespace eventium::ui
