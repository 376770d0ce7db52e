// The sequencer under stress: 8 threads append while a long-open write transaction holds the
// horizon back for a few seconds, and a reader polls readAll all along. Afterwards everything
// is numbered densely, nothing is lost, positions follow (tx, id) order, every stream's
// events are in version order, and nothing the reader saw ever changed or had an event
// appear before it.
#include "support/globalorder.h"
#include "support/storetestcase.h"
#include "support/testconnection.h"
#include "support/testdatabase.h"
#include "support/testmain.h"

#include <eventium/follower.h>
#include <eventium/store.h>

#include <QElapsedTimer>
#include <QHash>
#include <QMutex>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QThread>
#include <QUuid>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

using namespace eventium;
using eventium::test::TestConnection;
using eventium::test::TestDatabase;

namespace {

constexpr int kWriterThreads = 8;
constexpr int kStreams = 20;

// Problems found in other threads, reported by the test's thread.
class Problems
{
public:
    void add(const QString &what)
    {
        QMutexLocker lock(&m_mutex);
        if (m_list.size() < 20)
            m_list.append(what);
        ++m_count;
    }
    QString summary() const
    {
        QMutexLocker lock(&m_mutex);
        return m_count == 0 ? QString()
                            : QStringLiteral("%1 problems, first: %2")
                                  .arg(m_count)
                                  .arg(m_list.join(QStringLiteral("; ")));
    }

private:
    mutable QMutex m_mutex;
    QStringList m_list;
    int m_count = 0;
};

struct ReaderLog
{
    QList<QUuid> idAt {QUuid()}; // index = position
    qint64 pages = 0;
    qint64 rereads = 0;
    qint64 headChanges = 0;
};

} // namespace

