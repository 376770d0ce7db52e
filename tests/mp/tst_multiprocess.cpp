// The global order under several OS processes: writers appending to random streams (some
// batches to two streams atomically), one of them killed with SIGKILL mid-run, connections
// of two writers and of the follower terminated now and then, a follower in another process
// reading live, and a second follower SIGKILLed and resumed from its checkpoint. Afterwards
// the positions must be exactly 1..N, every event once, every batch whole, per-stream
// versions dense and in version order within the global order, and both followers must have
// delivered 1..N in order.
#include "support/globalorder.h"
#include "support/storetestcase.h"
#include "support/testconnection.h"
#include "support/testdatabase.h"
#include "support/testmain.h"

#include <eventium/store.h>

#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QProcess>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <csignal>
#include <memory>
#include <sys/types.h>
#include <vector>

using namespace eventium;
using eventium::test::TestDatabase;

namespace {

constexpr int kWriters = 4; // writers that run to the end
constexpr int kEventsPerWriter = 5000;
constexpr int kStreams = 8; // few enough that appends to one stream meet
constexpr int kKilledWriter = kWriters + 1; // its writer id
constexpr int kKillAfterBatches = 700; // logged batches before the SIGKILL

struct StoredEvent
{
    qint64 position = 0;
    QString stream;
    qint64 version = 0;
    int writer = 0;
    int batch = 0;
};

struct LoggedPart
{
    QString stream;
    qint64 first = 0;
    qint64 last = 0;
    QStringList ids;
};

struct LoggedBatch
{
    int batch = 0;
    QList<LoggedPart> parts; // one per stream
};

struct WriterLog
{
    QList<LoggedBatch> batches;
    bool done = false;
    qint64 conflicts = 0;
    bool wellFormed = true;
};

QByteArray readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

// Only complete lines: a process killed mid-write may leave half a line.
QList<QByteArray> completeLines(const QByteArray &text)
{
    QList<QByteArray> lines = text.split('\n');
    lines.removeLast(); // after the last '\n': empty or incomplete
    return lines;
}

WriterLog parseWriterLog(const QString &path)
{
    WriterLog log;
    for (const QByteArray &line : completeLines(readFile(path))) {
        if (line.startsWith("done ")) {
            log.done = true;
            log.conflicts = line.mid(5).toLongLong();
            continue;
        }
        const QList<QByteArray> fields = line.split(' ');
        if (fields.size() < 2) {
            log.wellFormed = false;
            continue;
        }
        LoggedBatch b;
        b.batch = fields.at(0).toInt();
        for (qsizetype i = 1; i < fields.size(); ++i) {
            const QList<QByteArray> f = fields.at(i).split('/');
            if (f.size() != 4) {
                log.wellFormed = false;
                continue;
            }
            LoggedPart part;
            part.stream = QString::fromUtf8(f.at(0));
            part.first = f.at(1).toLongLong();
            part.last = f.at(2).toLongLong();
            part.ids = QString::fromLatin1(f.at(3)).split(QLatin1Char(','));
            b.parts.append(part);
        }
        log.batches.append(b);
    }
    return log;
}

bool waitUntilFinished(QProcess &process, int ms)
{
    return process.state() == QProcess::NotRunning || process.waitForFinished(ms);
}

} // namespace

