// Stream order inside the global order, under contention: many writers (threads and
// processes) on one to three hot streams, single and batched appends, multi-stream appends
// crossing each other, and appends made inside a caller's transaction that wrote before.
// Besides density (positions 1..N, each event once), every check asserts that no event is
// numbered before a lower version of its own stream.
#include "support/globalorder.h"
#include "support/storetestcase.h"
#include "support/testconnection.h"
#include "support/testdatabase.h"
#include "support/testmain.h"

#include <eventium/store.h>

#include <QElapsedTimer>
#include <QFile>
#include <QMutex>
#include <QProcess>
#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

using namespace eventium;
using eventium::test::TestConnection;
using eventium::test::TestDatabase;

namespace {

// Failures seen in other threads, reported by the test's thread.
class Failures
{
public:
    void add(const QString &what)
    {
        QMutexLocker lock(&m_mutex);
        if (m_first.isEmpty())
            m_first = what;
        ++m_count;
    }
    // Whether an append went through; an error or a conflict is added.
    bool succeeded(const Result<AppendResult> &r)
    {
        if (r && r->succeeded())
            return true;
        add(r ? QStringLiteral("conflict") : r.error().toString());
        return false;
    }
    QString summary() const
    {
        QMutexLocker lock(&m_mutex);
        return m_count == 0 ? QString()
                            : QStringLiteral("%1 failures, first: %2").arg(m_count).arg(m_first);
    }

private:
    mutable QMutex m_mutex;
    QString m_first;
    int m_count = 0;
};

QList<NewEvent> batchOf(int n, const QString &data)
{
    QList<NewEvent> out;
    for (int i = 0; i < n; ++i) {
        NewEvent e;
        e.type = QStringLiteral("Hot");
        e.data = data.toUtf8();
        out.append(e);
    }
    return out;
}

} // namespace

class TestStreamOrder : public eventium::test::StoreTestCase
{
    Q_OBJECT

private slots:
    // 8 threads append to a few streams with any(), each append waiting for the one before.
    void threadsOnHotStreams_data()
    {
        QTest::addColumn<int>("streams");
        QTest::addColumn<int>("maxBatch");
        QTest::newRow("one stream, single events") << 1 << 1;
        QTest::newRow("three streams, single events") << 3 << 1;
        QTest::newRow("three streams, batches of 1-5") << 3 << 5;
    }