class TestSequencerStress : public eventium::test::StoreTestCase
{
    Q_OBJECT

private slots:
    void writersLongTransactionAndReader()
    {
        Problems problems;

        // A follower delivers live all along, through the hold.
        Follower::Settings fs;
        fs.schema = schema();
        Follower follower(TestDatabase::options(), fs);
        QList<RecordedEvent> delivered;
        connect(&follower, &Follower::eventsReceived, this,
                [&delivered](const QList<RecordedEvent> &batch) { delivered.append(batch); });
        follower.start();

        // ---- Writers: any() appends of 1-3 events to random streams until told to stop.
        std::atomic<bool> stopWriters {false};
        std::atomic<qint64> appended {0};
        std::vector<QList<QUuid>> written(kWriterThreads);
        std::vector<std::thread> writers;
        for (int t = 0; t < kWriterThreads; ++t) {
            writers.emplace_back([&, t] {
                QRandomGenerator rng(quint32(7 + t));
                while (!stopWriters.load()) {
                    QList<NewEvent> batch;
                    const int n = 1 + int(rng.bounded(3));
                    for (int i = 0; i < n; ++i) {
                        NewEvent e;
                        e.type = QStringLiteral("Stress");
                        e.id = QUuid::createUuid();
                        e.data = QStringLiteral("{\"t\": %1}").arg(t).toUtf8();
                        batch.append(e);
                    }
                    const StreamName stream(QStringLiteral("stress-%1").arg(rng.bounded(kStreams)));
                    auto r = store().append(stream, ExpectedVersion::any(), batch);
                    if (!r || !r->succeeded()) {
                        problems.add(
                            QStringLiteral("append failed: %1")
                                .arg(r ? QStringLiteral("conflict") : r.error().toString()));
                        continue;
                    }
                    for (const NewEvent &e : batch)
                        written[size_t(t)].append(e.id);
                    appended += n;
                }
            });
        }

        // ---- Reader: follows readAll page by page; now and then re-reads an earlier range.
        std::atomic<bool> stopReader {false};
        std::atomic<qint64> readerNext {1};
        ReaderLog seen;
        std::thread reader([&] {
            QRandomGenerator rng(99);
            qint64 next = 1;
            qint64 lastHead = 0;
            while (true) {
                auto page = store().readAll(GlobalPosition(next), 500);
                if (!page) {
                    problems.add(QStringLiteral("readAll failed: %1").arg(page.error().toString()));
                    QThread::msleep(10);
                    continue;
                }
                ++seen.pages;
                if (page->head.value < lastHead)
                    problems.add(QStringLiteral("head went back from %1 to %2")
                                     .arg(lastHead)
                                     .arg(page->head.value));
                if (page->head.value != lastHead)
                    ++seen.headChanges;
                lastHead = qMax(lastHead, page->head.value);
                for (qsizetype i = 0; i < page->events.size(); ++i) {
                    const RecordedEvent &e = page->events.at(i);
                    if (e.position.value != next + i) {
                        problems.add(QStringLiteral("page from %1: event #%2 at position %3")
                                         .arg(next)
                                         .arg(i)
                                         .arg(e.position.value));
                        break;
                    }
                    seen.idAt.append(e.id);
                }
                if (page->events.isEmpty() && next <= page->head.value)
                    problems.add(QStringLiteral("empty page from %1 below head %2")
                                     .arg(next)
                                     .arg(page->head.value));
                next += page->events.size();
                readerNext = next;
                // Re-read something already seen: it must be exactly as it was.
                if (next > 1 && seen.pages % 4 == 0) {
                    const qint64 from = 1 + qint64(rng.bounded(quint64(next - 1)));
                    auto again = store().readAll(GlobalPosition(from), 200);
                    if (again) {
                        ++seen.rereads;
                        for (const RecordedEvent &e : again->events) {
                            const qint64 p = e.position.value;
                            if (p >= next)
                                break;
                            if (seen.idAt.at(p) != e.id)
                                problems.add(QStringLiteral("position %1 changed").arg(p));
                        }
                    }
                }
                if (page->events.isEmpty()) {
                    if (stopReader.load())
                        break;
                    QThread::msleep(2);
                }
            }
        });

        auto fail = [&](const char *why) {
            stopWriters = true;
            stopReader = true;
            for (auto &w : writers)
                w.join();
            reader.join();
            QFAIL(why);
        };

        // ---- The long transaction: a slow append that stays open for 3 s.
        QTest::qWait(800);
        QString slowXid;
        const QUuid slowId = QUuid::createUuid();
        qint64 numberedBelow = -1;
        qint64 headAtEndOfHold = -1;
        qint64 appendedDuringHold = 0;
        QString stalledXid;
        {
            TestConnection slow;
            if (!slow.isOpen())
                return fail(qPrintable(slow.error()));
            QSqlDatabase db = slow.db();
            if (!db.transaction())
                return fail(qPrintable(db.lastError().text()));
            QSqlQuery q(db);
            q.prepare(QStringLiteral("SELECT status FROM \"%1\".append_events(?, ?, ?::uuid[], "
                                     "ARRAY['Slow'], ARRAY['{}']::jsonb[], ARRAY[NULL]::jsonb[])")
                          .arg(schema()));
            q.addBindValue(QStringLiteral("slow-stream"));
            q.addBindValue(qint64(-1));
            q.addBindValue(QStringLiteral("{%1}").arg(slowId.toString(QUuid::WithoutBraces)));
            if (!q.exec() || !q.next() || q.value(0).toInt() != 0)
                return fail(qPrintable(q.lastError().text()));
            if (!q.exec(QStringLiteral("SELECT pg_current_xact_id()::text")) || !q.next())
                return fail(qPrintable(q.lastError().text()));
            slowXid = q.value(0).toString();
            const qint64 before = appended.load();

            QElapsedTimer hold;
            hold.start();
            while (hold.elapsed() < 3000) {
                auto stats = store().stats();
                if (stats && stats->oldestRunningXid == slowXid)
                    stalledXid = stats->oldestRunningXid;
                QTest::qWait(100);
            }
            appendedDuringHold = appended.load() - before;
            if (auto h = store().headPosition())
                headAtEndOfHold = h->value;
            {
                TestConnection other;
                if (other.isOpen()) {
                    QSqlQuery c(other.db());
                    c.prepare(
                        QStringLiteral("SELECT count(*) FROM \"%1\".events WHERE tx < ?::xid8")
                            .arg(schema()));
                    c.addBindValue(slowXid);
                    if (c.exec() && c.next())
                        numberedBelow = c.value(0).toLongLong();
                }
            }
            if (!db.commit())
                return fail(qPrintable(db.lastError().text()));
        }

        QTest::qWait(800);
        stopWriters = true;
        for (auto &w : writers)
            w.join();
        auto head = store().sequenceNow(std::chrono::seconds(30));
        if (!head)
            return fail(qPrintable(head.error().toString()));
        const qint64 total = appended.load() + 1;
        QElapsedTimer wait;
        wait.start();
        while (readerNext.load() <= total && wait.elapsed() < 30000)
            QTest::qWait(20);
        stopReader = true;
        reader.join();

        QVERIFY2(problems.summary().isEmpty(), qPrintable(problems.summary()));
        QCOMPARE(head->value, total);

        // Held back: while the slow transaction was open, the head stopped at the events of
        // older transactions, the writers were not blocked, and stats named the culprit.
        QVERIFY2(appendedDuringHold > 0, "the writers were blocked by the long transaction");
        QCOMPARE(headAtEndOfHold, numberedBelow);
        QCOMPARE(stalledXid, slowXid);

        // ---- The final state, in SQL.
        {
            QSqlQuery q(sql());
            SQL_EXEC(q, QStringLiteral("SET search_path TO \"%1\"").arg(schema()));
            SQL_EXEC(q, QStringLiteral("SELECT count(DISTINCT event_id) FROM events"));
            QVERIFY(q.next());
            QCOMPARE(q.value(0).toLongLong(), total);
            // Dense, each event once, every stream in version order.
            VERIFY_GLOBAL_ORDER(sql(), schema(), total);
            // Positions follow (tx, id) order exactly.
            SQL_EXEC(q,
                     QStringLiteral("SELECT count(*) FROM (SELECT g.position, row_number() "
                                    "OVER (ORDER BY e.tx, e.id) AS rn FROM global_events g "
                                    "JOIN events e ON e.id = g.event_row) x "
                                    "WHERE x.position <> x.rn"));
            QVERIFY(q.next());
            QCOMPARE(q.value(0).toLongLong(), 0);
            // The slow event comes right after everything of older transactions.
            q.prepare(QStringLiteral("SELECT g.position FROM global_events g JOIN events e "
                                     "ON e.id = g.event_row WHERE e.event_id = ?::uuid"));
            q.addBindValue(slowId.toString(QUuid::WithoutBraces));
            QVERIFY(q.exec() && q.next());
            QCOMPARE(q.value(0).toLongLong(), numberedBelow + 1);
        }

        // ---- Everything appended is there once; what the reader saw is the final state.
        QHash<QUuid, qint64> positionOf;
        GlobalPosition next(1);
        while (true) {
            auto page = store().readAll(next, 5000);
            QVERIFY2(page, qPrintable(page ? QString() : page.error().toString()));
            for (const RecordedEvent &e : page->events)
                positionOf.insert(e.id, e.position.value);
            if (page->events.isEmpty())
                break;
            next = page->next;
        }
        QCOMPARE(qint64(positionOf.size()), total);
        for (const QList<QUuid> &ids : written) {
            for (const QUuid &id : ids)
                QVERIFY2(positionOf.contains(id), qPrintable(id.toString()));
        }
        QVERIFY(positionOf.contains(slowId));
        QCOMPARE(qint64(seen.idAt.size() - 1), total);
        QTRY_COMPARE_WITH_TIMEOUT(qint64(delivered.size()), total, 30000);
        follower.stop();
        for (qint64 i = 0; i < total; ++i) {
            const RecordedEvent &e = delivered.at(i);
            if (e.position.value != i + 1 || positionOf.value(e.id) != i + 1)
                QFAIL(qPrintable(QStringLiteral("the follower's event #%1 is %2 at position %3")
                                     .arg(i + 1)
                                     .arg(e.id.toString())
                                     .arg(e.position.value)));
        }
        for (qint64 p = 1; p < seen.idAt.size(); ++p) {
            if (positionOf.value(seen.idAt.at(p)) != p)
                QFAIL(qPrintable(QStringLiteral("the reader saw %1 at position %2, finally at %3")
                                     .arg(seen.idAt.at(p).toString())
                                     .arg(p)
                                     .arg(positionOf.value(seen.idAt.at(p)))));
        }
        qInfo("%lld events by %d threads (%lld while the horizon was held back at %lld); reader: "
              "%lld pages, %lld re-reads, %lld head changes",
              total, kWriterThreads, appendedDuringHold, numberedBelow, seen.pages, seen.rereads,
              seen.headChanges);
    }