class TestMultiProcess : public eventium::test::StoreTestCase
{
    Q_OBJECT

private slots:
    void writersKilledWriterAndFollower()
    {
        StoreSettings settings;
        settings.runSequencer = false; // the writers and the follower number the events
        replaceStore(settings);
        const QString conn = TestDatabase::options().toConnInfo();
        QTemporaryDir dir;
        QVERIFY(dir.isValid());

        QElapsedTimer clock;
        clock.start();

        // The follower first, so that it reads live while the writers run.
        const QString followerOut = dir.filePath(QStringLiteral("follower.txt"));
        QProcess follower;
        follower.setProcessChannelMode(QProcess::ForwardedChannels);
        follower.start(QStringLiteral(WORKER_PATH),
                       {QStringLiteral("follower"), conn, schema(), followerOut});
        QVERIFY2(follower.waitForStarted(10000), qPrintable(follower.errorString()));

        std::vector<std::unique_ptr<QProcess>> writers;
        QStringList logs;
        for (int w = 1; w <= kKilledWriter; ++w) {
            auto p = std::make_unique<QProcess>();
            p->setProcessChannelMode(QProcess::ForwardedChannels);
            logs.append(dir.filePath(QStringLiteral("writer-%1.log").arg(w)));
            p->start(QStringLiteral(WORKER_PATH),
                     {QStringLiteral("writer"), conn, schema(), QString::number(w),
                      QString::number(kEventsPerWriter), QString::number(kStreams),
                      QString::number(1000 + w), logs.last()});
            QVERIFY2(p->waitForStarted(10000), qPrintable(p->errorString()));
            writers.push_back(std::move(p));
        }

        // A second follower, SIGKILLed mid-run and resumed from its last delivered position
        // by a new process, as a consumer restarting from its checkpoint would.
        const QString resumedOut1 = dir.filePath(QStringLiteral("resumed1.txt"));
        const QString resumedOut2 = dir.filePath(QStringLiteral("resumed2.txt"));
        QProcess resumed1;
        QProcess resumed2;
        resumed1.setProcessChannelMode(QProcess::ForwardedChannels);
        resumed2.setProcessChannelMode(QProcess::ForwardedChannels);
        resumed1.start(QStringLiteral(WORKER_PATH),
                       {QStringLiteral("follower"), conn, schema(), resumedOut1});
        QVERIFY2(resumed1.waitForStarted(10000), qPrintable(resumed1.errorString()));
        qint64 resumedFrom = 0;
        auto killAndResume = [&]() -> bool {
            if (::kill(pid_t(resumed1.processId()), SIGKILL) != 0
                || !waitUntilFinished(resumed1, 10000))
                return false;
            const QList<QByteArray> lines = completeLines(readFile(resumedOut1));
            resumedFrom = lines.isEmpty() ? 1 : lines.last().split(' ').at(0).toLongLong() + 1;
            resumed2.start(QStringLiteral(WORKER_PATH),
                           {QStringLiteral("follower"), conn, schema(), resumedOut2,
                            QString::number(resumedFrom)});
            return resumed2.waitForStarted(10000);
        };

        // Connections are terminated under the running processes now and then: two writers'
        // (their appends retry once on a fresh connection, with the same event ids) and the
        // main follower's (it reconnects and carries on).
        QSqlQuery terminate(sql());
        terminate.prepare(
            QStringLiteral("SELECT count(pg_terminate_backend(pid)) FROM "
                           "pg_stat_activity WHERE application_name = ANY(?::text[])"));
        const QString victims
            = QStringLiteral("{%1-writer-1,%1-writer-2,%1-follower}").arg(schema());
        qint64 terminated = 0;
        QElapsedTimer sinceTermination;
        sinceTermination.start();

        // SIGKILL one writer after it has acknowledged some but not all of its appends.
        QProcess &victim = *writers.back();
        bool killed = false;
        bool resumedKilled = false;
        while (clock.elapsed() < 100000) {
            int running = 0;
            for (int w = 0; w < kWriters; ++w)
                running += writers[size_t(w)]->state() == QProcess::Running ? 1 : 0;
            if (!killed && completeLines(readFile(logs.last())).size() >= kKillAfterBatches) {
                QVERIFY2(victim.state() == QProcess::Running,
                         "the writer to be killed finished before it could be killed");
                QVERIFY2(running > 0, "the other writers finished before the kill");
                QCOMPARE(::kill(pid_t(victim.processId()), SIGKILL), 0);
                killed = true;
            }
            if (!resumedKilled && completeLines(readFile(resumedOut1)).size() >= 6000) {
                QVERIFY(killAndResume());
                resumedKilled = true;
            }
            if (running == 0)
                break;
            if (sinceTermination.elapsed() >= 300) {
                terminate.addBindValue(victims);
                QVERIFY2(terminate.exec() && terminate.next(),
                         qPrintable(terminate.lastError().text()));
                terminated += terminate.value(0).toLongLong();
                sinceTermination.restart();
            }
            QTest::qWait(10);
        }
        QVERIFY2(killed, "the writer to be killed never logged enough appends");
        QVERIFY(waitUntilFinished(victim, 10000));
        QCOMPARE(victim.exitStatus(), QProcess::CrashExit);
        if (!resumedKilled)
            QVERIFY(killAndResume());
        QVERIFY2(terminated > 0, "no connection was terminated");

        for (int w = 0; w < kWriters; ++w) {
            QProcess &p = *writers[size_t(w)];
            QVERIFY2(waitUntilFinished(p, int(qMax<qint64>(1000, 120000 - clock.elapsed()))),
                     qPrintable(QStringLiteral("writer %1 did not finish").arg(w + 1)));
            QCOMPARE(p.exitStatus(), QProcess::NormalExit);
            QCOMPARE(p.exitCode(), 0);
        }
        const qint64 writeMs = clock.elapsed();
        const qsizetype seenWhileWriting = completeLines(readFile(followerOut)).size();

        QSqlQuery q(sql());
        SQL_EXEC(q, QStringLiteral("SET search_path TO \"%1\"").arg(schema()));
        SQL_EXEC(q, QStringLiteral("SELECT count(*) FROM events"));
        QVERIFY(q.next());
        const qint64 total = q.value(0).toLongLong();
        QVERIFY2(total >= qint64(kWriters) * kEventsPerWriter, qPrintable(QString::number(total)));

        // The follower numbers what the killed writer left behind and delivers it all.
        QElapsedTimer wait;
        wait.start();
        qsizetype followerLines = 0;
        while (wait.elapsed() < 60000) {
            followerLines = completeLines(readFile(followerOut)).size();
            if (followerLines >= total)
                break;
            QTest::qWait(50);
        }
        QVERIFY2(followerLines >= total,
                 qPrintable(QStringLiteral("the follower delivered %1 of %2 events")
                                .arg(followerLines)
                                .arg(total)));
        // A moment for anything beyond N (which would be a bug) to show up too.
        QTest::qWait(500);
        QElapsedTimer resumedWait;
        resumedWait.start();
        while (resumedWait.elapsed() < 30000
               && completeLines(readFile(resumedOut2)).size() < total - resumedFrom + 1) {
            QTest::qWait(50);
        }
        for (const QString &out : {followerOut, resumedOut2}) {
            QFile stop(out + QStringLiteral(".stop"));
            QVERIFY(stop.open(QIODevice::WriteOnly));
            stop.close();
        }
        for (QProcess *p : {&follower, &resumed2}) {
            QVERIFY2(waitUntilFinished(*p, 20000), "a follower did not stop");
            QCOMPARE(p->exitStatus(), QProcess::NormalExit);
            QCOMPARE(p->exitCode(), 0);
        }
        const qint64 allMs = clock.elapsed();

        // ---- SQL: dense positions, each event once, per-stream versions 1..k matching the
        // stream's version, and every stream's events in version order.
        VERIFY_GLOBAL_ORDER(sql(), schema(), total);
        SQL_EXEC(q, QStringLiteral("SELECT count(DISTINCT event_id) FROM events"));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toLongLong(), total);
        SQL_EXEC(q, QStringLiteral("SELECT count(*) FROM streams"));
        QVERIFY(q.next());
        const qint64 streams = q.value(0).toLongLong();
        QVERIFY(streams > 0 && streams <= kStreams);

