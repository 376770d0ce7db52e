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
    // A duration in the largest unit that divides it exactly: "30 days", "1 hour", "90 s".
    static QString displayDuration(qint64 seconds);
    // `text` with every line longer than `maxLineChars` cut into pieces of that length (a
    // text view lays out a whole line at once: one line of megabytes would freeze it).
    static QString splitLongLines(const QString &text, int maxLineChars);
    // "512 bytes", "1.4 KB", "6.1 MB".
    static QString displaySize(qint64 bytes);
};

// JSON text made ready for a view, off the UI thread: pretty-printed, long lines cut, and
// where the first part shown at once ends (whole lines, at most kPreviewChars characters and
// kPreviewLines lines).
struct DisplayJson
{
    static constexpr qsizetype kPreviewChars = 64 * 1024;
    static constexpr int kPreviewLines = 1'000;
    static constexpr int kMaxLineChars = 1'000;

    QString text; // everything
    qsizetype previewChars = 0; // the length of the first part
    qsizetype lines = 0; // in text
    qsizetype previewLines = 0; // in the first part
    qsizetype sourceBytes = 0; // the size of the JSON as stored
    bool complete() const { return previewChars >= text.size(); }

    static DisplayJson prepare(const QByteArray &json);
};

} // namespace eventium::ui