    // One large transaction is numbered over several steps (each limited to maxRows) while
    // small appends commit around it: positions stay dense and in (tx, id) order.
    void largeTransactionAcrossSteps()
    {
        StoreSettings settings;
        settings.runSequencer = false;
        replaceStore(settings);
        QList<NewEvent> big;
        for (int i = 0; i < 12000; ++i) {
            NewEvent e;
            e.type = QStringLiteral("Big");
            e.data = QStringLiteral("{\"i\": %1}").arg(i).toUtf8();
            big.append(e);
        }
        std::atomic<bool> stop {false};
        std::thread small([&] {
            QList<NewEvent> one(1);
            one[0].type = QStringLiteral("Small");
            while (!stop.load()) {
                one[0].id = QUuid();
                (void)store().append(StreamName(QStringLiteral("small")), ExpectedVersion::any(),
                                     one);
            }
        });
        auto r = store().append(StreamName(QStringLiteral("big")), ExpectedVersion::any(), big);
        QTest::qWait(100);
        stop = true;
        small.join();
        QVERIFY2(r, qPrintable(r ? QString() : r.error().toString()));
        int steps = 0;
        while (true) {
            auto step = store().sequenceStep(1000);
            QVERIFY2(step, qPrintable(step ? QString() : step.error().toString()));
            if (step->numbered > 0)
                ++steps;
            QVERIFY(step->numbered <= 1000);
            if (step->numbered == 0 && !step->pending)
                break;
        }
        QVERIFY(steps >= 12);
        QList<RecordedEvent> all;
        GlobalPosition next(1);
        while (true) {
            auto page = store().readAll(next, 5000);
            QVERIFY(page);
            all += page->events;
            if (page->events.isEmpty())
                break;
            next = page->next;
        }
        auto stats = store().stats();
        QVERIFY(stats);
        QCOMPARE(qint64(all.size()), stats->events);
        QCOMPARE(stats->pending, 0);
        // The big append's events are consecutive, in version order.
        qint64 firstBig = -1;
        for (qsizetype i = 0; i < all.size(); ++i) {
            QCOMPARE(all.at(i).position.value, i + 1);
            if (all.at(i).stream == QLatin1String("big")) {
                if (firstBig < 0)
                    firstBig = i;
                QCOMPARE(all.at(i).version.value, i - firstBig + 1);
            }
        }
        QVERIFY(firstBig >= 0);
        QCOMPARE(all.at(firstBig + 11999).version.value, 12000);
    }

