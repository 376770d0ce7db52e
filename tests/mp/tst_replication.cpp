// The store on PostgreSQL's streaming replication, on servers the test starts itself: a
// follower on a hot standby under writes, a synchronous standby promoted while writers append
// (nothing acknowledged lost, doubled, reordered or renumbered), and an asynchronous standby
// that had not received every commit promoted (followers and `eventium tail --follow` report
// the rewritten history instead of waiting or delivering other events at known positions).
#include "support/logcapture.h"
#include "support/replicaset.h"
#include "support/require.h"
#include "support/testmain.h"

#include <eventium/follower.h>
#include <eventium/store.h>
#include <eventium/toolkit/subscription.h>

#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QMutex>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <QUuid>

#include <algorithm>
#include <atomic>
#include <memory>

using namespace eventium;
using eventium::test::ReplicaSet;

namespace {

const QString kSchema = QStringLiteral("eventium");

NewEvent newEvent(const QString &type, int i)
{
    NewEvent e;
    e.type = type;
    e.data = QStringLiteral("{\"i\": %1}").arg(i).toUtf8();
    e.id = QUuid::createUuid();
    return e;
}

StoreSettings settings(bool sequencer = true)
{
    StoreSettings s;
    s.schema = kSchema;
    s.poolSize = 4;
    s.runSequencer = sequencer;
    s.acquireTimeout = std::chrono::milliseconds(5000);
    return s;
}

Follower::Settings followerSettings()
{
    Follower::Settings s;
    s.schema = kSchema;
    s.reconnectDelay = std::chrono::milliseconds(100);
    return s;
}

// Every event of the store from position 1, in order.
QList<RecordedEvent> readEverything(Store &store, QString *error)
{
    QList<RecordedEvent> all;
    GlobalPosition next(1);
    while (true) {
        auto page = store.readAll(next, 5000);
        if (!page) {
            *error = page.error().toString();
            return all;
        }
        all.append(page->events);
        if (page->events.isEmpty() || page->next.value > page->head.value)
            return all;
        next = page->next;
    }
}

// Positions 1..n each once in order, each stream's versions rising along them; empty when so.
QString checkHistory(const QList<RecordedEvent> &events)
{
    QHash<QString, qint64> versions;
    for (qsizetype i = 0; i < events.size(); ++i) {
        const RecordedEvent &e = events.at(i);
        if (e.position.value != i + 1)
            return QStringLiteral("event #%1 is at position %2").arg(i + 1).arg(e.position.value);
        const qint64 before = versions.value(e.stream, 0);
        if (e.version.value != before + 1)
            return QStringLiteral("%1 version %2 follows version %3 in the global order")
                .arg(e.stream)
                .arg(e.version.value)
                .arg(before);
        versions.insert(e.stream, e.version.value);
    }
    return {};
}

// The ERROR lines of a server's log.
QStringList serverErrors(const QString &logFile)
{
    QFile f(logFile);
    QStringList errors;
    if (!f.open(QIODevice::ReadOnly))
        return {QStringLiteral("cannot read %1").arg(logFile)};
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.contains("ERROR:") || line.contains("FATAL:"))
            errors << QString::fromUtf8(line);
    }
    return errors;
}

// Appends single events to a few hot streams until told to stop, retrying each append with
// the same ids until it is acknowledged (an idempotent retry), and records what was
// acknowledged and when.
class Writer
{
public:
    Writer(ConnectionOptions options, int index)
        : m_store(std::make_unique<Store>(std::move(options), settings()))
        , m_index(index)
    {
    }

    void run(const std::atomic<bool> &stop, const QElapsedTimer &clock)
    {
        for (int i = 0; !stop.load(); ++i) {
            const QList<NewEvent> events {newEvent(QStringLiteral("Written"), i)};
            const StreamName stream(QStringLiteral("hot-%1").arg((m_index + i) % 3));
            while (true) {
                auto r = m_store->append(stream, ExpectedVersion::any(), events);
                if (r) {
                    if (r->status == AppendResult::Status::AlreadyAppended)
                        ++alreadyAppended;
                    acknowledged.append(events.first().id);
                    ackTimes.append(clock.elapsed());
                    break;
                }
                ++failures;
                if (!r.error().isRetryable() && r.error().kind() != StoreError::Kind::Timeout
                    && r.error().kind() != StoreError::Kind::Other) {
                    error = r.error().toString();
                    return;
                }
                QThread::msleep(20);
            }
        }
    }

