// Subscriptions: catch-up then live, independent names, the lock, a killed runner process
// resuming with nothing lost (and nothing applied twice exactly once), a server restart,
// hot streams delivered in version order to a handler that appends in its own transaction.
#include "toolkittest.h"

#include "support/globalorder.h"

#include <eventium/toolkit/subscription.h>

#include <QMutex>
#include <QProcess>
#include <QProcessEnvironment>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

#include <atomic>
#include <thread>
#include <vector>

using namespace eventium;
using eventium::test::TestDatabase;
using toolkit::CheckpointMove;
using toolkit::Subscription;
using toolkit::SubscriptionStatus;

namespace {

// Appends n events in batches of 10 over three streams; types alternate Odd/Even by the
// running count.
void appendEvents(Store &store, int n, int &counter)
{
    while (n > 0) {
        QList<NewEvent> batch;
        const int take = qMin(n, 10);
        for (int i = 0; i < take; ++i, ++counter) {
            NewEvent e;
            e.type = counter % 2 ? QStringLiteral("Odd") : QStringLiteral("Even");
            e.data = QStringLiteral("{\"n\": %1}").arg(counter).toUtf8();
            batch.append(e);
        }
        REQUIRE_OK(store.append(StreamName(QStringLiteral("s-%1").arg(counter % 3)),
                                ExpectedVersion::any(), batch));
        n -= take;
    }
}

// Collects what a handler received.
struct Collector
{
    QMutex mutex;
    QList<qint64> positions;
    QStringList types;

    Subscription::Handler handler()
    {
        return [this](const QList<RecordedEvent> &events) -> Result<Done> {
            QMutexLocker lock(&mutex);
            for (const RecordedEvent &e : events) {
                positions << e.position.value;
                types << e.type;
            }
            return Done {};
        };
    }
    qsizetype size()
    {
        QMutexLocker lock(&mutex);
        return positions.size();
    }
    QList<qint64> snapshot()
    {
        QMutexLocker lock(&mutex);
        return positions;
    }
};

QList<qint64> range(qint64 from, qint64 to)
{
    QList<qint64> out;
    for (qint64 i = from; i <= to; ++i)
        out << i;
    return out;
}

StoreSettings quickSequencer()
{
    StoreSettings settings;
    settings.sequencerPollInterval = std::chrono::milliseconds(50);
    return settings;
}

Subscription::Settings quick(const QString &name)
{
    Subscription::Settings s;
    s.name = name;
    s.batchSize = 7;
    s.pollInterval = std::chrono::milliseconds(100);
    s.retryDelay = std::chrono::milliseconds(50);
    s.reconnectDelay = std::chrono::milliseconds(100);
    s.lockRetryInterval = std::chrono::milliseconds(100);
    return s;
}

} // namespace

class TestSubscriptions : public eventium::test::StoreTestCase
{
    Q_OBJECT

    int m_counter = 0;

    qint64 stored(const QString &name)
    {
        return REQUIRE_OK(Subscription::storedCheckpoint(store(), name)).value;
    }

public:
    TestSubscriptions()
        : StoreTestCase(quickSequencer())
    {
    }

private slots:
    void init()
    {
        StoreTestCase::init();
        m_counter = 0;
    }

