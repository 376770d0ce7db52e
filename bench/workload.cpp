#include "workload.h"

#include <libpq-fe.h>

#include <QUuid>

namespace bench {

namespace {

const QString eventTypes[] = {QStringLiteral("OrderPlaced"), QStringLiteral("ItemAdded"),
                              QStringLiteral("PaymentReceived"), QStringLiteral("OrderShipped")};

// A payload around its number: head, n, tail.
const QByteArray dataHead = QByteArrayLiteral("{\"orderId\": \"order-");
const QByteArray dataTail
    = QByteArrayLiteral("\", \"customer\": {\"id\": 4711, \"name\": \"Jane Doe\"}, "
                        "\"lines\": [{\"sku\": \"ABC-123\", \"qty\": 2, \"price\": 19.99}, "
                        "{\"sku\": \"XYZ-9\", \"qty\": 1, \"price\": 5.5}], "
                        "\"total\": 45.48, \"currency\": \"EUR\"}");
// Metadata: head, n % 1000, middle, the causation id (n in the first 32 bits), tail.
const QByteArray metadataHead = QByteArrayLiteral("{\"correlationId\": \"c-");
const QByteArray metadataMiddle = QByteArrayLiteral("\", \"causationId\": \"");
const QByteArray metadataTail = QByteArrayLiteral("\", \"user\": \"bench\"}");

QUuid causationId(qint64 n)
{
    return QUuid(uint(n), 0, 0x4000, 0x80, 0, 0, 0, 0, 0, 0, 0);
}

QString sqlLiteral(const QString &text)
{
    return QLatin1Char('\'') + QString(text).replace(QLatin1Char('\''), QStringLiteral("''"))
        + QLatin1Char('\'');
}

QString sqlLiteral(const QByteArray &text)
{
    return sqlLiteral(QString::fromUtf8(text));
}

} // namespace

QString Workload::eventType(qint64 n)
{
    return eventTypes[n % 4];
}

QByteArray Workload::eventData(qint64 n)
{
    return dataHead + QByteArray::number(n) + dataTail;
}

QByteArray Workload::eventMetadata(qint64 n)
{
    // A correlation id shared by a few events and a causation id of an event id's form (what
    // the indexes of related events cost does not depend on whether it names an event).
    return metadataHead + QByteArray::number(n % 1000) + metadataMiddle
        + causationId(n).toByteArray(QUuid::WithoutBraces) + metadataTail;
}

QString Workload::eventTypeSql(const QString &n)
{
    QStringList types;
    for (const QString &t : eventTypes)
        types << sqlLiteral(t);
    return QStringLiteral("(ARRAY[%1])[(%2) % 4 + 1]").arg(types.join(QStringLiteral(", ")), n);
}

QString Workload::eventDataSql(const QString &n)
{
    return QStringLiteral("(%1 || (%2) || %3)::jsonb")
        .arg(sqlLiteral(dataHead), n, sqlLiteral(dataTail));
}

QString Workload::eventMetadataSql(const QString &n)
{
    // The causation id: uint(n) as 8 hex digits, then the fixed rest of the QUuid.
    const QString causationRest = causationId(0).toString(QUuid::WithoutBraces).mid(8);
    return QStringLiteral("(%1 || (%2) % 1000 || %3 || lpad(to_hex((%2) % 4294967296), 8, '0') "
                          "|| %4 || %5)::jsonb")
        .arg(sqlLiteral(metadataHead), n, sqlLiteral(metadataMiddle), sqlLiteral(causationRest),
             sqlLiteral(metadataTail));
}

QList<eventium::NewEvent> Workload::newEvents(qint64 first, int count)
{
    QList<eventium::NewEvent> out;
    out.reserve(count);
    for (int i = 0; i < count; ++i) {
        eventium::NewEvent e;
        e.type = eventType(first + i);
        e.data = eventData(first + i);
        e.metadata = eventMetadata(first + i);
        out.append(e);
    }
    return out;
}

QString Workload::createTableSql(const QString &schema, const QString &table, bool withKeys)
{
    QString sql = QStringLiteral("CREATE TABLE %1.%2 ("
                                 " seq bigint GENERATED ALWAYS AS IDENTITY,"
                                 " stream text NOT NULL,"
                                 " version bigint NOT NULL,"
                                 " id uuid NOT NULL,"
                                 " type text NOT NULL,"
                                 " data jsonb NOT NULL,"
                                 " metadata jsonb,"
                                 " created timestamptz NOT NULL DEFAULT now())")
                      .arg(schema, table);
    if (withKeys)
        sql += QStringLiteral("; ") + addKeysSql(schema, table);
    return sql;
}

QString Workload::addKeysSql(const QString &schema, const QString &table)
{
    return QStringLiteral("ALTER TABLE %1.%2 ADD PRIMARY KEY (seq), ADD UNIQUE (stream, version)")
        .arg(schema, table);
}

QString Workload::insertSql(const QString &schema, const QString &table, int rows)
{
    QString sql
        = QStringLiteral("INSERT INTO %1.%2 (stream, version, id, type, data, metadata) VALUES ")
              .arg(schema, table);
    for (int r = 0; r < rows; ++r) {
        const int p = 2 + r * 5;
        if (r)
            sql += QLatin1Char(',');
        sql += QStringLiteral("($1, $%1, $%2, $%3, $%4, $%5)")
                   .arg(p)
                   .arg(p + 1)
                   .arg(p + 2)
                   .arg(p + 3)
                   .arg(p + 4);
    }
    return sql;
}

QList<QByteArray> Workload::insertParams(const QString &stream, qint64 firstVersion,
                                         const QList<eventium::NewEvent> &events)
{
    QList<QByteArray> params;
    params.reserve(1 + events.size() * 5);
    params.append(stream.toUtf8());
    for (qsizetype i = 0; i < events.size(); ++i) {
        const eventium::NewEvent &e = events.at(i);
        params.append(QByteArray::number(firstVersion + i));
        params.append(
            (e.id.isNull() ? QUuid::createUuid() : e.id).toByteArray(QUuid::WithoutBraces));
        params.append(e.type.toUtf8());
        params.append(e.data);
        params.append(e.metadata.isEmpty() ? QByteArray() : e.metadata);
    }
    return params;
}

QString Workload::selectColumns()
{
    // created as epoch milliseconds: the cheapest exact form for a client to parse.
    return QStringLiteral("seq, stream, version, id, type, data, metadata, "
                          "(extract(epoch FROM created) * 1000)::int8");
}

QList<eventium::RecordedEvent> Workload::toRecorded(const eventium::pg::Rows &rows)
{
    QList<eventium::RecordedEvent> events;
    events.reserve(rows.rows());
    for (int row = 0; row < rows.rows(); ++row) {
        eventium::RecordedEvent e;
        e.position = eventium::GlobalPosition(rows.int64(row, 0));
        e.stream = rows.string(row, 1);
        e.version = eventium::StreamVersion(rows.int64(row, 2));
        e.id = QUuid::fromString(QLatin1StringView(rows.text(row, 3), rows.length(row, 3)));
        e.type = rows.string(row, 4);
        e.data = rows.bytes(row, 5);
        if (!rows.isNull(row, 6))
            e.metadata = rows.bytes(row, 6);
        e.created = QDateTime::fromMSecsSinceEpoch(rows.int64(row, 7), Qt::UTC);
        events.append(e);
    }
    return events;
}

QString Workload::readStreamName(int index)
{
    return readStreamPrefix() + QString::number(index);
}

QString Workload::readStreamPrefix()
{
    return QStringLiteral("order-");
}

namespace {

void appendCopyText(QByteArray &out, const QByteArray &text)
{
    for (const char c : text) {
        switch (c) {
        case '\\':
            out += "\\\\";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\n':
            out += "\\n";
            break;
        default:
            out += c;
        }
    }
}

} // namespace

bool Workload::copyLoad(PgConnection &conn, const QString &schema, const QString &table,
                        int streams, int length, QString *error)
{
    eventium::pg::Rows start = conn.query(
        QStringLiteral("COPY %1.%2 (stream, version, id, type, data, metadata) FROM STDIN")
            .arg(schema, table));
    if (PQresultStatus(start.get()) != PGRES_COPY_IN) {
        *error = PgConnection::errorText(start);
        return false;
    }
    QByteArray chunk;
    qint64 n = 0;
    for (int s = 0; s < streams; ++s) {
        const QByteArray stream = readStreamName(s).toUtf8();
        for (int v = 1; v <= length; ++v, ++n) {
            chunk += stream;
            chunk += '\t';
            chunk += QByteArray::number(v);
            chunk += '\t';
            chunk += QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
            chunk += '\t';
            chunk += eventType(n).toUtf8();
            chunk += '\t';
            appendCopyText(chunk, eventData(n));
            chunk += '\t';
            appendCopyText(chunk, eventMetadata(n));
            chunk += '\n';
            if (chunk.size() > 1 << 20) {
                if (PQputCopyData(conn.handle(), chunk.constData(), int(chunk.size())) != 1) {
                    *error = conn.errorMessage();
                    return false;
                }
                chunk.clear();
            }
        }
    }
    if ((!chunk.isEmpty()
         && PQputCopyData(conn.handle(), chunk.constData(), int(chunk.size())) != 1)
        || PQputCopyEnd(conn.handle(), nullptr) != 1) {
        *error = conn.errorMessage();
        return false;
    }
    bool ok = true;
    while (PGresult *r = PQgetResult(conn.handle())) {
        eventium::pg::Rows result(r);
        if (!result.ok()) {
            *error = PgConnection::errorText(result);
            ok = false;
        }
    }
    return ok;
}

} // namespace bench