    QList<QUuid> acknowledged;
    QList<qint64> ackTimes;
    int alreadyAppended = 0;
    int failures = 0;
    QString error;

private:
    std::unique_ptr<Store> m_store;
    int m_index;
};

} // namespace

class TestReplication : public QObject
{
    Q_OBJECT

private slots:
    void followerOnHotStandbyUnderWrites()
    {
        ReplicaSet set(false);
        QString error;
        QVERIFY2(set.start(&error), qPrintable(error));
        Store primary(set.primaryOptions(), settings(false));
        REQUIRE_OK(primary.migrate());
        QVERIFY2(set.waitForReplay(&error), qPrintable(error));

        eventium::test::LogCapture log;
        Follower follower(set.standbyOptions(), followerSettings());
        QList<RecordedEvent> got;
        connect(&follower, &Follower::eventsReceived, this,
                [&got](const QList<RecordedEvent> &batch) { got.append(batch); });
        QSignalSpy errors(&follower, &Follower::errorOccurred);
        follower.start();

        // Two writers, 600 appends each, through the primary.
        constexpr int kAppends = 600;
        auto write = [&set](int w) {
            Store store(set.primaryOptions(), settings());
            for (int i = 0; i < kAppends; ++i) {
                auto r = store.append(StreamName(QStringLiteral("hot-%1").arg(i % 3)),
                                      ExpectedVersion::any(),
                                      {newEvent(QStringLiteral("W%1").arg(w), i)});
                if (!r)
                    qWarning() << "append failed:" << r.error().toString();
            }
            (void)store.sequenceNow();
        };
        std::unique_ptr<QThread> a(QThread::create(write, 1));
        std::unique_ptr<QThread> b(QThread::create(write, 2));
        a->start();
        b->start();
        while (!a->isFinished() || !b->isFinished())
            QTest::qWait(20);
        REQUIRE_OK(primary.sequenceNow());
        QTRY_COMPARE_WITH_TIMEOUT(got.size(), 2 * kAppends, 30000);
        QVERIFY(follower.isOnStandby());
        QVERIFY(follower.isLive());
        QVERIFY2(errors.isEmpty(),
                 qPrintable(errors.isEmpty()
                                ? QString()
                                : errors.first().first().value<StoreError>().toString()));
        const QString why = checkHistory(got);
        QVERIFY2(why.isEmpty(), qPrintable(why));
        // What the standby has, event for event.
        QString readError;
        const QList<RecordedEvent> stored = readEverything(primary, &readError);
        QVERIFY2(readError.isEmpty(), qPrintable(readError));
        QCOMPARE(stored.size(), got.size());
        for (qsizetype i = 0; i < got.size(); ++i)
            QCOMPARE(got.at(i).id, stored.at(i).id);
        follower.stop();
        // A store with its sequencer thread reading from the standby (as the CLI's does): it
        // does not step there either.
        {
            // Events not numbered yet, replayed to the standby: a step there would try to.
            Store unsequenced(set.primaryOptions(), settings(false));
            QVERIFY(REQUIRE_OK(unsequenced.append(StreamName(QStringLiteral("later")),
                                                  ExpectedVersion::any(),
                                                  {newEvent(QStringLiteral("Later"), 0)}))
                        .succeeded());
            QVERIFY2(set.waitForReplay(&error), qPrintable(error));
            Store reader(set.standbyOptions(), settings(true));
            QCOMPARE(REQUIRE_OK(reader.headPosition()).value, qint64(2 * kAppends));
            QTest::qWait(700); // a few of the sequencer's poll intervals (250 ms)
            QCOMPARE(REQUIRE_OK(reader.headPosition()).value, qint64(2 * kAppends));
            QCOMPARE(REQUIRE_OK(unsequenced.sequenceNow()).value, qint64(2 * kAppends + 1));
        }
        // Neither LISTEN nor a sequencer step was tried on the standby: it logged no error,
        // and neither did the follower.
        const QStringList serverLog = serverErrors(set.standby().logFile());
        QVERIFY2(serverLog.isEmpty(), qPrintable(serverLog.join(QLatin1Char('\n'))));
        for (const QString &line : log.lines())
            QVERIFY2(!line.contains(QLatin1String("cannot")), qPrintable(line));
    }

