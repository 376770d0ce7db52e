// The follower: ordered catch-up and live delivery, filters, starting in the middle,
// surviving a killed connection and a server restart, progress without any sequencer in
// the writers, and live latency.
#include "support/storetestcase.h"
#include "support/testconnection.h"
#include "support/testdatabase.h"
#include "support/testmain.h"

#include <eventium/follower.h>
#include <eventium/store.h>

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QUuid>
#include <atomic>

#include <algorithm>
#include <memory>

using namespace eventium;
using eventium::test::TestConnection;
using eventium::test::TestDatabase;

namespace {

QList<NewEvent> events(int n, const QString &type = QStringLiteral("Thing"))
{
    QList<NewEvent> out;
    for (int i = 0; i < n; ++i) {
        NewEvent e;
        e.type = type;
        e.data = QStringLiteral("{\"i\": %1}").arg(i).toUtf8();
        out.append(e);
    }
    return out;
}

// Positions from..to, each once, in order; empty when so, otherwise what is wrong.
QString checkSequence(const QList<RecordedEvent> &got, qint64 from, qint64 to)
{
    if (got.size() != to - from + 1)
        return QStringLiteral("%1 events delivered, expected %2")
            .arg(got.size())
            .arg(to - from + 1);
    for (qsizetype i = 0; i < got.size(); ++i) {
        if (got.at(i).position.value != from + i)
            return QStringLiteral("event #%1 has position %2, expected %3")
                .arg(i)
                .arg(got.at(i).position.value)
                .arg(from + i);
    }
    return {};
}

// Fails the test when `got` is not positions from..to, each once, in order.
#define VERIFY_SEQUENCE(got, from, to)                                                             \
    do {                                                                                           \
        const QString why_ = checkSequence((got), (from), (to));                                   \
        QVERIFY2(why_.isEmpty(), qPrintable(why_));                                                \
    } while (false)

// The backends of an application name, through a connection of its own.
QSet<qint64> backendsNamed(const QString &applicationName)
{
    QSet<qint64> pids;
    TestConnection connection;
    if (!connection.isOpen())
        return pids;
    QSqlQuery q(connection.db());
    q.prepare(QStringLiteral("SELECT pid FROM pg_stat_activity WHERE application_name = ?"));
    q.addBindValue(applicationName);
    if (q.exec()) {
        while (q.next())
            pids.insert(q.value(0).toLongLong());
    }
    return pids;
}

} // namespace

class TestFollower : public eventium::test::StoreTestCase
{
    Q_OBJECT

    // Collects what a follower delivers, in the test's thread.
    void record(Follower &follower, QList<RecordedEvent> *into)
    {
        connect(&follower, &Follower::eventsReceived, this,
                [into](const QList<RecordedEvent> &batch) { into->append(batch); });
    }

    Follower::Settings followerSettings(GlobalPosition from = GlobalPosition(1)) const
    {
        Follower::Settings s;
        s.schema = schema();
        s.from = from;
        return s;
    }

    void append(const QString &stream, int n, const QString &type = QStringLiteral("Thing"))
    {
        auto r = store().append(StreamName(stream), ExpectedVersion::any(), events(n, type));
        QVERIFY2(r, qPrintable(r ? QString() : r.error().toString()));
        QVERIFY(r->succeeded());
    }

    // What readAll has from 1, for comparing ids.
    QList<RecordedEvent> readEverything()
    {
        QList<RecordedEvent> all;
        GlobalPosition next(1);
        while (true) {
            auto page = REQUIRE_OK(store().readAll(next, 1000));
            all.append(page.events);
            if (page.events.isEmpty() || page.next.value > page.head.value)
                break;
            next = page.next;
        }
        return all;
    }

