#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace eventium {

// Builds one compact JSON object, member by member, in the order given: a line of the CLI's
// output, or an exported event (EventLine). Raw members are inserted verbatim, so stored JSON
// keeps its exact text (big numbers keep their digits).
class JsonLine
{
public:
    JsonLine &add(const char *key, const QString &value);
    JsonLine &add(const char *key, qint64 value);
    JsonLine &add(const char *key, double value);
    JsonLine &addNull(const char *key);
    // `json` must be one valid JSON value; an empty one is written as null.
    JsonLine &addRaw(const char *key, const QByteArray &json);
    JsonLine &add(const char *key, const QStringList &strings);

    // The object, without a line break.
    QByteArray toJson() const;

    // `text` as a JSON string literal (UTF-8, control characters escaped).
    static QByteArray quote(const QString &text);

private:
    void key(const char *key);
    QByteArray m_body;
};

} // namespace eventium