    void threadsOnHotStreams()
    {
        QFETCH(int, streams);
        QFETCH(int, maxBatch);
        constexpr int kThreads = 8;
        constexpr int kAppendsPerThread = 300;
        Failures failures;
        std::atomic<qint64> appended {0};
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                QRandomGenerator rng(quint32(100 + t));
                for (int i = 0; i < kAppendsPerThread; ++i) {
                    const int n = 1 + int(rng.bounded(maxBatch));
                    const StreamName stream(QStringLiteral("hot-%1").arg(rng.bounded(streams)));
                    if (failures.succeeded(
                            store().append(stream, ExpectedVersion::any(),
                                           batchOf(n, QStringLiteral("{\"t\": %1}").arg(t)))))
                        appended += n;
                }
            });
        }
        for (auto &t : threads)
            t.join();
        QVERIFY2(failures.summary().isEmpty(), qPrintable(failures.summary()));
        const GlobalPosition head = REQUIRE_OK(store().sequenceNow(std::chrono::seconds(30)));
        QCOMPARE(head.value, appended.load());
        VERIFY_GLOBAL_ORDER(sql(), schema(), appended.load());
    }

    // Writer processes (eventium_mp_worker) on three streams: single events with any(), or
    // batches of 1-5, one in five to two streams at once, a third with exact versions.
    void processesOnHotStreams_data()
    {
        QTest::addColumn<QString>("role");
        QTest::addColumn<int>("processes");
        QTest::addColumn<int>("eventsPerProcess");
        QTest::newRow("8 processes, single events") << QStringLiteral("hot") << 8 << 1000;
        QTest::newRow("6 processes, mixed batches") << QStringLiteral("writer") << 6 << 1200;
    }

    void processesOnHotStreams()
    {
        QFETCH(QString, role);
        QFETCH(int, processes);
        QFETCH(int, eventsPerProcess);
        StoreSettings settings;
        settings.runSequencer = false; // the writers number the events
        replaceStore(settings);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString conn = TestDatabase::options().toConnInfo();
        std::vector<std::unique_ptr<QProcess>> writers;
        for (int w = 1; w <= processes; ++w) {
            auto p = std::make_unique<QProcess>();
            p->setProcessChannelMode(QProcess::ForwardedChannels);
            const QString events = QString::number(eventsPerProcess);
            const QString seed = QString::number(500 + w);
            p->start(QStringLiteral(WORKER_PATH),
                     role == QLatin1String("hot")
                         ? QStringList {role, conn, schema(), events, QStringLiteral("3"), seed}
                         : QStringList {role, conn, schema(), QString::number(w), events,
                                        QStringLiteral("3"), seed,
                                        dir.filePath(QStringLiteral("writer-%1.log").arg(w))});
            QVERIFY2(p->waitForStarted(10000), qPrintable(p->errorString()));
            writers.push_back(std::move(p));
        }
        for (auto &p : writers) {
            QVERIFY2(p->waitForFinished(180000), "a writer did not finish");
            QCOMPARE(p->exitStatus(), QProcess::NormalExit);
            QCOMPARE(p->exitCode(), 0);
        }
        const GlobalPosition head = REQUIRE_OK(store().sequenceNow(std::chrono::seconds(30)));
        const qint64 total = qint64(processes) * eventsPerProcess;
        QCOMPARE(head.value, total);
        VERIFY_GLOBAL_ORDER(sql(), schema(), total);
    }

    // 12 threads append atomically to crossing pairs of three streams (each pair in both
    // orders). Besides stream order, each multi-stream append's events are consecutive.
    void multiStreamAppendsCrossing()
    {
        constexpr int kThreads = 12;
        constexpr int kAppendsPerThread = 150;
        Failures failures;
        std::atomic<qint64> appended {0};
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                QRandomGenerator rng(quint32(300 + t));
                const int a = t % 3;
                const int b = (t + 1 + (t / 3) % 2) % 3; // (0,1) (1,2) (2,0) and (0,2) ...
                for (int i = 0; i < kAppendsPerThread; ++i) {
                    const QString data = QStringLiteral("{\"t\": %1, \"i\": %2}").arg(t).arg(i);
                    QList<StreamAppend> appends(2);
                    appends[0].stream = StreamName(QStringLiteral("cross-%1").arg(a));
                    appends[0].events = batchOf(1 + int(rng.bounded(2)), data);
                    appends[1].stream = StreamName(QStringLiteral("cross-%1").arg(b));
                    appends[1].events = batchOf(1 + int(rng.bounded(2)), data);
                    auto r = store().appendMulti(appends);
                    if (!r || !r->committed)
                        failures.add(r ? QStringLiteral("conflict") : r.error().toString());
                    else
                        appended += appends[0].events.size() + appends[1].events.size();
                }
            });
        }
        for (auto &t : threads)
            t.join();
        QVERIFY2(failures.summary().isEmpty(), qPrintable(failures.summary()));
        REQUIRE_OK(store().sequenceNow(std::chrono::seconds(30)));
        VERIFY_GLOBAL_ORDER(sql(), schema(), appended.load());
        QSqlQuery q(sql());
        SQL_EXEC(q,
                 QStringLiteral("SELECT count(*) FROM (SELECT 1 FROM \"%1\".events e JOIN "
                                "\"%1\".global_events g ON g.event_row = e.id GROUP BY e.data "
                                "HAVING max(g.position) - min(g.position) + 1 <> count(*)) x")
                     .arg(schema()));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toLongLong(), 0);
    }

    // Appends made with append_events() inside a transaction that wrote something first (so
    // it holds a transaction id before it waits for the stream), the way an exactly-once
    // handler appends in its checkpoint transaction, racing plain appends to the same streams.
    void appendsInsideCallerTransaction()
    {
        constexpr int kCallerThreads = 4;
        constexpr int kPlainThreads = 4;
        constexpr int kAppendsPerThread = 200;
        exec(QStringLiteral("CREATE TABLE %1 (id bigserial PRIMARY KEY, note text)")
                 .arg(table(QStringLiteral("read_model"))));
        Failures failures;
        std::atomic<qint64> appended {0};
        std::vector<std::thread> threads;
        for (int t = 0; t < kCallerThreads; ++t) {
            threads.emplace_back([&, t] {
                TestConnection own;
                if (!own.isOpen())
                    return failures.add(own.error());
                QSqlDatabase db = own.db();
                QRandomGenerator rng(quint32(700 + t));
                for (int i = 0; i < kAppendsPerThread; ++i) {
                    if (!db.transaction())
                        return failures.add(db.lastError().text());
                    QSqlQuery q(db);
                    q.prepare(QStringLiteral("INSERT INTO \"%1\".read_model (note) VALUES (?)")
                                  .arg(schema()));
                    q.addBindValue(QStringLiteral("caller %1").arg(t));
                    if (!q.exec()) {
                        db.rollback();
                        return failures.add(q.lastError().text());
                    }
                    q.prepare(QStringLiteral("SELECT status FROM \"%1\".append_events(?, -1, "
                                             "?::uuid[], ARRAY['Caller'], ARRAY['{}']::jsonb[], "
                                             "ARRAY[NULL]::jsonb[])")
                                  .arg(schema()));
                    q.addBindValue(QStringLiteral("shared-%1").arg(rng.bounded(2)));
                    q.addBindValue(QStringLiteral("{%1}").arg(
                        QUuid::createUuid().toString(QUuid::WithoutBraces)));
                    if (!q.exec() || !q.next() || q.value(0).toInt() != 0) {
                        failures.add(q.lastError().text());
                        db.rollback();
                        continue;
                    }
                    q.finish();
                    if (!db.commit())
                        return failures.add(db.lastError().text());
                    ++appended;
                }
            });
        }
        for (int t = 0; t < kPlainThreads; ++t) {
            threads.emplace_back([&, t] {
                QRandomGenerator rng(quint32(800 + t));
                for (int i = 0; i < kAppendsPerThread; ++i) {
                    const int n = 1 + int(rng.bounded(3));
                    if (failures.succeeded(store().append(
                            StreamName(QStringLiteral("shared-%1").arg(i % 2)),
                            ExpectedVersion::any(), batchOf(n, QStringLiteral("{}")))))
                        appended += n;
                }
            });
        }
        for (auto &t : threads)
            t.join();
        QVERIFY2(failures.summary().isEmpty(), qPrintable(failures.summary()));
        REQUIRE_OK(store().sequenceNow(std::chrono::seconds(30)));
        VERIFY_GLOBAL_ORDER(sql(), schema(), appended.load());
    }
};

EVENTIUM_TEST_MAIN(TestStreamOrder)
#include "tst_streamorder.moc"
