#include "pgconnection.h"

#include <libpq-fe.h>

#include <vector>

namespace bench {

namespace {

// NOTICEs (e.g. "drop cascades to ...") are not the benchmark's business.
void ignoreNotice(void *, const char *) { }

} // namespace

PgConnection::PgConnection(const QString &conninfo)
{
    m_conn = PQconnectdb(conninfo.toUtf8().constData());
    if (m_conn)
        PQsetNoticeProcessor(m_conn, ignoreNotice, nullptr);
}

PgConnection::~PgConnection()
{
    if (m_conn)
        PQfinish(m_conn);
}

bool PgConnection::isOk() const
{
    return m_conn && PQstatus(m_conn) == CONNECTION_OK;
}

QString PgConnection::errorMessage() const
{
    return m_conn ? QString::fromUtf8(PQerrorMessage(m_conn)).trimmed()
                  : QStringLiteral("no connection");
}

QString PgConnection::errorText(const eventium::pg::Rows &rows)
{
    return rows ? rows.errorMessage() : QStringLiteral("no result");
}

bool PgConnection::exec(const QString &sql, QString *error)
{
    eventium::pg::Rows r = query(sql);
    if (!r.ok() && error)
        *error = errorText(r);
    return r.ok();
}

eventium::pg::Rows PgConnection::query(const QString &sql)
{
    return eventium::pg::Rows(PQexec(m_conn, sql.toUtf8().constData()));
}

bool PgConnection::prepare(const QByteArray &name, const QString &sql, QString *error)
{
    eventium::pg::Rows r(PQprepare(m_conn, name.constData(), sql.toUtf8().constData(), 0, nullptr));
    if (!r.ok() && error)
        *error = errorText(r);
    return r.ok();
}

namespace {

std::vector<const char *> paramPointers(const QList<QByteArray> &params)
{
    std::vector<const char *> values;
    values.reserve(params.size());
    for (const QByteArray &p : params)
        values.push_back(p.isNull() ? nullptr : p.constData());
    return values;
}

} // namespace

eventium::pg::Rows PgConnection::execPrepared(const QByteArray &name,
                                              const QList<QByteArray> &params)
{
    const std::vector<const char *> values = paramPointers(params);
    return eventium::pg::Rows(PQexecPrepared(m_conn, name.constData(), int(values.size()),
                                             values.data(), nullptr, nullptr, 0));
}

eventium::pg::Rows PgConnection::execParams(const QString &sql, const QList<QByteArray> &params)
{
    const std::vector<const char *> values = paramPointers(params);
    return eventium::pg::Rows(PQexecParams(m_conn, sql.toUtf8().constData(), int(values.size()),
                                           nullptr, values.data(), nullptr, nullptr, 0));
}

int PgConnection::socket() const
{
    return PQsocket(m_conn);
}

bool PgConnection::consumeInput()
{
    return PQconsumeInput(m_conn) == 1;
}

int PgConnection::drainNotifications()
{
    int count = 0;
    while (PGnotify *n = PQnotifies(m_conn)) {
        PQfreemem(n);
        ++count;
    }
    return count;
}

} // namespace bench