    // A sequencer step commits durably while a standby replicates: its positions reach the
    // standby at once, not with the primary's next WAL flush (here at least 10 s away).
    void positionsReachTheStandbyWithoutWaitingForAFlush()
    {
        ReplicaSet set(false);
        QString error;
        QVERIFY2(set.start(&error), qPrintable(error));
        QVERIFY2(
            set.execOnPrimary(QStringLiteral("ALTER SYSTEM SET wal_writer_delay = '10s'"), &error),
            qPrintable(error));
        QVERIFY2(set.execOnPrimary(QStringLiteral("SELECT pg_reload_conf()"), &error),
                 qPrintable(error));
        Store primary(set.primaryOptions(), settings(false));
        REQUIRE_OK(primary.migrate());
        QVERIFY2(set.waitForReplay(&error), qPrintable(error));
        Store standby(set.standbyOptions(), settings(false));
        for (int i = 1; i <= 3; ++i) {
            QVERIFY(
                REQUIRE_OK(primary.append(StreamName(QStringLiteral("s")), ExpectedVersion::any(),
                                          {newEvent(QStringLiteral("T"), i)}))
                    .succeeded());
            QCOMPARE(REQUIRE_OK(primary.sequenceNow()).value, qint64(i));
            QElapsedTimer waited;
            waited.start();
            QTRY_COMPARE_WITH_TIMEOUT(REQUIRE_OK(standby.headPosition()).value, qint64(i), 5000);
            qInfo() << "position" << i << "on the standby after" << waited.elapsed() << "ms";
        }
    }