        // ---- SQL: every batch whole: all n events, one transaction, and (ordered by
        // (tx, id)) consecutive positions; within each of its streams, consecutive versions.
        SQL_EXEC(q,
                 QStringLiteral("SELECT (e.data->>'w')::int, (e.data->>'b')::int, count(*), "
                                "min((e.data->>'n')::int), max((e.data->>'n')::int), "
                                "count(DISTINCT e.stream_id), count(DISTINCT e.tx), "
                                "max(g.position) - min(g.position) + 1, "
                                "count(DISTINCT (e.data->>'i')::int), min(g.position) "
                                "FROM events e JOIN global_events g ON g.event_row = e.id "
                                "GROUP BY 1, 2 ORDER BY 1, 2"));
        QHash<int, QList<int>> committedBatches; // writer -> batch numbers, ascending
        QHash<int, qint64> lastBatchStart; // writer -> first position of its last batch
        QHash<int, qint64> eventsByWriter;
        qint64 multiStream = 0;
        while (q.next()) {
            const int w = q.value(0).toInt();
            const int b = q.value(1).toInt();
            const qint64 n = q.value(3).toLongLong();
            const QString what = QStringLiteral("writer %1 batch %2").arg(w).arg(b);
            QVERIFY2(q.value(2).toLongLong() == n && q.value(4).toLongLong() == n,
                     qPrintable(what
                                + QStringLiteral(": partial batch (%1 of %2 events)")
                                      .arg(q.value(2).toLongLong())
                                      .arg(n)));
            const qint64 streamsOfBatch = q.value(5).toLongLong();
            QVERIFY2(streamsOfBatch == 1 || streamsOfBatch == 2,
                     qPrintable(what + QStringLiteral(": streams")));
            multiStream += streamsOfBatch == 2 ? 1 : 0;
            QVERIFY2(q.value(6).toLongLong() == 1, qPrintable(what + QStringLiteral(": txs")));
            QVERIFY2(q.value(7).toLongLong() == n,
                     qPrintable(what + QStringLiteral(": positions not consecutive")));
            QVERIFY2(q.value(8).toLongLong() == n, qPrintable(what + QStringLiteral(": indexes")));
            // A writer appends one batch after the other: a later batch of the same writer
            // started after the earlier one committed, so it must come later in the order.
            const qint64 start = q.value(9).toLongLong();
            QVERIFY2(start > lastBatchStart.value(w, 0),
                     qPrintable(what + QStringLiteral(": ordered before an earlier batch")));
            lastBatchStart.insert(w, start);
            committedBatches[w].append(b);
            eventsByWriter[w] += n;
        }
        QVERIFY2(multiStream > 0, "no multi-stream batch was written");
        SQL_EXEC(q,
                 QStringLiteral("SELECT count(*) FROM (SELECT 1 FROM events e GROUP BY "
                                "(e.data->>'w')::int, (e.data->>'b')::int, e.stream_id "
                                "HAVING max(e.version) - min(e.version) + 1 <> count(*)) x"));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toLongLong(), 0);

        // ---- All events by id, for the logs and the follower.
        SQL_EXEC(q,
                 QStringLiteral("SELECT g.position, e.event_id::text, s.name, e.version, "
                                "(e.data->>'w')::int, (e.data->>'b')::int FROM events e "
                                "JOIN global_events g ON g.event_row = e.id JOIN streams s "
                                "ON s.stream_id = e.stream_id ORDER BY g.position"));
        QHash<QString, StoredEvent> byId;
        QStringList idAtPosition {QString()}; // index = position
        while (q.next()) {
            StoredEvent e;
            e.position = q.value(0).toLongLong();
            e.stream = q.value(2).toString();
            e.version = q.value(3).toLongLong();
            e.writer = q.value(4).toInt();
            e.batch = q.value(5).toInt();
            const QString id = q.value(1).toString();
            byId.insert(id, e);
            idAtPosition.append(id);
        }
        QCOMPARE(qint64(byId.size()), total);

        // ---- Writers' logs: every acknowledged append is stored exactly as acknowledged.
        qint64 unloggedCommitted = 0;
        qint64 conflicts = 0;
        for (int w = 1; w <= kKilledWriter; ++w) {
            const WriterLog log = parseWriterLog(logs.at(w - 1));
            QVERIFY2(log.wellFormed, qPrintable(QStringLiteral("writer %1's log").arg(w)));
            QList<int> logged;
            qint64 loggedEvents = 0;
            for (const LoggedBatch &b : log.batches) {
                logged.append(b.batch);
                QVERIFY(b.parts.size() == 1 || b.parts.size() == 2);
                for (const LoggedPart &part : b.parts) {
                    QCOMPARE(qint64(part.ids.size()), part.last - part.first + 1);
                    for (int i = 0; i < part.ids.size(); ++i) {
                        const auto it = byId.constFind(part.ids.at(i));
                        QVERIFY2(it != byId.constEnd(),
                                 qPrintable(QStringLiteral("writer %1 batch %2: acknowledged "
                                                           "event %3 is missing")
                                                .arg(w)
                                                .arg(b.batch)
                                                .arg(part.ids.at(i))));
                        QCOMPARE(it->stream, part.stream);
                        QCOMPARE(it->version, part.first + i);
                        QCOMPARE(it->writer, w);
                        QCOMPARE(it->batch, b.batch);
                    }
                    loggedEvents += part.ids.size();
                }
            }
            for (int i = 0; i < logged.size(); ++i)
                QCOMPARE(logged.at(i), i + 1);
            const QList<int> committed = committedBatches.value(w);
            if (w <= kWriters) {
                QVERIFY2(log.done, qPrintable(QStringLiteral("writer %1 did not finish").arg(w)));
                QCOMPARE(loggedEvents, qint64(kEventsPerWriter));
                QCOMPARE(eventsByWriter.value(w), qint64(kEventsPerWriter));
                QCOMPARE(committed, logged);
                conflicts += log.conflicts;
            } else {
                QVERIFY(!log.done);
                QVERIFY(logged.size() >= kKillAfterBatches);
                QVERIFY(loggedEvents < kEventsPerWriter);
                // Committed: everything logged, plus at most the one append in flight.
                QVERIFY2(committed.size() == logged.size()
                             || (committed.size() == logged.size() + 1
                                 && committed.last() == logged.size() + 1),
                         qPrintable(QStringLiteral("killed writer: %1 batches logged, %2 "
                                                   "committed")
                                        .arg(logged.size())
                                        .arg(committed.size())));
                QCOMPARE(committed.mid(0, logged.size()), logged);
                unloggedCommitted = eventsByWriter.value(w) - loggedEvents;
            }
        }
        QCOMPARE(total, qint64(kWriters) * kEventsPerWriter + eventsByWriter.value(kKilledWriter));

        // ---- The follower: 1..N in order, each once, the same events as stored.
        const QList<QByteArray> lines = completeLines(readFile(followerOut));
        QVERIFY(!lines.isEmpty());
        QCOMPARE(lines.last(), QByteArray("stopped ") + QByteArray::number(total));
        QCOMPARE(qint64(lines.size() - 1), total);
        for (qint64 i = 0; i < total; ++i) {
            const QList<QByteArray> parts = lines.at(i).split(' ');
            QCOMPARE(parts.size(), 2);
            const qint64 position = parts.at(0).toLongLong();
            if (position != i + 1)
                QFAIL(qPrintable(QStringLiteral("the follower's event #%1 has position %2")
                                     .arg(i + 1)
                                     .arg(position)));
            QCOMPARE(QString::fromLatin1(parts.at(1)), idAtPosition.at(i + 1));
        }
        QVERIFY2(seenWhileWriting > 0, "the follower delivered nothing while the writers ran");

        // ---- The killed and resumed follower: together 1..N in order, each once.
        QList<QByteArray> resumedLines = completeLines(readFile(resumedOut1));
        QCOMPARE(qint64(resumedLines.size()), resumedFrom - 1);
        const QList<QByteArray> second = completeLines(readFile(resumedOut2));
        QVERIFY(!second.isEmpty());
        QCOMPARE(second.last(), QByteArray("stopped ") + QByteArray::number(total));
        resumedLines += second.mid(0, second.size() - 1);
        QCOMPARE(qint64(resumedLines.size()), total);
        for (qint64 i = 0; i < total; ++i) {
            const QList<QByteArray> parts = resumedLines.at(i).split(' ');
            QCOMPARE(parts.size(), 2);
            if (parts.at(0).toLongLong() != i + 1)
                QFAIL(qPrintable(QStringLiteral("the resumed follower's event #%1 has position %2")
                                     .arg(i + 1)
                                     .arg(QString::fromLatin1(parts.at(0)))));
            QCOMPARE(QString::fromLatin1(parts.at(1)), idAtPosition.at(i + 1));
        }

        qInfo("%lld events (%lld by the killed writer, %lld of them unacknowledged) in %lld "
              "streams, %lld batches to two streams, %lld version conflicts retried, %lld "
              "connections "
              "terminated, a follower killed and resumed at %lld; writers done after %lld ms, "
              "follower at %lld of them then; all "
              "delivered after %lld ms",
              total, eventsByWriter.value(kKilledWriter), unloggedCommitted, qint64(streams),
              multiStream, conflicts, terminated, resumedFrom, writeMs, qint64(seenWhileWriting),
              allMs);
    }
};

EVENTIUM_TEST_MAIN(TestMultiProcess)
#include "tst_multiprocess.moc"