    void catchUpThenLive()
    {
        appendEvents(store(), 50, m_counter);
        REQUIRE_OK(store().sequenceNow());
        Collector seen;
        {
            Subscription sub(store(), quick(QStringLiteral("live")), seen.handler());
            QCOMPARE(sub.delivery(), Subscription::Delivery::AtLeastOnce);
            sub.start();
            QTRY_COMPARE_WITH_TIMEOUT(seen.size(), 50, 20000);
            QTRY_VERIFY_WITH_TIMEOUT(sub.isLive(), 10000);
            QVERIFY(sub.isActive());
            QCOMPARE(sub.checkpoint().value, 50);

            // Live: new events arrive without anyone calling sequenceNow.
            appendEvents(store(), 30, m_counter);
            QTRY_COMPARE_WITH_TIMEOUT(seen.size(), 80, 20000);
            QTRY_COMPARE_WITH_TIMEOUT(
                REQUIRE_OK(Subscription::storedCheckpoint(store(), QStringLiteral("live"))).value,
                80, 10000);
            QCOMPARE(sub.handledEvents(), 80);
            sub.stop();
            QVERIFY(sub.wait());
            QVERIFY(!sub.isActive());
        }
        QCOMPARE(seen.snapshot(), range(1, 80));

        // Resumes after its checkpoint.
        appendEvents(store(), 5, m_counter);
        REQUIRE_OK(store().sequenceNow());
        Subscription again(store(), quick(QStringLiteral("live")), seen.handler());
        QCOMPARE(REQUIRE_OK(again.catchUp()), 5);
        QCOMPARE(seen.snapshot(), range(1, 85));
        QCOMPARE(REQUIRE_OK(again.catchUp()), 0);

        // A reset replays.
        REQUIRE_OK(
            Subscription::resetCheckpoint(store(), QStringLiteral("live"), GlobalPosition(80)));
        QCOMPARE(REQUIRE_OK(again.catchUp()), 5);
        QCOMPARE(seen.size(), 90);

        // A new subscription can start elsewhere than at 1.
        Collector late;
        auto settings = quick(QStringLiteral("late"));
        settings.startFrom = GlobalPosition(81);
        Subscription fromHere(store(), settings, late.handler());
        QCOMPARE(REQUIRE_OK(fromHere.catchUp()), 5);
        QCOMPARE(late.snapshot(), range(81, 85));
    }

