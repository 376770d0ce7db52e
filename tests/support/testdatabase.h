#pragma once

#include "require.h"

#include <eventium/connectionoptions.h>
#include <eventium/store.h>

#include <chrono>
#include <memory>

namespace eventium::test {

// The database the tests use. By default a throw-away PostgreSQL started once per test
// program (EmbeddedPostgres, fsync off) and stopped when it exits. Set
// EVENTIUM_TEST_DATABASE to a connection string or URL to use an existing server instead.
// If neither works the calling test fails: tests never pass by skipping.
class TestDatabase
{
public:
    // Starts the server on first use; QFAIL-friendly: returns false with a message on error.
    static bool ensure(QString *error);
    static ConnectionOptions options();
    // A schema name no other test uses.
    static QString uniqueSchema(const QString &prefix = QStringLiteral("t"));
    // A migrated store in a fresh schema. Settings that leave the pooler at Direct get
    // EVENTIUM_TEST_POOLER's mode when it names one (transaction: the statements go unnamed,
    // as tst_store_unnamed runs the store's suite).
    static std::unique_ptr<Store> freshStore(StoreSettings settings = {}, QString *error = nullptr);
    // Runs SQL on a connection of its own (for fault injection such as pg_terminate_backend).
    static bool execAdmin(const QString &sql, QString *error = nullptr);
    // Restarts the embedded server (only when it is the embedded one), keeping it stopped for
    // `down` in between.
    static bool restartServer(QString *error,
                              std::chrono::milliseconds down = std::chrono::milliseconds(0));
    static bool isEmbedded();
};

} // namespace eventium::test

#define EVENTIUM_REQUIRE_DB()                                                                      \
    do {                                                                                           \
        QString dbError_;                                                                          \
        if (!eventium::test::TestDatabase::ensure(&dbError_))                                      \
            QFAIL(qPrintable(QStringLiteral("no test database: ") + dbError_));                    \
    } while (false)
