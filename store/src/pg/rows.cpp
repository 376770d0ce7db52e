#include "rows.h"

#include <libpq-fe.h>

#include <cstdlib>

namespace eventium::pg {

void Rows::Deleter::operator()(pg_result *r) const
{
    PQclear(r);
}

Rows::Rows(pg_result *result)
    : m_result(result)
{
}

bool Rows::ok() const
{
    if (!m_result)
        return false;
    const ExecStatusType s = PQresultStatus(m_result.get());
    return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

int Rows::rows() const
{
    return m_result ? PQntuples(m_result.get()) : 0;
}

int Rows::columns() const
{
    return m_result ? PQnfields(m_result.get()) : 0;
}

bool Rows::isNull(int row, int column) const
{
    return PQgetisnull(m_result.get(), row, column);
}

const char *Rows::text(int row, int column) const
{
    return PQgetvalue(m_result.get(), row, column);
}

int Rows::length(int row, int column) const
{
    return PQgetlength(m_result.get(), row, column);
}

qint64 Rows::int64(int row, int column) const
{
    return std::strtoll(text(row, column), nullptr, 10);
}

double Rows::float64(int row, int column) const
{
    return std::strtod(text(row, column), nullptr);
}

bool Rows::boolean(int row, int column) const
{
    return text(row, column)[0] == 't';
}

QString Rows::string(int row, int column) const
{
    return QString::fromUtf8(text(row, column), length(row, column));
}

QByteArray Rows::bytes(int row, int column) const
{
    return QByteArray(text(row, column), length(row, column));
}

qint64 Rows::affectedRows() const
{
    return m_result ? QByteArray(PQcmdTuples(m_result.get())).toLongLong() : 0;
}

namespace {

QString field(const pg_result *r, int code)
{
    if (!r)
        return {};
    const char *v = PQresultErrorField(r, code);
    return v ? QString::fromUtf8(v) : QString();
}

} // namespace

QString Rows::sqlState() const
{
    return field(m_result.get(), PG_DIAG_SQLSTATE);
}

QString Rows::errorMessage() const
{
    return m_result ? QString::fromUtf8(PQresultErrorMessage(m_result.get())).trimmed() : QString();
}

QString Rows::constraintName() const
{
    return field(m_result.get(), PG_DIAG_CONSTRAINT_NAME);
}

} // namespace eventium::pg
