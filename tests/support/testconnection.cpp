#include "testconnection.h"

#include "testdatabase.h"

#include <QSqlError>
#include <QUuid>

namespace eventium::test {

TestConnection::TestConnection()
    : m_name(QStringLiteral("eventium-test-") + QUuid::createUuid().toString(QUuid::Id128))
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_name);
    TestDatabase::options().applyTo(db);
    m_open = db.open();
    if (!m_open)
        m_error = db.lastError().text();
}

TestConnection::~TestConnection()
{
    {
        QSqlDatabase db = QSqlDatabase::database(m_name, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_name);
}

QSqlDatabase TestConnection::db() const
{
    return QSqlDatabase::database(m_name, false);
}

} // namespace eventium::test