    // Two names run side by side and do not hold each other up; a filter narrows one; the
    // lock keeps a second runner of the same name out.
    void independentNamesAndTheLock()
    {
        appendEvents(store(), 41, m_counter);
        REQUIRE_OK(store().sequenceNow());
        std::atomic<bool> failA {true};
        std::atomic<int> failures {0};
        Collector a, b;
        auto handlerA = a.handler();
        Subscription subA(store(), quick(QStringLiteral("a")),
                          [&](const QList<RecordedEvent> &events) -> Result<Done> {
                              if (failA.load()) {
                                  ++failures;
                                  return StoreError(StoreError::Kind::Other,
                                                    QStringLiteral("not now"));
                              }
                              return handlerA(events);
                          });
        auto settingsB = quick(QStringLiteral("b"));
        settingsB.filter.types = {QStringLiteral("Even")};
        Subscription subB(store(), settingsB, b.handler());
        subA.start();
        subB.start();
        QTRY_COMPARE_WITH_TIMEOUT(b.size(), 21, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(subB.checkpoint().value, 41, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(failures.load() >= 2, 10000);
        QCOMPARE(a.size(), 0);
        QCOMPARE(subA.checkpoint().value, 0);
        QVERIFY(subA.lastError().has_value());
        QCOMPARE(stored(QStringLiteral("a")), 0);

        // The same name elsewhere is refused while A runs.
        Collector intruder;
        auto settingsX = quick(QStringLiteral("a"));
        settingsX.waitForLock = false;
        Subscription x(store(), settingsX, intruder.handler());
        auto refused = x.catchUp();
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().message().contains(QStringLiteral("another session")),
                 qPrintable(refused.error().toString()));
        QCOMPARE(intruder.size(), 0);

        failA = false;
        QTRY_COMPARE_WITH_TIMEOUT(a.size(), 41, 20000);
        QCOMPARE(a.snapshot(), range(1, 41));
        QList<qint64> evens;
        for (qint64 p = 1; p <= 41; p += 2)
            evens << p; // the counter starts at 0 (Even) at position 1
        QCOMPARE(b.snapshot(), evens);
        subA.stop();
        subB.stop();
        QVERIFY(subA.wait() && subB.wait());
        QCOMPARE(stored(QStringLiteral("a")), 41);
        QCOMPARE(stored(QStringLiteral("b")), 41);
        // Now the lock is free.
        QCOMPARE(REQUIRE_OK(x.catchUp()), 0);
    }

    void killedProcessResumes_data()
    {
        QTest::addColumn<bool>("exactlyOnce");
        QTest::newRow("at least once") << false;
        QTest::newRow("exactly once") << true;
    }

    // A runner process is SIGKILLed in the middle of its work, twice; the next one resumes
    // from the committed checkpoint. Nothing is lost; exactly once, nothing is applied twice.
    void killedProcessResumes()
    {
        QFETCH(bool, exactlyOnce);
        const QString name = exactlyOnce ? QStringLiteral("once") : QStringLiteral("atleast");
        exec(QStringLiteral("CREATE TABLE %1 (subscription text NOT NULL, position "
                            "bigint NOT NULL, PRIMARY KEY (subscription, position))")
                 .arg(table(QStringLiteral("applied"))));
        exec(QStringLiteral("CREATE TABLE %1 (subscription text NOT NULL, position "
                            "bigint NOT NULL)")
                 .arg(table(QStringLiteral("received"))));
        const QString rows
            = table(exactlyOnce ? QStringLiteral("applied") : QStringLiteral("received"));
        auto distinct = [&] {
            return scalar(QStringLiteral("SELECT count(DISTINCT position) FROM %1").arg(rows));
        };
        appendEvents(store(), 200, m_counter);
        REQUIRE_OK(store().sequenceNow());

        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("EVENTIUM_TEST_CONNINFO"), TestDatabase::options().toConnInfo());
        auto startRunner = [&](QProcess &p) {
            p.setProcessEnvironment(env);
            p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
            p.start(QStringLiteral(EVENTIUM_SUBSCRIBER_HELPER),
                    {schema(), name,
                     exactlyOnce ? QStringLiteral("exactly-once") : QStringLiteral("at-least-once"),
                     QStringLiteral("5"), QStringLiteral("30")});
            QVERIFY2(p.waitForStarted(10000), qPrintable(p.errorString()));
        };
        auto kill = [&](QProcess &p) {
            p.kill(); // SIGKILL
            QVERIFY(p.waitForFinished(10000));
            QCOMPARE(p.exitStatus(), QProcess::CrashExit);
        };

        QProcess first;
        startRunner(first);
        QTRY_VERIFY_WITH_TIMEOUT(distinct() >= 40, 30000);
        // While it runs, nobody else may run the same subscription.
        {
            Collector c;
            auto settings = quick(name);
            settings.waitForLock = false;
            Subscription intruder(store(), settings, c.handler());
            QVERIFY(!intruder.catchUp().ok());
            QCOMPARE(c.size(), 0);
        }
        kill(first);
        const qint64 atFirstKill = distinct();
        qInfo("killed the first runner after %lld of 200", atFirstKill);
        QVERIFY2(atFirstKill < 200, "the runner finished before it was killed");

        appendEvents(store(), 100, m_counter);
        QProcess second;
        startRunner(second);
        QTRY_VERIFY_WITH_TIMEOUT(distinct() >= atFirstKill + 30, 30000);
        kill(second);
        qInfo("killed the second runner after %lld of 300", distinct());

        appendEvents(store(), 20, m_counter);
        QProcess third;
        startRunner(third);
        QTRY_COMPARE_WITH_TIMEOUT(distinct(), 320, 60000);
        QTRY_COMPARE_WITH_TIMEOUT(REQUIRE_OK(Subscription::storedCheckpoint(store(), name)).value,
                                  320, 20000);
        third.terminate();
        QVERIFY(third.waitForFinished(10000) || (third.kill(), third.waitForFinished(10000)));

        const qint64 total = scalar(QStringLiteral("SELECT count(*) FROM %1").arg(rows));
        const qint64 highest = scalar(QStringLiteral("SELECT max(position) FROM %1").arg(rows));
        qInfo("%lld deliveries of 320 events", total);
        QCOMPARE(highest, 320);
        if (exactlyOnce)
            QCOMPARE(total, 320);
        else
            QVERIFY(total >= 320);
        // handled counts committed deliveries: exactly once, each event once.
        const qint64 handled = scalar(QStringLiteral("SELECT handled FROM \"%1\""
                                                     ".subscriptions WHERE name = '%2'")
                                          .arg(schema(), name));
        if (exactlyOnce)
            QCOMPARE(handled, 320);
        else
            QVERIFY(handled >= 320);
    }

