#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

namespace eventium {

// One JSON object whose members are kept as the raw JSON text they were written with, so a
// value is passed on exactly as given (64-bit and bigger numbers keep every digit, which a
// round trip through QJsonDocument's doubles would not).
class RawJsonObject
{
public:
    // Empty when `text` is one valid JSON object, otherwise why not.
    QString parse(const QByteArray &text);

    bool contains(const QString &key) const;
    // The member's JSON text (a string keeps its quotes); empty when absent.
    QByteArray raw(const QString &key) const;
    QStringList keys() const;

private:
    QList<QPair<QString, QByteArray>> m_members;
};

} // namespace eventium