    // Store::sequenceNow promises to return once nothing written before the call is left
    // unnumbered; events other writers keep adding after the call must not keep it busy
    // until the timeout.
    void sequenceNowReturnsUnderContinuousLoad_data()
    {
        QTest::addColumn<bool>("writersSequence");
        QTest::newRow("writers run no sequencer") << false;
        QTest::newRow("writers run the sequencer") << true;
    }

    void sequenceNowReturnsUnderContinuousLoad()
    {
        QFETCH(bool, writersSequence);
        StoreSettings settings;
        settings.runSequencer = writersSequence;
        replaceStore(settings);
        std::atomic<bool> stop {false};
        std::atomic<qint64> failures {0};
        std::vector<std::thread> writers;
        for (int t = 0; t < 4; ++t) {
            writers.emplace_back([&, t] {
                QList<NewEvent> batch(1);
                batch[0].type = QStringLiteral("Load");
                while (!stop.load()) {
                    batch[0].id = QUuid();
                    auto r = store().append(StreamName(QStringLiteral("load-%1").arg(t)),
                                            ExpectedVersion::any(), batch);
                    if (!r)
                        ++failures;
                }
            });
        }
        QTest::qWait(500);
        QList<NewEvent> mine(1);
        mine[0].type = QStringLiteral("Mine");
        auto appended
            = store().append(StreamName(QStringLiteral("mine")), ExpectedVersion::any(), mine);
        QElapsedTimer t;
        t.start();
        auto head = store().sequenceNow(std::chrono::seconds(20));
        const qint64 elapsed = t.elapsed();
        stop = true;
        for (auto &w : writers)
            w.join();
        QVERIFY(appended);
        QVERIFY2(head, qPrintable(head ? QString() : head.error().toString()));
        QCOMPARE(failures.load(), 0);
        auto mineRead = store().readStream(StreamName(QStringLiteral("mine")), StreamVersion(1));
        QVERIFY(mineRead && mineRead->size() == 1);
        qInfo() << "sequenceNow under load returned after" << elapsed << "ms at head" << head->value
                << "; the event appended before it is at" << mineRead->first().position.value;
        QVERIFY(mineRead->first().position.value > 0);
        QVERIFY(mineRead->first().position.value <= head->value);
        QVERIFY2(elapsed < 5000, "sequenceNow ran until its timeout under continuous load");
    }
};

EVENTIUM_TEST_MAIN(TestSequencerStress)
#include "tst_sequencerstress.moc"
