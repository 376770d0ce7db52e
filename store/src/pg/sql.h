#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <optional>

namespace eventium::pg {

// SQL text. Values always travel as bound parameters; these build the few things that cannot
// be parameters (identifiers such as the schema's name, the literals inside a migration) and
// the text form of parameters.

// "name" with embedded quotes doubled: an identifier.
QString quoteIdent(const QString &ident);
// 'text' with embedded quotes doubled: a string literal (only for migration templates).
QString quoteLiteral(const QString &text);

// Parameter values in PostgreSQL's text format.
QByteArray param(qint64 value);
QByteArray param(const QString &value);
// A text[] value: {"a","b"} with quotes and backslashes escaped.
QByteArray textArray(const QStringList &items);

// The LISTEN/NOTIFY channel on which a schema's new positions are announced.
QString notificationChannel(const QString &schema);

// The first string after every string that starts with `prefix`, in code point order (the
// order of a C-collated text column): the prefix with its last code point raised by one
// (past the surrogates; a last U+10FFFF is dropped and the one before raised). nullopt when
// there is none (the prefix is all U+10FFFF): no upper bound.
std::optional<QString> prefixUpperBound(const QString &prefix);

// SQL for a timestamptz expression as milliseconds since the epoch (int8, NULL for NULL), cut
// down (floor), exactly as floor(extract(epoch FROM t) * 1000) gives them. extract() computes
// in numeric since PostgreSQL 14, which cost a global read a quarter of its server time (0.57
// of 2.29 ms for a page of 1,000 events); date_part() computes in float8, whose microseconds
// are exact while the time is within 2^53 microseconds of 1970: rounded to the microsecond
// first, then floored to the millisecond. Outside 1700 to 2250 the exact numeric form is used.
QString epochMillis(const QString &column);

} // namespace eventium::pg