    void synchronousStandbyPromotedUnderWritersLosesNothing()
    {
        ReplicaSet set(true);
        QString error;
        QVERIFY2(set.start(&error), qPrintable(error));
        {
            Store primary(set.primaryOptions(), settings(false));
            REQUIRE_OK(primary.migrate());
        }

        // A follower through the multi-host string: the primary, then the promoted standby.
        Follower follower(set.writerOptions(), followerSettings());
        QList<RecordedEvent> got;
        connect(&follower, &Follower::eventsReceived, this,
                [&got](const QList<RecordedEvent> &batch) { got.append(batch); });
        QSignalSpy errors(&follower, &Follower::errorOccurred);
        follower.start();

        constexpr int kWriters = 4;
        std::atomic<bool> stop {false};
        QElapsedTimer clock;
        clock.start();
        std::vector<std::unique_ptr<Writer>> writers;
        std::vector<std::unique_ptr<QThread>> threads;
        for (int w = 0; w < kWriters; ++w) {
            writers.push_back(std::make_unique<Writer>(set.writerOptions(), w));
            Writer *writer = writers.back().get();
            threads.emplace_back(
                QThread::create([writer, &stop, &clock] { writer->run(stop, clock); }));
            threads.back()->start();
        }
        QTest::qWait(1500);
        const qint64 crashedAt = clock.elapsed();
        QVERIFY2(set.stopPrimary(&error), qPrintable(error));
        QVERIFY2(set.promoteStandby(&error), qPrintable(error));
        const qint64 promotedAt = clock.elapsed();
        QTest::qWait(1500);
        stop = true;
        for (auto &t : threads) {
            while (!t->isFinished())
                QTest::qWait(20);
        }

        QList<QUuid> acknowledged;
        int retriedAlreadyThere = 0;
        int failures = 0;
        std::vector<qint64> times;
        for (const auto &w : writers) {
            QVERIFY2(w->error.isEmpty(), qPrintable(w->error));
            acknowledged.append(w->acknowledged);
            retriedAlreadyThere += w->alreadyAppended;
            failures += w->failures;
            times.insert(times.end(), w->ackTimes.cbegin(), w->ackTimes.cend());
        }
        std::sort(times.begin(), times.end());
        qint64 longestGap = 0;
        qint64 acknowledgedBefore = 0;
        for (size_t i = 1; i < times.size(); ++i) {
            longestGap = std::max(longestGap, times[i] - times[i - 1]);
            if (times[i] < crashedAt)
                ++acknowledgedBefore;
        }
        QVERIFY2(acknowledgedBefore > 50, "the writers acknowledged too little before the crash");
        QVERIFY2(times.back() > promotedAt, "nothing was acknowledged after the promotion");

        Store promoted(set.standbyOptions(), settings());
        REQUIRE_OK(promoted.sequenceNow(std::chrono::seconds(30)));
        QString readError;
        const QList<RecordedEvent> stored = readEverything(promoted, &readError);
        QVERIFY2(readError.isEmpty(), qPrintable(readError));
        const QString why = checkHistory(stored);
        QVERIFY2(why.isEmpty(), qPrintable(why));
        QHash<QUuid, qint64> positionOf;
        for (const RecordedEvent &e : stored) {
            QVERIFY2(!positionOf.contains(e.id), "an event is stored twice");
            positionOf.insert(e.id, e.position.value);
        }
        int lost = 0;
        for (const QUuid &id : acknowledged)
            lost += positionOf.contains(id) ? 0 : 1;
        QCOMPARE(lost, 0);

        // The follower went on through the failover: everything, in order, as stored.
        QTRY_COMPARE_WITH_TIMEOUT(got.size(), stored.size(), 30000);
        for (qsizetype i = 0; i < got.size(); ++i) {
            QCOMPARE(got.at(i).position, stored.at(i).position);
            QCOMPARE(got.at(i).id, stored.at(i).id);
        }
        for (const QList<QVariant> &e : errors)
            QVERIFY(e.first().value<StoreError>().kind() != StoreError::Kind::HistoryRewritten);
        QVERIFY(!follower.isStopped());
        qInfo().noquote() << QStringLiteral(
                                 "failover: %1 appends acknowledged (%2 before the crash, %3 "
                                 "retries answered AlreadyAppended, %4 failed attempts retried), "
                                 "none lost; crash to promoted %5 ms; longest time without an "
                                 "acknowledgement %6 ms")
                                 .arg(acknowledged.size())
                                 .arg(acknowledgedBefore)
                                 .arg(retriedAlreadyThere)
                                 .arg(failures)
                                 .arg(promotedAt - crashedAt)
                                 .arg(longestGap);
    }

