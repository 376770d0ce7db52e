#include "pgconnection.h"

#include <libpq-fe.h>

#include <vector>

namespace bench {

PgResult::PgResult(pg_result *result)
    : m_result(result)
{
}

void PgResult::Deleter::operator()(pg_result *r) const
{
    PQclear(r);
}

bool PgResult::ok() const
{
    if (!m_result)
        return false;
    const ExecStatusType s = PQresultStatus(m_result.get());
    return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

int PgResult::rows() const
{
    return m_result ? PQntuples(m_result.get()) : 0;
}

bool PgResult::isNull(int row, int column) const
{
    return PQgetisnull(m_result.get(), row, column) != 0;
}

const char *PgResult::text(int row, int column) const
{
    return PQgetvalue(m_result.get(), row, column);
}

int PgResult::length(int row, int column) const
{
    return PQgetlength(m_result.get(), row, column);
}

qint64 PgResult::int64(int row, int column) const
{
    return QByteArray::fromRawData(text(row, column), length(row, column)).toLongLong();
}

QString PgResult::error() const
{
    if (!m_result)
        return QStringLiteral("no result");
    return QString::fromUtf8(PQresultErrorMessage(m_result.get())).trimmed();
}

QString PgResult::sqlState() const
{
    if (!m_result)
        return {};
    const char *state = PQresultErrorField(m_result.get(), PG_DIAG_SQLSTATE);
    return state ? QString::fromLatin1(state) : QString();
}

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

bool PgConnection::exec(const QString &sql, QString *error)
{
    PgResult r = query(sql);
    if (!r.ok() && error)
        *error = r.error();
    return r.ok();
}

PgResult PgConnection::query(const QString &sql)
{
    return PgResult(PQexec(m_conn, sql.toUtf8().constData()));
}

bool PgConnection::prepare(const QByteArray &name, const QString &sql, QString *error)
{
    PgResult r(PQprepare(m_conn, name.constData(), sql.toUtf8().constData(), 0, nullptr));
    if (!r.ok() && error)
        *error = r.error();
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

PgResult PgConnection::execPrepared(const QByteArray &name, const QList<QByteArray> &params)
{
    const std::vector<const char *> values = paramPointers(params);
    return PgResult(PQexecPrepared(m_conn, name.constData(), int(values.size()), values.data(),
                                   nullptr, nullptr, 0));
}

PgResult PgConnection::execParams(const QString &sql, const QList<QByteArray> &params)
{
    const std::vector<const char *> values = paramPointers(params);
    return PgResult(PQexecParams(m_conn, sql.toUtf8().constData(), int(values.size()), nullptr,
                                 values.data(), nullptr, nullptr, 0));
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
