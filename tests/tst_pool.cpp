// The connection pool on its own: bounded, connections per thread, a thread's connections
// closed when the thread exits, and named statements switched off for the whole pool.
#include "support/testdatabase.h"
#include "support/testmain.h"

#include "connectionpool.h" // the store's own (store/src): tested directly

#include <QTest>

#include <atomic>
#include <thread>

using namespace eventium;
using eventium::test::TestDatabase;

class TestPool : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { EVENTIUM_REQUIRE_DB(); }

    void poolIsBoundedAndPerThread()
    {
        ConnectionPool::Settings s;
        s.maxConnections = 3;
        s.acquireTimeout = std::chrono::milliseconds(1500);
        ConnectionPool pool(TestDatabase::options(), s);
        auto a = REQUIRE_OK(pool.acquire());
        auto b = REQUIRE_OK(pool.acquire());
        auto c = REQUIRE_OK(pool.acquire());
        QCOMPARE(pool.openConnections(), 3);
        auto d = pool.acquire();
        QVERIFY(!d);
        QCOMPARE(d.error().kind(), StoreError::Kind::Timeout);
        c.release();
        QCOMPARE(pool.openConnections(), 3);
        // Another thread waits for room: only this thread closes its connections (a
        // QSqlDatabase belongs to its thread), and it does when it gives one back while
        // another thread waits.
        std::atomic<bool> otherOk {false};
        std::thread other([&] {
            auto r = pool.acquire();
            otherOk = r.ok();
        });
        QTest::qWait(200);
        QVERIFY(!otherOk.load());
        b.release();
        other.join();
        QVERIFY(otherOk.load());
        QVERIFY(pool.openConnections() <= 3);
    }

    // What the tests' threads rely on: nobody has to close a thread's connections by hand.
    void connectionsCloseWhenTheirThreadExits()
    {
        ConnectionPool pool(TestDatabase::options());
        auto mine = REQUIRE_OK(pool.acquire());
        bool otherOk = false;
        std::thread other([&] {
            auto first = pool.acquire();
            auto second = pool.acquire();
            otherOk = first.ok() && second.ok();
        });
        other.join();
        QVERIFY(otherOk);
        QCOMPARE(pool.openConnections(), 1);
        mine.release();
        QCOMPARE(pool.openConnections(), 1);
    }

    // Behind a transaction-mode pooler the pool's connections stop naming statements: from
    // the start (the setting) or for good once a connection found its session changed.
    void namedStatementsSwitchOffForTheWholePool()
    {
        ConnectionPool::Settings s;
        s.namedStatements = false;
        ConnectionPool unnamed(TestDatabase::options(), s);
        QVERIFY(!unnamed.namedStatements());
        QVERIFY(!REQUIRE_OK(unnamed.acquire()).namedStatements());

        ConnectionPool pool(TestDatabase::options());
        QVERIFY(pool.namedStatements());
        auto a = REQUIRE_OK(pool.acquire());
        QVERIFY(a.namedStatements());
        a.addNativeStatement("ev_x");
        QVERIFY(a.hasNativeStatement("ev_x"));
        std::atomic<bool> otherSwitched {true};
        std::thread other([&] {
            auto b = pool.acquire();
            otherSwitched = b && b->dropNamedStatements();
        });
        other.join();
        QVERIFY(otherSwitched.load()); // the first to find out
        QVERIFY(!pool.namedStatements());
        QVERIFY(!a.namedStatements());
        QVERIFY(!a.dropNamedStatements()); // already switched
        QVERIFY(!a.hasNativeStatement("ev_x"));
    }
};

EVENTIUM_TEST_MAIN(TestPool)
#include "tst_pool.moc"
