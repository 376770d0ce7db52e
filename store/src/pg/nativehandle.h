#pragma once

#include <QSqlDatabase>
#include <QSqlDriver>
#include <QVariant>

#include <libpq-fe.h>

namespace eventium {

// The libpq connection behind a QPSQL connection. Qt 6.4 registers its type as "pg_conn*"
// (PGconn is incomplete here, so QMetaType::fromType cannot name it): look the metatype up.
inline PGconn *pgHandle(const QSqlDatabase &db)
{
    if (!db.isValid() || !db.isOpen())
        return nullptr;
    const QVariant v = db.driver()->handle();
    static const QMetaType pgConnType = QMetaType::fromName("pg_conn*");
    static const QMetaType pgConnAlias = QMetaType::fromName("PGconn*");
    if (v.isValid() && v.metaType().isValid()
        && (v.metaType() == pgConnType || v.metaType() == pgConnAlias))
        return *static_cast<PGconn *const *>(v.constData());
    return nullptr;
}

// Routes libpq's notices (and the FATAL a server sends when it shuts a connection down)
// to a logging category instead of stderr.
void installNoticeProcessor(const QSqlDatabase &db);

inline bool pgConnectionBad(const QSqlDatabase &db)
{
    PGconn *conn = pgHandle(db);
    return conn == nullptr || PQstatus(conn) == CONNECTION_BAD;
}

} // namespace eventium