    void asynchronousStandbyThatLostCommitsIsReported()
    {
        ReplicaSet set(false);
        QString error;
        QVERIFY2(set.start(&error), qPrintable(error));
        auto appendMany = [](Store &store, int n, const QString &type) {
            for (int i = 0; i < n; i += 10) {
                QList<NewEvent> batch;
                for (int k = 0; k < 10; ++k)
                    batch << newEvent(type, i + k);
                auto r = store.append(StreamName(QStringLiteral("s-%1").arg(i % 4)),
                                      ExpectedVersion::any(), batch);
                if (!r || !r->succeeded())
                    return false;
            }
            return bool(store.sequenceNow());
        };
        {
            Store primary(set.primaryOptions(), settings(false));
            REQUIRE_OK(primary.migrate());
            QVERIFY(appendMany(primary, 100, QStringLiteral("Replicated")));
            QVERIFY2(set.waitForReplay(&error), qPrintable(error));
            // The standby stops receiving: these 50 exist on the primary only.
            QVERIFY2(set.stopStandby(&error), qPrintable(error));
            QVERIFY(appendMany(primary, 50, QStringLiteral("Lost")));
        }

        // A follower that stays running, one stopped after reading everything (it checks when
        // started again), and the CLI.
        Follower running(set.writerOptions(), followerSettings());
        QSignalSpy runningErrors(&running, &Follower::errorOccurred);
        Follower paused(set.writerOptions(), followerSettings());
        QList<RecordedEvent> pausedGot;
        connect(&paused, &Follower::eventsReceived, this,
                [&pausedGot](const QList<RecordedEvent> &batch) { pausedGot.append(batch); });
        QSignalSpy pausedErrors(&paused, &Follower::errorOccurred);
        running.start();
        paused.start();
        // A subscription runner (at least once) that handles everything.
        Store subscriptionStore(set.writerOptions(), settings(false));
        std::atomic<int> handled {0};
        toolkit::Subscription::Settings ss;
        ss.name = QStringLiteral("audit");
        ss.reconnectDelay = std::chrono::milliseconds(100);
        ss.pollInterval = std::chrono::milliseconds(100);
        toolkit::Subscription subscription(subscriptionStore, ss,
                                           [&handled](const QList<RecordedEvent> &events) {
                                               handled += int(events.size());
                                               return Result<Done>(Done {});
                                           });
        subscription.start();
        QProcess cli;
        cli.setProcessChannelMode(QProcess::SeparateChannels);
        cli.start(QStringLiteral(EVENTIUM_CLI_PATH),
                  {QStringLiteral("--db"), set.writerOptions().toConnInfo(), QStringLiteral("tail"),
                   QStringLiteral("--follow")});
        QVERIFY(cli.waitForStarted());
        QTRY_COMPARE_WITH_TIMEOUT(running.nextPosition().value, qint64(151), 20000);
        QTRY_COMPARE_WITH_TIMEOUT(pausedGot.size(), 150, 20000);
        paused.stop();
        QTRY_COMPARE_WITH_TIMEOUT(subscription.checkpoint().value, qint64(150), 20000);
        QByteArray printed;
        QTRY_VERIFY_WITH_TIMEOUT((printed += cli.readAllStandardOutput()).count('\n') >= 150,
                                 20000);
        QVERIFY(pausedGot.last().position.value == 150);

        // The primary crashes; the standby, 50 commits behind, is promoted.
        QVERIFY2(set.stopPrimary(&error), qPrintable(error));
        QVERIFY2(set.startStandby(&error), qPrintable(error));
        QVERIFY2(set.promoteStandby(&error), qPrintable(error));

        // Its head (100) is behind what the running follower and the CLI read (150).
        auto rewritten = [](const QSignalSpy &spy) {
            for (const QList<QVariant> &e : spy) {
                if (e.first().value<StoreError>().kind() == StoreError::Kind::HistoryRewritten)
                    return e.first().value<StoreError>().message();
            }
            return QString();
        };
        QTRY_VERIFY_WITH_TIMEOUT(!rewritten(runningErrors).isEmpty(), 30000);
        QVERIFY(running.isStopped());
        QVERIFY2(rewritten(runningErrors).contains(QLatin1String("head is 100")),
                 qPrintable(rewritten(runningErrors)));
        // The runner, back on the promoted server, stops instead of handling positions
        // 101..150 again (they will hold other events).
        QVERIFY(subscription.wait(std::chrono::seconds(30)));
        QVERIFY(subscription.lastError().has_value());
        QCOMPARE(subscription.lastError()->kind(), StoreError::Kind::HistoryRewritten);
        QCOMPARE(handled.load(), 150);
        QTRY_VERIFY_WITH_TIMEOUT(cli.state() == QProcess::NotRunning, 30000);
        QCOMPARE(cli.exitStatus(), QProcess::NormalExit);
        QCOMPARE(cli.exitCode(), 8);
        const QString cliError = QString::fromUtf8(cli.readAllStandardError());
        QVERIFY2(cliError.contains(QLatin1String("history rewritten")), qPrintable(cliError));

        // New events on the promoted server take positions 101.. again; the follower started
        // again finds another event where it delivered its last one.
        {
            Store promoted(set.standbyOptions(), settings(false));
            QVERIFY(appendMany(promoted, 80, QStringLiteral("New")));
        }
        paused.start();
        QTRY_VERIFY_WITH_TIMEOUT(!rewritten(pausedErrors).isEmpty(), 30000);
        QVERIFY(paused.isStopped());
        QVERIFY2(rewritten(pausedErrors).contains(QLatin1String("position 150 held event")),
                 qPrintable(rewritten(pausedErrors)));
        QCOMPARE(pausedGot.size(), 150); // nothing of the new history was delivered
    }
};

EVENTIUM_TEST_MAIN(TestReplication)
#include "tst_replication.moc"
