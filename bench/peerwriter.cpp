#include "peerwriter.h"

#include "benchcontext.h"
#include "workload.h"

#include <QUuid>

namespace bench {

PeerWriter::PeerWriter(QString conninfo, QString stream, int batch)
    : LibpqWriter(std::move(conninfo), streamName(stream), batch)
{
}

QString PeerWriter::streamName(const QString &name)
{
    return QString(name).replace(QLatin1Char('-'), QLatin1Char('_')) + QStringLiteral("-1");
}

QString PeerWriter::schemaSql(const QString &schema)
{
    // The category of a stream: its name up to the first '-' ("account-123": "account").
    // write_message(): the lock first, then the stream's version (its highest position; -1
    // when it has none) against the expectation (NULL: any), then the insert at the next
    // position; returns that position. A wrong expectation raises PD001.
    return QStringLiteral(
               "CREATE TABLE %1.messages ("
               " global_position bigserial PRIMARY KEY,"
               " position bigint NOT NULL,"
               " time timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),"
               " stream_name text NOT NULL,"
               " type text NOT NULL,"
               " data jsonb,"
               " metadata jsonb,"
               " id uuid NOT NULL DEFAULT gen_random_uuid());"
               "CREATE FUNCTION %1.category(p_stream_name text) RETURNS text"
               " LANGUAGE sql IMMUTABLE PARALLEL SAFE"
               " AS $$ SELECT split_part(p_stream_name, '-', 1) $$;"
               "CREATE UNIQUE INDEX messages_id ON %1.messages (id);"
               "CREATE UNIQUE INDEX messages_stream ON %1.messages (stream_name, position);"
               "CREATE INDEX messages_category ON %1.messages (%1.category(stream_name),"
               " global_position, %1.category(metadata ->> 'correlationStreamName'));"
               "CREATE FUNCTION %1.write_message(p_id uuid, p_stream_name text, p_type text,"
               " p_data jsonb, p_metadata jsonb, p_expected_version bigint) RETURNS bigint"
               " LANGUAGE plpgsql AS $fn$"
               " DECLARE v_version bigint;"
               " BEGIN"
               "  PERFORM pg_advisory_xact_lock(hashtextextended(%1.category(p_stream_name), 0));"
               "  SELECT coalesce(max(m.position), -1) INTO v_version FROM %1.messages m"
               "   WHERE m.stream_name = p_stream_name;"
               "  IF p_expected_version IS NOT NULL AND p_expected_version <> v_version THEN"
               "   RAISE EXCEPTION 'stream % is at version %, not %', p_stream_name, v_version,"
               "    p_expected_version USING ERRCODE = 'PD001';"
               "  END IF;"
               "  INSERT INTO %1.messages (id, stream_name, position, type, data, metadata)"
               "  VALUES (p_id, p_stream_name, v_version + 1, p_type, p_data, p_metadata);"
               "  RETURN v_version + 1;"
               " END $fn$")
        .arg(schema);
}

bool PeerWriter::prepare(QString *error)
{
    if (m_events.size() != 1) {
        *error = QStringLiteral("the peer design writes one message per call");
        return false;
    }
    if (!connect(error)
        || !m_conn->prepare("write",
                            QStringLiteral("SELECT %1.write_message($1, $2, $3, $4, $5, $6)")
                                .arg(QLatin1String(BenchContext::peerSchema)),
                            error))
        return false;
    return step(error) > 0;
}

qint64 PeerWriter::step(QString *error)
{
    const eventium::NewEvent &e = m_events.first();
    // Positions count from 0: the expected version is the number of messages written, less 1.
    eventium::pg::Rows r = m_conn->execPrepared(
        "write",
        {QUuid::createUuid().toByteArray(QUuid::WithoutBraces), m_stream.toUtf8(), e.type.toUtf8(),
         e.data, e.metadata.isEmpty() ? QByteArray() : e.metadata,
         QByteArray::number(m_version - 1)});
    if (!r.ok() || r.rows() != 1) {
        *error = PgConnection::errorText(r);
        return -1;
    }
    ++m_version;
    return 1;
}

} // namespace bench