    // The server restarts under a running exactly-once subscription: it reconnects, takes
    // its lock again and carries on from the committed checkpoint.
    void survivesServerRestart()
    {
        exec(QStringLiteral("CREATE TABLE %1 (position bigint PRIMARY KEY)")
                 .arg(table(QStringLiteral("seen"))));
        const QString seen = table(QStringLiteral("seen"));
        appendEvents(store(), 30, m_counter);
        REQUIRE_OK(store().sequenceNow());
        std::atomic<int> duplicates {0};
        Subscription sub(store(), quick(QStringLiteral("restart")),
                         [&](const QList<RecordedEvent> &events, QSqlDatabase &db) -> Result<Done> {
                             QSqlQuery q(db);
                             q.prepare(QStringLiteral("INSERT INTO %1 VALUES (?)").arg(seen));
                             for (const RecordedEvent &e : events) {
                                 q.addBindValue(e.position.value);
                                 if (!q.exec()) {
                                     if (q.lastError().nativeErrorCode() == QStringLiteral("23505"))
                                         ++duplicates;
                                     return StoreError::fromSql(q.lastError(),
                                                                QStringLiteral("insert"));
                                 }
                             }
                             return Done {};
                         });
        QCOMPARE(sub.delivery(), Subscription::Delivery::ExactlyOnce);
        sub.start();
        auto count = [&] { return scalar(QStringLiteral("SELECT count(*) FROM %1").arg(seen)); };
        QTRY_COMPARE_WITH_TIMEOUT(count(), 30, 20000);

        if (TestDatabase::isEmbedded()) {
            QString error;
            QVERIFY2(TestDatabase::restartServer(&error), qPrintable(error));
        } else {
            QVERIFY(TestDatabase::execAdmin(
                QStringLiteral("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE pid <> pg_backend_pid() AND datname = current_database()")));
        }
        // The first append after the restart may meet a dead pooled connection.
        for (int attempt = 0; attempt < 20; ++attempt) {
            QList<NewEvent> batch;
            for (int i = 0; i < 30; ++i) {
                NewEvent e;
                e.type = QStringLiteral("Later");
                batch.append(e);
            }
            if (store()
                    .append(StreamName(QStringLiteral("later")), ExpectedVersion::any(), batch)
                    .ok())
                break;
            QTest::qWait(200);
        }
        QTRY_COMPARE_WITH_TIMEOUT(count(), 60, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(sub.isLive(), 10000);
        QCOMPARE(sub.checkpoint().value, 60);
        QCOMPARE(duplicates.load(), 0);
        sub.stop();
        QVERIFY(sub.wait());
        QCOMPARE(stored(QStringLiteral("restart")), 60);
    }

    // Writers on three hot streams while an exactly-once subscription runs live; its handler
    // appends an audit event in its own transaction after writing to a table (so it holds a
    // transaction id before it waits for the audit stream). Every stream arrives in version
    // order, each version once, and the audit stream is in order too.
    void exactlyOnceSeesHotStreamsInOrder()
    {
        constexpr int kThreads = 6;
        constexpr int kAppendsPerThread = 150;
        const QString applied = table(QStringLiteral("applied"));
        exec(QStringLiteral("CREATE TABLE %1 (stream text, version bigint, "
                            "PRIMARY KEY (stream, version))")
                 .arg(applied));
        QHash<QString, qint64> last; // only the subscription's thread touches it
        std::atomic<int> outOfOrder {0};
        std::atomic<int> delivered {0};
        auto settings = quick(QStringLiteral("hot"));
        settings.filter.types = {QStringLiteral("Hot")};
        const QString appendSql
            = QStringLiteral("SELECT status FROM \"%1\".append_events('audit', -1, ?::uuid[], "
                             "ARRAY['Audit'], ARRAY['{}']::jsonb[], ARRAY[NULL]::jsonb[])")
                  .arg(schema());
        Subscription sub(
            store(), settings,
            [&](const QList<RecordedEvent> &events, QSqlDatabase &db) -> Result<Done> {
                QSqlQuery q(db);
                q.prepare(QStringLiteral("INSERT INTO %1 VALUES (?, ?)").arg(applied));
                QHash<QString, qint64> next = last;
                for (const RecordedEvent &e : events) {
                    if (e.version.value != next.value(e.stream, 0) + 1)
                        ++outOfOrder;
                    next.insert(e.stream, e.version.value);
                    q.addBindValue(e.stream);
                    q.addBindValue(e.version.value);
                    if (!q.exec())
                        return StoreError::fromSql(q.lastError(), QStringLiteral("insert"));
                }
                q.prepare(appendSql);
                q.addBindValue(
                    QStringLiteral("{%1}").arg(QUuid::createUuid().toString(QUuid::WithoutBraces)));
                if (!q.exec() || !q.next())
                    return StoreError::fromSql(q.lastError(), QStringLiteral("audit"));
                last = next;
                delivered += int(events.size());
                return Done {};
            });
        sub.start();
        std::vector<std::thread> writers;
        std::atomic<int> failures {0};
        for (int t = 0; t < kThreads; ++t) {
            writers.emplace_back([&, t] {
                QList<NewEvent> one(1);
                one[0].type = QStringLiteral("Hot");
                for (int i = 0; i < kAppendsPerThread; ++i) {
                    one[0].id = QUuid();
                    if (!store().append(StreamName(QStringLiteral("hot-%1").arg((t + i) % 3)),
                                        ExpectedVersion::any(), one))
                        ++failures;
                }
            });
        }
        for (auto &w : writers)
            w.join();
        QCOMPARE(failures.load(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(delivered.load(), kThreads * kAppendsPerThread, 30000);
        sub.stop();
        QVERIFY(sub.wait());
        QCOMPARE(outOfOrder.load(), 0);
        QCOMPARE(scalar(QStringLiteral("SELECT count(*) FROM %1").arg(applied)),
                 qint64(kThreads) * kAppendsPerThread);
        REQUIRE_OK(store().sequenceNow());
        VERIFY_GLOBAL_ORDER(sql(), schema(), -1);
    }

    // A subscription to one stream, one to a category (a prefix) and one to a type, live:
    // each gets exactly its events in position order (not those of longer names that start
    // with the stream's), while another stream is deleted and scavenged and a member of the
    // category is truncated under them.
    void oneStreamACategoryAndATypeLive()
    {
        auto put = [this](const QString &stream, const QString &type, int n) {
            QList<NewEvent> batch(n);
            for (NewEvent &e : batch) {
                e.type = type;
                e.data = QStringLiteral("{\"n\": %1}").arg(m_counter++).toUtf8();
            }
            REQUIRE_OK(store().append(StreamName(stream), ExpectedVersion::any(), batch));
        };
        put(QStringLiteral("s-1"), QStringLiteral("A"), 3);
        put(QStringLiteral("s-10"), QStringLiteral("A"), 2);
        put(QStringLiteral("acct-1"), QStringLiteral("B"), 2);
        put(QStringLiteral("gone"), QStringLiteral("Rare"), 2);
        put(QStringLiteral("acct-2"), QStringLiteral("A"), 1);
        REQUIRE_OK(store().sequenceNow());

        Collector one, category, type;
        auto oneSettings = quick(QStringLiteral("one"));
        oneSettings.filter.stream = QStringLiteral("s-1");
        auto categorySettings = quick(QStringLiteral("category"));
        categorySettings.filter.streamPrefix = QStringLiteral("acct-");
        auto typeSettings = quick(QStringLiteral("type"));
        typeSettings.filter.types = {QStringLiteral("Rare")};
        Subscription subOne(store(), oneSettings, one.handler());
        Subscription subCategory(store(), categorySettings, category.handler());
        Subscription subType(store(), typeSettings, type.handler());
        subOne.start();
        subCategory.start();
        subType.start();
        QTRY_COMPARE_WITH_TIMEOUT(one.size(), 3, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(category.size(), 3, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(type.size(), 2, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(subOne.isLive() && subCategory.isLive() && subType.isLive(),
                                 10000);

        // Live, across a deletion, a scavenge and a truncation of a stream of the category.
        put(QStringLiteral("s-10"), QStringLiteral("A"), 1);
        put(QStringLiteral("s-1"), QStringLiteral("A"), 2);
        put(QStringLiteral("acct-3"), QStringLiteral("B"), 1);
        QCOMPARE(REQUIRE_OK(store().deleteStream(StreamName(QStringLiteral("gone")),
                                                 ExpectedVersion::any()))
                     .status,
                 DeleteResult::Status::Deleted);
        REQUIRE_OK(store().scavenge());
        put(QStringLiteral("other"), QStringLiteral("Rare"), 1);
        put(QStringLiteral("s-1"), QStringLiteral("A"), 1);
        put(QStringLiteral("acct-1"), QStringLiteral("B"), 1);
        REQUIRE_OK(store().sequenceNow());
        QTRY_COMPARE_WITH_TIMEOUT(one.size(), 6, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(category.size(), 5, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(type.size(), 3, 20000);
        REQUIRE_OK(store().truncate(StreamName(QStringLiteral("acct-2")), StreamVersion(2)));
        put(QStringLiteral("acct-2"), QStringLiteral("B"), 1);
        REQUIRE_OK(store().sequenceNow());
        QTRY_COMPARE_WITH_TIMEOUT(category.size(), 6, 20000);
        const qint64 head = REQUIRE_OK(store().headPosition()).value;
        QTRY_COMPARE_WITH_TIMEOUT(subOne.checkpoint().value, head, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(subType.checkpoint().value, head, 10000);
        subOne.stop();
        subCategory.stop();
        subType.stop();
        QVERIFY(subOne.wait() && subCategory.wait() && subType.wait());

        // What each should have seen, from one unfiltered read of the whole sequence (the
        // deleted stream's events were delivered before it went; the truncated one's too).
        QList<qint64> wantOne, wantCategory;
        for (GlobalPosition next(1);;) {
            const GlobalPage page = REQUIRE_OK(store().readAll(next, 1000));
            for (const RecordedEvent &e : page.events) {
                if (e.stream == QLatin1String("s-1"))
                    wantOne << e.position.value;
                if (e.stream.startsWith(QLatin1String("acct-")))
                    wantCategory << e.position.value;
            }
            if (page.next > page.head)
                break;
            next = page.next;
        }
        QCOMPARE(head, 18);
        QCOMPARE(wantOne, (QList<qint64> {1, 2, 3, 12, 13, 16}));
        QCOMPARE(one.snapshot(), wantOne);
        // Position 10 (acct-2's first event) was delivered before the truncation hid it.
        QCOMPARE(wantCategory, (QList<qint64> {6, 7, 14, 17, 18}));
        QCOMPARE(category.snapshot(), (QList<qint64> {6, 7, 10, 14, 17, 18}));
        QCOMPARE(type.snapshot(), (QList<qint64> {8, 9, 15}));
        QCOMPARE(type.types, QStringList(3, QStringLiteral("Rare")));
    }

    // Where each subscription stands: a runner of another process holds one (its advisory lock
    // in pg_locks, found for a lock namespace whose hashtext() is negative and for one whose is
    // positive: pg_locks shows the key as an unsigned oid), the other is idle; lags in events
    // and time; the lock goes when the process dies.
    void listShowsWhereEachStands_data()
    {
        QTest::addColumn<bool>("negativeHash");
        QTest::newRow("negative hash") << true;
        QTest::newRow("positive hash") << false;
    }
    void listShowsWhereEachStands()
    {
        QFETCH(bool, negativeHash);
        // A schema whose lock namespace hashes to the sign asked for.
        const QString prefix
            = QStringLiteral("t_subs_%1_").arg(QUuid::createUuid().toString(QUuid::Id128).left(10));
        const qint64 n = scalar(
            QStringLiteral("SELECT n FROM generate_series(1, 1000) n WHERE "
                           "hashtext('eventium.subscription:%1' || n) %2 0 ORDER BY n LIMIT 1")
                .arg(prefix, negativeHash ? QStringLiteral("<") : QStringLiteral(">")));
        StoreSettings settings = quickSequencer();
        settings.schema = prefix + QString::number(n);
        replaceStore(settings);
        QCOMPARE(
            scalar(QStringLiteral("SELECT hashtext('eventium.subscription:%1') < 0").arg(schema())),
            negativeHash ? 1 : 0);
        exec(QStringLiteral("CREATE TABLE %1 (subscription text NOT NULL, position "
                            "bigint NOT NULL)")
                 .arg(table(QStringLiteral("received"))));
        QVERIFY(REQUIRE_OK(Subscription::list(store())).isEmpty());

        appendEvents(store(), 30, m_counter);
        REQUIRE_OK(store().sequenceNow());
        REQUIRE_OK(
            Subscription::resetCheckpoint(store(), QStringLiteral("idle"), GlobalPosition(12)));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("EVENTIUM_TEST_CONNINFO"), TestDatabase::options().toConnInfo());
        QProcess runner;
        runner.setProcessEnvironment(env);
        runner.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        runner.start(QStringLiteral(EVENTIUM_SUBSCRIBER_HELPER),
                     {schema(), QStringLiteral("running"), QStringLiteral("at-least-once"),
                      QStringLiteral("10"), QStringLiteral("0")});
        QVERIFY2(runner.waitForStarted(10000), qPrintable(runner.errorString()));
        QTRY_COMPARE_WITH_TIMEOUT(stored(QStringLiteral("running")), 30, 30000);
        QTest::qWait(60); // the oldest unhandled event of "idle" is at least this old

        auto listed = REQUIRE_OK(Subscription::list(store()));
        QCOMPARE(listed.size(), 2);
        const SubscriptionStatus idle = listed.at(0);
        const SubscriptionStatus running = listed.at(1);
        QCOMPARE(idle.name, QStringLiteral("idle"));
        QCOMPARE(idle.checkpoint.value, 12);
        QCOMPARE(idle.head.value, 30);
        QCOMPARE(idle.lagEvents, 18);
        QVERIFY2(idle.lagTime.count() >= 60, qPrintable(QString::number(idle.lagTime.count())));
        QVERIFY(!idle.held);
        QVERIFY(idle.owner.isEmpty());
        QVERIFY(idle.updated.isValid());
        QCOMPARE(running.name, QStringLiteral("running"));
        QCOMPARE(running.checkpoint.value, 30);
        QCOMPARE(running.lagEvents, 0);
        QCOMPARE(running.lagTime.count(), 0);
        QVERIFY(running.held);
        QVERIFY2(running.owner.endsWith(QStringLiteral(":%1").arg(runner.processId())),
                 qPrintable(running.owner));
        QCOMPARE(running.handled, 30);
        QVERIFY(running.updated >= running.created);

        // The runner's lock is a session lock of its own connection, not of this process: the
        // same key taken here is refused.
        QCOMPARE(scalar(QStringLiteral("SELECT pg_try_advisory_lock(hashtext("
                                       "'eventium.subscription:%1'), subscription_id)::int FROM "
                                       "%2 WHERE name = 'running'")
                            .arg(schema(), table(QStringLiteral("subscriptions")))),
                 0);

        // More events: the runner follows, the idle one falls further behind.
        appendEvents(store(), 10, m_counter);
        QTRY_COMPARE_WITH_TIMEOUT(stored(QStringLiteral("running")), 40, 30000);
        listed = REQUIRE_OK(Subscription::list(store()));
        QCOMPARE(listed.at(0).lagEvents, 28);
        QCOMPARE(listed.at(1).lagEvents, 0);

        runner.kill();
        QVERIFY(runner.waitForFinished(10000));
        QTRY_VERIFY_WITH_TIMEOUT(!REQUIRE_OK(Subscription::list(store())).at(1).held, 10000);
        QCOMPARE(REQUIRE_OK(Subscription::list(store())).at(1).checkpoint.value, 40);
    }

    // Moving a checkpoint: back and forth, to the head, refused while held (by a runner in this
    // process, on its own connection), past the head, below 0, for an unknown name; a runner
    // started afterwards begins after the moved checkpoint.
    void moveCheckpoint()
    {
        appendEvents(store(), 20, m_counter);
        REQUIRE_OK(store().sequenceNow());
        Collector seen;
        Subscription sub(store(), quick(QStringLiteral("mover")), seen.handler());
        QCOMPARE(REQUIRE_OK(sub.catchUp()), 20);

        auto moved = REQUIRE_OK(
            Subscription::moveCheckpoint(store(), QStringLiteral("mover"), GlobalPosition(5)));
        QCOMPARE(moved.status, CheckpointMove::Status::Moved);
        QCOMPARE(moved.from.value, 20);
        QCOMPARE(moved.to.value, 5);
        QCOMPARE(moved.head.value, 20);
        QCOMPARE(stored(QStringLiteral("mover")), 5);
        // The runner replays from there.
        QCOMPARE(REQUIRE_OK(sub.catchUp()), 15);
        QCOMPARE(seen.snapshot().mid(20), range(6, 20));

        // Past the head, below 0, unknown: nothing changes.
        auto beyond = REQUIRE_OK(
            Subscription::moveCheckpoint(store(), QStringLiteral("mover"), GlobalPosition(21)));
        QCOMPARE(beyond.status, CheckpointMove::Status::BeyondHead);
        QCOMPARE(beyond.head.value, 20);
        QCOMPARE(stored(QStringLiteral("mover")), 20);
        auto negative
            = Subscription::moveCheckpoint(store(), QStringLiteral("mover"), GlobalPosition(-1));
        QVERIFY(!negative.ok());
        QCOMPARE(negative.error().kind(), StoreError::Kind::InvalidInput);
        auto unknown = REQUIRE_OK(
            Subscription::moveCheckpoint(store(), QStringLiteral("nobody"), GlobalPosition(0)));
        QCOMPARE(unknown.status, CheckpointMove::Status::NotFound);
        QVERIFY(REQUIRE_OK(Subscription::list(store())).size() == 1); // nothing created

        // Held by a running runner: refused, and the checkpoint is the runner's.
        appendEvents(store(), 10, m_counter);
        REQUIRE_OK(store().sequenceNow());
        sub.start();
        QTRY_VERIFY_WITH_TIMEOUT(sub.isLive() && sub.checkpoint().value == 30, 20000);
        auto held = REQUIRE_OK(
            Subscription::moveCheckpoint(store(), QStringLiteral("mover"), GlobalPosition(0)));
        QCOMPARE(held.status, CheckpointMove::Status::Held);
        QCOMPARE(held.from.value, 30);
        QCOMPARE(stored(QStringLiteral("mover")), 30);
        sub.stop();
        QVERIFY(sub.wait());

        // To the head, when the runner is gone; then back to 0, and a new runner replays all.
        appendEvents(store(), 5, m_counter);
        REQUIRE_OK(store().sequenceNow());
        auto toHead = REQUIRE_OK(
            Subscription::moveCheckpoint(store(), QStringLiteral("mover"), GlobalPosition::end()));
        QCOMPARE(toHead.status, CheckpointMove::Status::Moved);
        QCOMPARE(toHead.from.value, 30);
        QCOMPARE(toHead.to.value, 35);
        QCOMPARE(stored(QStringLiteral("mover")), 35);
        QCOMPARE(REQUIRE_OK(Subscription::list(store())).at(0).lagEvents, 0);
        REQUIRE_OK(
            Subscription::moveCheckpoint(store(), QStringLiteral("mover"), GlobalPosition(0)));
        Collector again;
        Subscription fresh(store(), quick(QStringLiteral("mover")), again.handler());
        QCOMPARE(REQUIRE_OK(fresh.catchUp()), 35);
        QCOMPARE(again.snapshot(), range(1, 35));
    }

    // A move holds the subscription's lock for its transaction: a runner that starts meanwhile
    // waits, then begins after the moved checkpoint.
    void runnerWaitsForAMove()
    {
        appendEvents(store(), 10, m_counter);
        REQUIRE_OK(store().sequenceNow());
        REQUIRE_OK(
            Subscription::resetCheckpoint(store(), QStringLiteral("racer"), GlobalPosition(0)));
        // The lock a move takes, held here in an open transaction.
        exec(QStringLiteral("BEGIN"));
        QCOMPARE(scalar(QStringLiteral("SELECT pg_try_advisory_xact_lock(hashtext("
                                       "'eventium.subscription:%1'), subscription_id)::int FROM "
                                       "%2 WHERE name = 'racer'")
                            .arg(schema(), table(QStringLiteral("subscriptions")))),
                 1);
        QVERIFY(REQUIRE_OK(Subscription::list(store())).at(0).held);
        QCOMPARE(REQUIRE_OK(Subscription::moveCheckpoint(store(), QStringLiteral("racer"),
                                                         GlobalPosition(3)))
                     .status,
                 CheckpointMove::Status::Held);
        Collector seen;
        Subscription sub(store(), quick(QStringLiteral("racer")), seen.handler());
        sub.start();
        QTest::qWait(400);
        QCOMPARE(seen.size(), 0); // waiting for the lock
        exec(QStringLiteral("UPDATE %1 SET position = 7 WHERE name = 'racer'")
                 .arg(table(QStringLiteral("subscriptions"))));
        exec(QStringLiteral("COMMIT"));
        QTRY_COMPARE_WITH_TIMEOUT(seen.size(), 3, 20000);
        QCOMPARE(seen.snapshot(), range(8, 10));
        sub.stop();
        QVERIFY(sub.wait());
    }

    void invalidSettings()
    {
        Collector c;
        Subscription unnamed(store(), Subscription::Settings {}, c.handler());
        QCOMPARE(unnamed.catchUp().error().kind(), StoreError::Kind::InvalidInput);
        auto settings = quick(QStringLiteral("x"));
        settings.batchSize = 0;
        Subscription zero(store(), settings, c.handler());
        QCOMPARE(zero.run().error().kind(), StoreError::Kind::InvalidInput);
        QVERIFY(!Subscription::resetCheckpoint(store(), QString(), GlobalPosition(0)).ok());
    }
};

EVENTIUM_TEST_MAIN(TestSubscriptions)
#include "tst_subscriptions.moc"
