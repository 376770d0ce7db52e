#include "lockwriter.h"

#include "benchcontext.h"
#include "workload.h"

namespace bench {

bool LockWriter::prepare(QString *error)
{
    const QString schema = QLatin1String(BenchContext::lockSchema);
    if (!connect(error))
        return false;
    m_begin = QStringLiteral("BEGIN; LOCK TABLE %1.events IN EXCLUSIVE MODE").arg(schema);
    if (!m_conn->prepare(
            "ins", Workload::insertSql(schema, QStringLiteral("events"), int(m_events.size())),
            error)
        || !m_conn->prepare(
            "max",
            QStringLiteral("SELECT coalesce(max(version), 0) FROM %1.events WHERE stream = $1")
                .arg(schema),
            error))
        return false;
    return step(error) > 0;
}

qint64 LockWriter::step(QString *error)
{
    if (!m_conn->exec(m_begin, error))
        return -1;
    eventium::pg::Rows current = m_conn->execPrepared("max", {m_stream.toUtf8()});
    if (!current.ok() || current.rows() != 1) {
        *error = PgConnection::errorText(current);
        m_conn->exec(QStringLiteral("ROLLBACK"));
        return -1;
    }
    if (current.int64(0, 0) != m_version) {
        *error = QStringLiteral("unexpected version conflict on %1").arg(m_stream);
        m_conn->exec(QStringLiteral("ROLLBACK"));
        return -1;
    }
    eventium::pg::Rows r = insertNext();
    if (!r.ok()) {
        *error = PgConnection::errorText(r);
        m_conn->exec(QStringLiteral("ROLLBACK"));
        return -1;
    }
    if (!m_conn->exec(QStringLiteral("COMMIT"), error))
        return -1;
    m_version += m_events.size();
    return m_events.size();
}

} // namespace bench
