#pragma once

#include <eventium/result.h>
#include <eventium/store.h>

#include <QByteArray>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <optional>

namespace eventium::toolkit {

// One difference between two JSON documents, at a path: `$` is the root, `.name` a member
// (`["…"]` when the name is not a plain identifier), `[n]` an array element.
struct JsonChange
{
    enum class Kind { Added, Removed, Changed };
    Kind kind = Kind::Changed;
    QString path;
    QJsonValue before; // undefined for Added
    QJsonValue after; // undefined for Removed

    bool operator==(const JsonChange &other) const = default;
};

// A structural diff, not a text one: objects member by member (in name order), arrays element
// by element by index (elements past the shorter one are added or removed), anything else by
// value; a value that changes type is Changed. Equal documents give no changes.
QList<JsonChange> jsonDiff(const QJsonValue &before, const QJsonValue &after);
// The same for two JSON texts (an empty text is null); InvalidInput names the one that does
// not parse.
Result<QList<JsonChange>> jsonDiff(const QByteArray &before, const QByteArray &after);
// "added", "removed" or "changed".
QString kindName(JsonChange::Kind kind);
// A value (any JSON value, not only an object or array) as compact JSON text.
QByteArray compactJson(const QJsonValue &value);

// The event of `event`'s stream before it with the same type (the one a diff compares it
// with), or nullopt when there is none. Reads the stream backwards from the event a page at a
// time; hidden events are skipped as every read skips them.
Result<std::optional<RecordedEvent>> previousOfType(Store &store, const RecordedEvent &event);

} // namespace eventium::toolkit
