#pragma once

#include <eventium/store.h>

#include <QObject>
#include <QSqlDatabase>
#include <QSqlQuery>

#include <memory>
#include <source_location>

namespace eventium::test {

class TestConnection;

// The fixture of the test programs that run against a store. Before each test function: a
// migrated store in a schema of its own, made with the settings given to the constructor;
// after it, none. Beside the store, a connection of its own for checks in SQL. A test class
// derives from it; an init() or cleanup() of its own calls this one's first.
//
// The helpers that can fail (freshStore(), sql(), scalar(), exec()) fail the current test
// function the way REQUIRE_OK does, so the test programs use EVENTIUM_TEST_MAIN.
class StoreTestCase : public QObject
{
    Q_OBJECT

public:
    explicit StoreTestCase(StoreSettings settings = {});
    ~StoreTestCase() override;

protected:
    // The current test function's store.
    Store &store() const;
    QString schema() const;
    // A name in the store's schema, quoted for SQL: "schema".name
    QString table(const QString &name) const;

    // Another migrated store in a schema of its own.
    std::unique_ptr<Store> freshStore(StoreSettings settings = {},
                                      std::source_location where = std::source_location::current());
    // Makes the current test function's store a fresh one with these settings.
    Store &replaceStore(StoreSettings settings,
                        std::source_location where = std::source_location::current());

    // The connection beside the store, opened on first use; closed after each test function.
    QSqlDatabase sql(std::source_location where = std::source_location::current());
    // Runs a statement there. One that fails is tried once more on a new connection (the
    // server may have been restarted under the test); failing again fails the test.
    QSqlQuery exec(const QString &statement,
                   std::source_location where = std::source_location::current());
    // The first column of the first row as a number.
    qint64 scalar(const QString &statement,
                  std::source_location where = std::source_location::current());

protected slots:
    void initTestCase();
    void init();
    void cleanup();

private:
    StoreSettings m_settings;
    std::unique_ptr<Store> m_store;
    std::unique_ptr<TestConnection> m_sql;
};

} // namespace eventium::test
