#include "storetestcase.h"

#include "require.h"
#include "testconnection.h"
#include "testdatabase.h"

#include <QSqlError>
#include <QTest>

namespace eventium::test {

namespace {

[[noreturn]] void fail(const QString &message, const std::source_location &where)
{
    failTest(message, where.file_name(), int(where.line()));
}

} // namespace

StoreTestCase::StoreTestCase(StoreSettings settings)
    : m_settings(std::move(settings))
{
}

StoreTestCase::~StoreTestCase() = default;

void StoreTestCase::initTestCase()
{
    EVENTIUM_REQUIRE_DB();
}

void StoreTestCase::init()
{
    QString error;
    m_store = TestDatabase::freshStore(m_settings, &error);
    QVERIFY2(m_store, qPrintable(error));
}

void StoreTestCase::cleanup()
{
    m_sql.reset();
    m_store.reset();
}

Store &StoreTestCase::store() const
{
    Q_ASSERT(m_store);
    return *m_store;
}

QString StoreTestCase::schema() const
{
    return store().schema();
}

QString StoreTestCase::table(const QString &name) const
{
    return QStringLiteral("\"%1\".%2").arg(schema(), name);
}

std::unique_ptr<Store> StoreTestCase::freshStore(StoreSettings settings, std::source_location where)
{
    QString error;
    auto store = TestDatabase::freshStore(std::move(settings), &error);
    if (!store)
        fail(QStringLiteral("no fresh store: ") + error, where);
    return store;
}

Store &StoreTestCase::replaceStore(StoreSettings settings, std::source_location where)
{
    m_store = freshStore(std::move(settings), where);
    return *m_store;
}

QSqlDatabase StoreTestCase::sql(std::source_location where)
{
    if (!m_sql)
        m_sql = std::make_unique<TestConnection>();
    if (!m_sql->isOpen()) {
        const QString error = m_sql->error();
        m_sql.reset();
        fail(QStringLiteral("no connection beside the store: ") + error, where);
    }
    return m_sql->db();
}

QSqlQuery StoreTestCase::exec(const QString &statement, std::source_location where)
{
    for (int attempt = 1;; ++attempt) {
        QSqlQuery q(sql(where));
        if (q.exec(statement))
            return q;
        if (attempt == 2)
            fail(QStringLiteral("%1: %2").arg(statement, q.lastError().text()), where);
        q = QSqlQuery();
        m_sql.reset();
    }
}

qint64 StoreTestCase::scalar(const QString &statement, std::source_location where)
{
    QSqlQuery q = exec(statement, where);
    if (!q.next())
        fail(statement + QStringLiteral(": no row"), where);
    return q.value(0).toLongLong();
}

} // namespace eventium::test
