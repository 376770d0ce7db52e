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

} // namespace eventium::pg
