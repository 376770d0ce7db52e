#pragma once

#include "pgconnection.h"

#include <eventium/types.h>

#include <QByteArray>
#include <QList>
#include <QString>

namespace bench {

// The events every variant writes and reads, and the baselines' SQL. Payloads are the same
// JSON for all variants (about 180 bytes of data, 60 of metadata).
class Workload
{
public:
    static QString eventType(qint64 n);
    static QByteArray eventData(qint64 n);
    static QByteArray eventMetadata(qint64 n);
    static QList<eventium::NewEvent> newEvents(qint64 first, int count);
    // The same as SQL expressions of the int8 expression `n`, for generating events on the
    // server (INSERT ... SELECT ... FROM generate_series(...) AS n): type, data and metadata.
    static QString eventTypeSql(const QString &n);
    static QString eventDataSql(const QString &n);
    static QString eventMetadataSql(const QString &n);

    // The baseline table: the same columns as the store's events, a bigint identity for the
    // global order (the bigserial of the table-lock design), unique (stream, version) for
    // optimistic concurrency. `raw` and `lock` use the same table; only the protocol differs.
    static QString createTableSql(const QString &schema, const QString &table,
                                  bool withKeys = true);
    // The keys of a table created without them (bulk loads index afterwards).
    static QString addKeysSql(const QString &schema, const QString &table);
    // INSERT of `rows` events: $1 stream, then per row version, id, type, data, metadata.
    static QString insertSql(const QString &schema, const QString &table, int rows);
    static QList<QByteArray> insertParams(const QString &stream, qint64 firstVersion,
                                          const QList<eventium::NewEvent> &events);
    // Columns read back by the baselines, in the order toRecorded() expects.
    static QString selectColumns();
    // Every row of a SELECT of selectColumns().
    static QList<eventium::RecordedEvent> toRecorded(const eventium::pg::Rows &rows);

    // COPY of `streams` streams of `length` events each into schema.table.
    static bool copyLoad(PgConnection &conn, const QString &schema, const QString &table,
                         int streams, int length, QString *error);
    static QString readStreamName(int index);
    // What readStreamName() puts before the index.
    static QString readStreamPrefix();
};

} // namespace bench
