#pragma once

#include <QSqlDatabase>
#include <QString>

namespace eventium::test {

// A connection of its own to the test database (TestDatabase::options()), for checks in SQL
// and fault injection beside the store under test. Closed and removed when destroyed;
// QSqlDatabase copies taken from db() must not outlive it.
class TestConnection
{
public:
    TestConnection();
    ~TestConnection();
    TestConnection(const TestConnection &) = delete;
    TestConnection &operator=(const TestConnection &) = delete;

    bool isOpen() const { return m_open; }
    QString error() const { return m_error; }
    QSqlDatabase db() const;

private:
    QString m_name;
    bool m_open = false;
    QString m_error;
};

} // namespace eventium::test

// Runs one statement on a QSqlQuery, failing the test with the statement and the error.
#define SQL_EXEC(query, sql)                                                                       \
    do {                                                                                           \
        if (!(query).exec(sql))                                                                    \
            QFAIL(qPrintable(QStringLiteral("%1: %2").arg(sql, (query).lastError().text())));      \
    } while (false)