    void compareWithStore(const QList<RecordedEvent> &got)
    {
        const QList<RecordedEvent> all = readEverything();
        QVERIFY(all.size() >= got.size());
        for (qsizetype i = 0; i < got.size(); ++i) {
            const RecordedEvent &stored = all.at(got.at(i).position.value - 1);
            QCOMPARE(stored.position, got.at(i).position);
            QCOMPARE(got.at(i).id, stored.id);
            QCOMPARE(got.at(i).stream, stored.stream);
            QCOMPARE(got.at(i).version, stored.version);
        }
    }

private slots:
    void catchUpThenLive()
    {
        for (int s = 0; s < 3; ++s)
            append(QStringLiteral("cat-%1").arg(s), 10);
        QCOMPARE(REQUIRE_OK(store().sequenceNow()).value, 30);

        QList<RecordedEvent> got;
        Follower follower(TestDatabase::options(), followerSettings());
        record(follower, &got);
        QSignalSpy caughtUp(&follower, &Follower::caughtUp);
        follower.start();
        QTRY_COMPARE_WITH_TIMEOUT(got.size(), 30, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(!caughtUp.isEmpty(), 15000);
        QCOMPARE(caughtUp.first().first().value<GlobalPosition>().value, 30);
        QTRY_VERIFY_WITH_TIMEOUT(follower.isLive(), 15000);

        // Live: appended after the follower caught up, in several small appends.
        for (int i = 0; i < 20; ++i)
            append(QStringLiteral("cat-%1").arg(i % 4), 1 + i % 3);
        QTRY_COMPARE_WITH_TIMEOUT(got.size(), 30 + 39, 15000);
        QTest::qWait(300); // nothing more (no repeats) may follow
        VERIFY_SEQUENCE(got, 1, 69);
        compareWithStore(got);
        QCOMPARE(follower.nextPosition().value, 70);
    }

    // stop() from a slot connected directly (it runs on the follower's thread) cannot wait
    // for that thread: it says so and returns; stopped from its owner's thread it stops.
    void stopOnItsOwnThreadIsRefused()
    {
        append(QStringLiteral("own-1"), 3);
        QCOMPARE(REQUIRE_OK(store().sequenceNow()).value, 3);
        Follower follower(TestDatabase::options(), followerSettings());
        std::atomic<bool> calledStop {false};
        QObject::connect(
            &follower, &Follower::eventsReceived, &follower,
            [&follower, &calledStop](const QList<RecordedEvent> &) {
                if (!calledStop.exchange(true))
                    follower.stop();
            },
            Qt::DirectConnection);
        QTest::ignoreMessage(
            QtWarningMsg,
            QRegularExpression(QStringLiteral("called on the follower's own thread")));
        follower.start();
        QTRY_VERIFY_WITH_TIMEOUT(calledStop.load(), 15000);
        QTRY_VERIFY_WITH_TIMEOUT(follower.isLive(), 15000); // it went on
        follower.stop(); // from the owner's thread: it stops
        QVERIFY(!follower.isLive());
    }

    void filtersByTypeAndStreamPrefix()
    {
        append(QStringLiteral("order-1"), 3, QStringLiteral("OrderPlaced"));
        append(QStringLiteral("user-1"), 2, QStringLiteral("UserJoined"));
        append(QStringLiteral("order-2"), 2, QStringLiteral("OrderShipped"));
        append(QStringLiteral("a_b-1"), 2, QStringLiteral("OrderPlaced"));
        append(QStringLiteral("axb-1"), 2, QStringLiteral("OrderPlaced"));
        append(QStringLiteral("order-1"), 1, QStringLiteral("OrderShipped"));
        append(QStringLiteral("a%c-1"), 1, QStringLiteral("UserJoined"));
        append(QStringLiteral("abc-1"), 1, QStringLiteral("UserJoined"));
        append(QStringLiteral("\u00fcn\u00ef-1"), 1, QStringLiteral("UserJoined"));
        append(QStringLiteral("\u00fcnx-1"), 1, QStringLiteral("UserJoined"));
        QCOMPARE(REQUIRE_OK(store().sequenceNow()).value, 16);

        struct Case
        {
            QStringList types;
            QString prefix;
            QList<qint64> expected;
        };
        const QList<Case> cases = {
            {{QStringLiteral("OrderPlaced")}, {}, {1, 2, 3, 8, 9, 10, 11}},
            {{QStringLiteral("OrderShipped"), QStringLiteral("UserJoined")},
             {},
             {4, 5, 6, 7, 12, 13, 14, 15, 16}},
            {{}, QStringLiteral("order-"), {1, 2, 3, 6, 7, 12}},
            {{QStringLiteral("OrderShipped")}, QStringLiteral("order-"), {6, 7, 12}},
            // '_' and '%' are plain characters in a prefix, not patterns.
            {{}, QStringLiteral("a_b"), {8, 9}},
            {{}, QStringLiteral("a%"), {13}},
            {{QStringLiteral("NoSuchType")}, {}, {}},
            {{}, QStringLiteral("\u00fcn\u00ef"), {15}},
        };
        // Live part: appended after the followers started.
        QList<std::shared_ptr<Follower>> followers;
        QList<std::shared_ptr<QList<RecordedEvent>>> gots;
        QList<std::shared_ptr<QSignalSpy>> caughtUps;
        for (const Case &c : cases) {
            Follower::Settings s = followerSettings();
            s.filter.types = c.types;
            s.filter.streamPrefix = c.prefix;
            auto f = std::make_shared<Follower>(TestDatabase::options(), s);
            auto got = std::make_shared<QList<RecordedEvent>>();
            record(*f, got.get());
            caughtUps.append(std::make_shared<QSignalSpy>(f.get(), &Follower::caughtUp));
            f->start();
            followers.append(f);
            gots.append(got);
        }
        for (const auto &spy : caughtUps)
            QTRY_VERIFY_WITH_TIMEOUT(!spy->isEmpty(), 15000);
        append(QStringLiteral("order-3"), 2, QStringLiteral("OrderPlaced")); // 17, 18
        append(QStringLiteral("user-2"), 1, QStringLiteral("OrderShipped")); // 19
        append(QStringLiteral("a_b-2"), 1, QStringLiteral("Other")); // 20
        append(QStringLiteral("\u00fcn\u00ef-2"), 1, QStringLiteral("Other")); // 21
        QList<QList<qint64>> liveExpected = {{17, 18}, {19}, {17, 18}, {}, {20}, {}, {}, {21}};
        for (qsizetype i = 0; i < cases.size(); ++i) {
            const QList<qint64> expected = cases.at(i).expected + liveExpected.at(i);
            const auto &got = *gots.at(i);
            QTRY_VERIFY_WITH_TIMEOUT(got.size() >= expected.size(), 15000);
        }
        // Wait until every follower has read past the last event, then compare exactly.
        for (const auto &f : followers)
            QTRY_VERIFY_WITH_TIMEOUT(f->nextPosition().value >= 22, 15000);
        for (qsizetype i = 0; i < cases.size(); ++i) {
            QList<qint64> positions;
            for (const RecordedEvent &e : *gots.at(i)) {
                positions.append(e.position.value);
                if (!cases.at(i).types.isEmpty())
                    QVERIFY(cases.at(i).types.contains(e.type));
                if (!cases.at(i).prefix.isEmpty())
                    QVERIFY(e.stream.startsWith(cases.at(i).prefix));
            }
            QCOMPARE(positions, cases.at(i).expected + liveExpected.at(i));
        }
    }

    void startsInTheMiddle()
    {
        append(QStringLiteral("mid-a"), 25);
        append(QStringLiteral("mid-b"), 15);
        QCOMPARE(REQUIRE_OK(store().sequenceNow()).value, 40);
        QList<RecordedEvent> got;
        Follower follower(TestDatabase::options(), followerSettings(GlobalPosition(21)));
        record(follower, &got);
        QCOMPARE(follower.nextPosition().value, 21);
        follower.start();
        QTRY_COMPARE_WITH_TIMEOUT(got.size(), 20, 15000);
        append(QStringLiteral("mid-a"), 5);
        QTRY_COMPARE_WITH_TIMEOUT(got.size(), 25, 15000);
        QTest::qWait(300);
        VERIFY_SEQUENCE(got, 21, 45);
        compareWithStore(got);
        // The first one delivered is mid-a's version 21.
        QCOMPARE(got.first().stream, QStringLiteral("mid-a"));
        QCOMPARE(got.first().version.value, 21);

        // Beyond the head: nothing until it gets there.
        QList<RecordedEvent> later;
        Follower ahead(TestDatabase::options(), followerSettings(GlobalPosition(48)));
        record(ahead, &later);
        ahead.start();
        append(QStringLiteral("mid-c"), 2); // 46, 47
        QTest::qWait(1000);
        QVERIFY(later.isEmpty());
        append(QStringLiteral("mid-c"), 3); // 48, 49, 50
        QTRY_COMPARE_WITH_TIMEOUT(later.size(), 3, 15000);
        VERIFY_SEQUENCE(later, 48, 50);
    }

    void survivesKilledConnections()
    {
        ConnectionOptions options = TestDatabase::options();
        options.applicationName = QStringLiteral("eventium-follower-")
            + QUuid::createUuid().toString(QUuid::Id128).left(12);
        Follower::Settings s = followerSettings();
        s.pollInterval = std::chrono::milliseconds(3000); // delivery must not rely on polling
        QList<RecordedEvent> got;
        Follower follower(options, s);
        record(follower, &got);
        QSignalSpy connection(&follower, &Follower::connectionChanged);
        append(QStringLiteral("kill-a"), 5);
        follower.start();
        QTRY_COMPARE_WITH_TIMEOUT(got.size(), 5, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(follower.isLive(), 15000);

        qint64 expected = 5;
        for (int round = 0; round < 3; ++round) {
            QTRY_VERIFY_WITH_TIMEOUT(!backendsNamed(options.applicationName).isEmpty(), 15000);
            const QSet<qint64> killed = backendsNamed(options.applicationName);
            QString error;
            QVERIFY2(TestDatabase::execAdmin(
                         QStringLiteral("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                        "WHERE application_name = '%1'")
                             .arg(options.applicationName),
                         &error),
                     qPrintable(error));
            // Gone (the follower may already have connected again: it notices at once).
            QTRY_VERIFY_WITH_TIMEOUT(!backendsNamed(options.applicationName).intersects(killed),
                                     5000);
            // Appended while the follower reconnects.
            append(QStringLiteral("kill-a"), 3);
            append(QStringLiteral("kill-b"), 2);
            expected += 5;
            QTRY_COMPARE_WITH_TIMEOUT(qint64(got.size()), expected, 20000);
        }
        QTRY_VERIFY_WITH_TIMEOUT(!backendsNamed(options.applicationName).isEmpty(), 15000);
        QTRY_VERIFY_WITH_TIMEOUT(follower.isLive(), 15000);

        // Resubscribed: live events arrive well before the 3 s poll would find them.
        QList<qint64> latencies;
        for (int i = 0; i < 5; ++i) {
            const qsizetype before = got.size();
            QElapsedTimer t;
            t.start();
            append(QStringLiteral("kill-c"), 1);
            QTRY_COMPARE_WITH_TIMEOUT(got.size(), before + 1, 10000);
            latencies.append(t.elapsed());
            ++expected;
        }
        std::sort(latencies.begin(), latencies.end());
        qInfo() << "live latency after reconnects (ms):" << latencies;
        QVERIFY2(latencies.at(2) < 1000, "the follower did not LISTEN again after reconnecting");

        QTest::qWait(300);
        VERIFY_SEQUENCE(got, 1, expected);
        compareWithStore(got);
        // The pool may replace a killed connection before the follower notices; but if it
        // reported the connection lost, it must have reported it back.
        QVERIFY(!connection.isEmpty());
        QCOMPARE(connection.last().at(0).toBool(), true);
    }

    void survivesServerRestart()
    {
        QVERIFY2(TestDatabase::isEmbedded(), "this test restarts the embedded server");
        QList<RecordedEvent> got;
        Follower::Settings s = followerSettings();
        Follower follower(TestDatabase::options(), s);
        record(follower, &got);
        append(QStringLiteral("restart-a"), 4);
        follower.start();
        QTRY_COMPARE_WITH_TIMEOUT(got.size(), 4, 15000);

        QString error;
        QVERIFY2(TestDatabase::restartServer(&error), qPrintable(error));
        // The writing store's pooled connections died too; an append retries on a fresh one.
        append(QStringLiteral("restart-a"), 3);
        append(QStringLiteral("restart-b"), 2);
        QTRY_COMPARE_WITH_TIMEOUT(got.size(), 9, 30000);

        // And again, now while the follower is live.
        QTRY_VERIFY_WITH_TIMEOUT(follower.isLive(), 15000);
        QVERIFY2(TestDatabase::restartServer(&error), qPrintable(error));
        append(QStringLiteral("restart-c"), 5);
        QTRY_COMPARE_WITH_TIMEOUT(got.size(), 14, 30000);
        QTest::qWait(500);
        VERIFY_SEQUENCE(got, 1, 14);
        compareWithStore(got);
    }

    void progressesWithoutWriterSequencer()
    {
        StoreSettings settings;
        settings.runSequencer = false;
        auto writer = freshStore(settings);
        for (int i = 0; i < 4; ++i) {
            auto r = writer->append(StreamName(QStringLiteral("noseq-%1").arg(i % 2)),
                                    ExpectedVersion::any(), events(3));
            QVERIFY2(r, qPrintable(r ? QString() : r.error().toString()));
        }
        QTest::qWait(300);
        QCOMPARE(REQUIRE_OK(writer->headPosition()).value, 0); // nobody numbered them

        // A follower that does not sequence either delivers nothing.
        Follower::Settings passive;
        passive.schema = writer->schema();
        passive.sequence = false;
        passive.pollInterval = std::chrono::milliseconds(100);
        QList<RecordedEvent> none;
        Follower idle(TestDatabase::options(), passive);
        record(idle, &none);
        QSignalSpy idleCaughtUp(&idle, &Follower::caughtUp);
        idle.start();
        QTRY_VERIFY_WITH_TIMEOUT(idleCaughtUp.size() >= 3, 15000);
        QVERIFY(none.isEmpty());
        QCOMPARE(REQUIRE_OK(writer->headPosition()).value, 0);

        Follower::Settings active = passive;
        active.sequence = true;
        active.pollInterval = std::chrono::milliseconds(500);
        QList<RecordedEvent> got;
        Follower follower(TestDatabase::options(), active);
        record(follower, &got);
        follower.start();
        QTRY_COMPARE_WITH_TIMEOUT(got.size(), 12, 15000);
        // Live, still without any writer sequencer.
        QTRY_VERIFY_WITH_TIMEOUT(follower.isLive(), 15000);
        QElapsedTimer t;
        t.start();
        auto r = writer->append(StreamName(QStringLiteral("noseq-9")), ExpectedVersion::any(),
                                events(4));
        QVERIFY(r);
        QTRY_COMPARE_WITH_TIMEOUT(got.size(), 16, 15000);
        qInfo() << "delivered without a writer sequencer after" << t.elapsed() << "ms";
        QVERIFY(t.elapsed() < 5000);
        VERIFY_SEQUENCE(got, 1, 16);
        QCOMPARE(REQUIRE_OK(writer->headPosition()).value, 16);
        // The passive follower sees them now that someone numbered them.
        QTRY_COMPARE_WITH_TIMEOUT(none.size(), 16, 15000);
        VERIFY_SEQUENCE(none, 1, 16);
    }

    // The position to continue from is what a consumer saves as its checkpoint when it
    // stops; it must still be known after stop().
    void nextPositionAfterStop()
    {
        append(QStringLiteral("stop-a"), 10);
        QList<RecordedEvent> got;
        Follower follower(TestDatabase::options(), followerSettings());
        record(follower, &got);
        QCOMPARE(follower.nextPosition().value, 1);
        follower.start();
        QTRY_COMPARE_WITH_TIMEOUT(got.size(), 10, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(follower.nextPosition().value, 11, 15000);
        follower.stop();
        QCOMPARE(follower.nextPosition().value, 11);
        QVERIFY(!follower.isLive());
        // Started again, it resumes where it stopped: no repeats, nothing missed.
        append(QStringLiteral("stop-b"), 5);
        follower.start();
        QTRY_COMPARE_WITH_TIMEOUT(got.size(), 15, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(follower.nextPosition().value, 16, 15000);
        VERIFY_SEQUENCE(got, 1, 15);
    }

    void liveLatency()
    {
        QList<RecordedEvent> got;
        Follower follower(TestDatabase::options(), followerSettings());
        record(follower, &got);
        follower.start();
        QTRY_VERIFY_WITH_TIMEOUT(follower.isLive(), 15000);
        QList<qint64> latencies;
        for (int i = 0; i < 20; ++i) {
            QElapsedTimer t;
            t.start();
            append(QStringLiteral("latency-%1").arg(i % 3), 1);
            QTRY_COMPARE_WITH_TIMEOUT(got.size(), i + 1, 10000);
            latencies.append(t.elapsed());
        }
        std::sort(latencies.begin(), latencies.end());
        qInfo() << "live latency (ms): median" << latencies.at(10) << "max" << latencies.last();
        QVERIFY2(latencies.last() < 2000, "an event took more than 2 s to be delivered");
        VERIFY_SEQUENCE(got, 1, 20);
    }
};

EVENTIUM_TEST_MAIN(TestFollower)
#include "tst_follower.moc"
