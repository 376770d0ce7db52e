// The connection pool on its own: bounded, connections per thread, and a thread's
// connections closed when the thread exits.
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
};

EVENTIUM_TEST_MAIN(TestPool)
#include "tst_pool.moc"
