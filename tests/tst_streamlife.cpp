// The life of a stream against a real PostgreSQL: soft and hard deletes, truncation, max
// count and age, scavenging; with the peers' semantics (EventStoreDB's soft_delete and
// hard-delete cases, SQLStreamStore's delete and max-count cases), concurrent writers and a
// follower, and a server restart in the middle of a scavenge.
#include "support/storetestcase.h"
#include "support/testdatabase.h"
#include "support/testmain.h"

#include <eventium/follower.h>
#include <eventium/store.h>

#include <QElapsedTimer>
#include <QSet>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTest>
#include <QThread>

#include <atomic>
#include <thread>

using namespace eventium;
using eventium::test::TestDatabase;

namespace {

QList<NewEvent> evs(int n, const QString &type = QStringLiteral("Thing"))
{
    QList<NewEvent> out;
    for (int i = 0; i < n; ++i) {
        NewEvent e;
        e.type = type;
        e.data = QStringLiteral("{\"n\": %1}").arg(i).toUtf8();
        out.append(e);
    }
    return out;
}

QList<qint64> versionsOf(const QList<RecordedEvent> &events)
{
    QList<qint64> out;
    for (const RecordedEvent &e : events)
        out << e.version.value;
    return out;
}

} // namespace

class TestStreamLife : public eventium::test::StoreTestCase
{
    Q_OBJECT

    QList<qint64> versions(const QString &stream, StreamVersion from = StreamVersion(0),
                           Direction direction = Direction::Forward)
    {
        auto r = store().readStream(StreamName(stream), from, direction, 1000);
        if (!r)
            return {-1};
        return versionsOf(*r);
    }

    // Every event the global sequence shows, from the start.
    QList<RecordedEvent> all()
    {
        QList<RecordedEvent> out;
        GlobalPosition next(1);
        for (;;) {
            auto page = store().readAll(next, 1000);
            if (!page)
                return {};
            out += page->events;
            next = page->next;
            if (next > page->head)
                return out;
        }
    }

    qint64 rows(const QString &stream)
    {
        return scalar(
            QStringLiteral("SELECT count(*) FROM %1 e JOIN %2 s USING (stream_id) "
                           "WHERE s.name = '%3'")
                .arg(table(QStringLiteral("events")), table(QStringLiteral("streams")), stream));
    }

private slots:
    // EventStoreDB: a soft-deleted stream reads as no stream, and the first append after it
    // (any, no stream, or the exact last version) brings it back with versions going on.
    void softDeleteHidesAndTheNextAppendBringsItBack()
    {
        const StreamName s(QStringLiteral("order-1"));
        REQUIRE_OK(store().append(s, ExpectedVersion::noStream(), evs(2)));
        REQUIRE_OK(
            store().append(StreamName(QStringLiteral("order-2")), ExpectedVersion::any(), evs(1)));
        QVERIFY(store().sequenceNow());
        const DeleteResult deleted = REQUIRE_OK(store().deleteStream(s, ExpectedVersion::exact(2)));
        QCOMPARE(deleted.status, DeleteResult::Status::Deleted);
        QCOMPARE(deleted.version.value, 2);

        QCOMPARE(versions(s.value()), QList<qint64>());
        QCOMPARE(versions(s.value(), StreamVersion::end(), Direction::Backward), QList<qint64>());
        const auto info = REQUIRE_OK(store().streamInfo(s));
        QVERIFY(info.has_value());
        QVERIFY(info->isDeleted());
        QVERIFY(!info->tombstoned);
        QCOMPARE(info->version.value, 2);
        QCOMPARE(info->firstVisible.value, 3);
        // Out of the listings, out of the global sequence; positions stay taken.
        const StreamPage listed = REQUIRE_OK(store().listStreams());
        QCOMPARE(listed.streams.size(), 1);
        QCOMPARE(listed.streams.first().name, QStringLiteral("order-2"));
        const QList<RecordedEvent> global = all();
        QCOMPARE(global.size(), 1);
        QCOMPARE(global.first().stream, QStringLiteral("order-2"));
        QCOMPARE(REQUIRE_OK(store().headPosition()).value, 3);
        // Deleting again changes nothing.
        QCOMPARE(REQUIRE_OK(store().deleteStream(s)).status, DeleteResult::Status::AlreadyDeleted);

        // Back with `any`: versions go on after the old last one.
        const AppendResult back = REQUIRE_OK(store().append(s, ExpectedVersion::any(), evs(3)));
        QVERIFY(back.succeeded());
        QCOMPARE(back.firstVersion.value, 3);
        QCOMPARE(back.lastVersion.value, 5);
        QCOMPARE(versions(s.value()), QList<qint64>({3, 4, 5}));
        QVERIFY(!REQUIRE_OK(store().streamInfo(s))->isDeleted());
        QCOMPARE(REQUIRE_OK(store().listStreams()).streams.size(), 2);
        // Only the first append after the delete counts as recreating it.
        QVERIFY(REQUIRE_OK(store().append(s, ExpectedVersion::noStream(), evs(1))).isConflict());
        QVERIFY(store().sequenceNow());
        QCOMPARE(all().size(), 4);
    }

    void softDeletedStreamAcceptsNoStreamOrItsLastVersion_data()
    {
        QTest::addColumn<int>("expected"); // -1 any, -2 no stream, -3 exists, else exact
        QTest::addColumn<bool>("accepted");
        QTest::addColumn<qint64>("actual");
        QTest::newRow("any") << -1 << true << qint64(0);
        QTest::newRow("no stream") << -2 << true << qint64(0);
        QTest::newRow("exact last") << 2 << true << qint64(0);
        QTest::newRow("exists") << -3 << false << qint64(-1);
        QTest::newRow("exact other") << 1 << false << qint64(-1);
        QTest::newRow("exact zero") << 0 << false << qint64(-1);
    }
    void softDeletedStreamAcceptsNoStreamOrItsLastVersion()
    {
        QFETCH(int, expected);
        QFETCH(bool, accepted);
        QFETCH(qint64, actual);
        const StreamName s(QStringLiteral("re"));
        REQUIRE_OK(store().append(s, ExpectedVersion::noStream(), evs(2)));
        QCOMPARE(REQUIRE_OK(store().deleteStream(s)).status, DeleteResult::Status::Deleted);
        const ExpectedVersion e = expected == -1 ? ExpectedVersion::any()
            : expected == -2                     ? ExpectedVersion::noStream()
            : expected == -3                     ? ExpectedVersion::streamExists()
                                                 : ExpectedVersion::exact(expected);
        const AppendResult r = REQUIRE_OK(store().append(s, e, evs(1)));
        QCOMPARE(r.succeeded(), accepted);
        if (accepted) {
            QCOMPARE(r.firstVersion.value, 3);
            QCOMPARE(versions(s.value()), QList<qint64>({3}));
        } else {
            QCOMPARE(r.actualVersion, actual);
            QVERIFY(REQUIRE_OK(store().streamInfo(s))->isDeleted());
        }
    }

    // Delete honours its expectation as appends do (fuinorg's delete-stream table, ESDB).
    void deleteHonoursItsExpectation()
    {
        const StreamName s(QStringLiteral("acct"));
        REQUIRE_OK(store().append(s, ExpectedVersion::noStream(), evs(3)));
        DeleteResult r = REQUIRE_OK(store().deleteStream(s, ExpectedVersion::exact(2)));
        QCOMPARE(r.status, DeleteResult::Status::WrongExpectedVersion);
        QCOMPARE(r.version.value, 3);
        r = REQUIRE_OK(store().deleteStream(s, ExpectedVersion::noStream()));
        QCOMPARE(r.status, DeleteResult::Status::WrongExpectedVersion);
        QCOMPARE(versions(s.value()), QList<qint64>({1, 2, 3}));
        QCOMPARE(REQUIRE_OK(store().deleteStream(s, ExpectedVersion::streamExists())).status,
                 DeleteResult::Status::Deleted);
        // A stream that does not exist: nothing to delete softly; an exact version conflicts.
        const StreamName none(QStringLiteral("never"));
        QCOMPARE(REQUIRE_OK(store().deleteStream(none)).status, DeleteResult::Status::NotFound);
        QCOMPARE(REQUIRE_OK(store().deleteStream(none, ExpectedVersion::noStream())).status,
                 DeleteResult::Status::NotFound);
        r = REQUIRE_OK(store().deleteStream(none, ExpectedVersion::exact(1)));
        QCOMPARE(r.status, DeleteResult::Status::WrongExpectedVersion);
        QCOMPARE(r.version.value, -1);
        QVERIFY(!REQUIRE_OK(store().streamInfo(none)).has_value());
        // Bad input is refused before anything is sent.
        QCOMPARE(store().deleteStream(StreamName(QString())).error().kind(),
                 StoreError::Kind::InvalidInput);
    }

    // A hard delete is for good: reads, appends (any expectation, a retry of stored ids),
    // truncations and metadata say StreamDeleted; the name cannot be used again.
    void hardDeleteIsForGood()
    {
        const StreamName s(QStringLiteral("gone"));
        QList<NewEvent> stored = evs(2);
        for (NewEvent &e : stored)
            e.id = QUuid::createUuid();
        REQUIRE_OK(store().append(s, ExpectedVersion::noStream(), stored));
        QCOMPARE(
            REQUIRE_OK(store().deleteStream(s, ExpectedVersion::any(), DeleteMode::Hard)).status,
            DeleteResult::Status::Deleted);
        const auto info = REQUIRE_OK(store().streamInfo(s));
        QVERIFY(info && info->tombstoned && info->isDeleted());
        auto read = store().readStream(s, StreamVersion(1));
        QVERIFY(!read);
        QCOMPARE(read.error().kind(), StoreError::Kind::StreamDeleted);
        for (const ExpectedVersion e :
             {ExpectedVersion::any(), ExpectedVersion::noStream(), ExpectedVersion::streamExists(),
              ExpectedVersion::exact(2)}) {
            auto append = store().append(s, e, evs(1));
            QVERIFY2(!append, qPrintable(e.toString()));
            QCOMPARE(append.error().kind(), StoreError::Kind::StreamDeleted);
        }
        auto retry = store().append(s, ExpectedVersion::any(), stored);
        QVERIFY(!retry);
        QCOMPARE(retry.error().kind(), StoreError::Kind::StreamDeleted);
        QCOMPARE(store().truncate(s, StreamVersion(2)).error().kind(),
                 StoreError::Kind::StreamDeleted);
        QCOMPARE(store().setStreamMetadata(s, {}).error().kind(), StoreError::Kind::StreamDeleted);
        QCOMPARE(store().deleteStream(s).error().kind(), StoreError::Kind::StreamDeleted);
        // Deleting for good again changes nothing.
        QCOMPARE(
            REQUIRE_OK(store().deleteStream(s, ExpectedVersion::any(), DeleteMode::Hard)).status,
            DeleteResult::Status::AlreadyDeleted);
        // A soft-deleted stream can be deleted for good (ESDB).
        const StreamName soft(QStringLiteral("soft-then-hard"));
        REQUIRE_OK(store().append(soft, ExpectedVersion::any(), evs(1)));
        REQUIRE_OK(store().deleteStream(soft));
        QCOMPARE(
            REQUIRE_OK(store().deleteStream(soft, ExpectedVersion::any(), DeleteMode::Hard)).status,
            DeleteResult::Status::Deleted);
        QCOMPARE(store().append(soft, ExpectedVersion::any(), evs(1)).error().kind(),
                 StoreError::Kind::StreamDeleted);
        // A name never used, deleted for good, stays unusable.
        const StreamName reserved(QStringLiteral("reserved"));
        QCOMPARE(REQUIRE_OK(
                     store().deleteStream(reserved, ExpectedVersion::noStream(), DeleteMode::Hard))
                     .status,
                 DeleteResult::Status::Deleted);
        QCOMPARE(store().append(reserved, ExpectedVersion::noStream(), evs(1)).error().kind(),
                 StoreError::Kind::StreamDeleted);
        QCOMPARE(REQUIRE_OK(store().listStreams()).streams.size(), 0);
    }

    // Truncation hides what is before a version, in stream reads (both ways), global reads
    // and searches; it never moves back; past the end it hides everything so far only.
    void truncateHidesEarlierVersions()
    {
        const StreamName s(QStringLiteral("t"));
        REQUIRE_OK(store().append(s, ExpectedVersion::noStream(), evs(10)));
        QVERIFY(store().sequenceNow());
        QCOMPARE(REQUIRE_OK(store().truncate(s, StreamVersion(5))), StreamVersion(5));
        QCOMPARE(versions(s.value()), QList<qint64>({5, 6, 7, 8, 9, 10}));
        QCOMPARE(versions(s.value(), StreamVersion(2)), QList<qint64>({5, 6, 7, 8, 9, 10}));
        QCOMPARE(versions(s.value(), StreamVersion::end(), Direction::Backward),
                 QList<qint64>({10, 9, 8, 7, 6, 5}));
        QCOMPARE(versions(s.value(), StreamVersion(4), Direction::Backward), QList<qint64>());
        QCOMPARE(versionsOf(all()), QList<qint64>({5, 6, 7, 8, 9, 10}));
        GlobalFilter filter;
        filter.where = QStringLiteral("n < 7");
        const StreamSearchPage found
            = REQUIRE_OK(store().searchStream(s, StreamVersion(1), 100, filter));
        QCOMPARE(versionsOf(found.events), QList<qint64>({5, 6, 7}));
        QCOMPARE(REQUIRE_OK(store().readAll(GlobalPosition(1), 100, filter)).events.size(), 3);

        QCOMPARE(REQUIRE_OK(store().truncate(s, StreamVersion(3))), StreamVersion(5));
        QCOMPARE(REQUIRE_OK(store().truncate(s, StreamVersion(1000))), StreamVersion(11));
        QCOMPARE(versions(s.value()), QList<qint64>());
        QVERIFY(!REQUIRE_OK(store().streamInfo(s))->isDeleted());
        REQUIRE_OK(store().append(s, ExpectedVersion::exact(10), evs(2)));
        QCOMPARE(versions(s.value()), QList<qint64>({11, 12}));
        QVERIFY(!REQUIRE_OK(store().truncate(StreamName(QStringLiteral("nope")), StreamVersion(2)))
                     .has_value());
        QCOMPARE(store().truncate(s, StreamVersion(0)).error().kind(),
                 StoreError::Kind::InvalidInput);
    }

    // SQLStreamStore's max count and EventStoreDB's $maxCount / $maxAge: only the newest n,
    // only the young ones; the window moves with appends; clearing the metadata (before a
    // scavenge) shows everything again.
    void maxCountAndMaxAge()
    {
        const StreamName s(QStringLiteral("limited"));
        REQUIRE_OK(store().append(s, ExpectedVersion::noStream(), evs(10)));
        StreamMetadata m;
        m.maxCount = 3;
        QVERIFY(REQUIRE_OK(store().setStreamMetadata(s, m)));
        QCOMPARE(REQUIRE_OK(store().streamInfo(s))->metadata, m);
        QCOMPARE(versions(s.value()), QList<qint64>({8, 9, 10}));
        QCOMPARE(versions(s.value(), StreamVersion::end(), Direction::Backward),
                 QList<qint64>({10, 9, 8}));
        REQUIRE_OK(store().append(s, ExpectedVersion::any(), evs(2)));
        QCOMPARE(versions(s.value()), QList<qint64>({10, 11, 12}));
        QVERIFY(store().sequenceNow());
        QCOMPARE(versionsOf(all()), QList<qint64>({10, 11, 12}));

        // Age: make the first five events two hours old.
        exec(QStringLiteral("UPDATE %1 SET created_at = now() - interval '2 hours' "
                            "WHERE version <= 5")
                 .arg(table(QStringLiteral("events"))));
        StreamMetadata age;
        age.maxAge = std::chrono::hours(1);
        QVERIFY(REQUIRE_OK(store().setStreamMetadata(s, age)));
        QCOMPARE(REQUIRE_OK(store().streamInfo(s))->metadata, age);
        QCOMPARE(versions(s.value()), QList<qint64>({6, 7, 8, 9, 10, 11, 12}));
        QVERIFY(REQUIRE_OK(store().setStreamMetadata(s, {})));
        QCOMPARE(versions(s.value()).size(), 12);

        QVERIFY(!REQUIRE_OK(store().setStreamMetadata(StreamName(QStringLiteral("nope")), m)));
        StreamMetadata bad;
        bad.maxCount = 0;
        QCOMPARE(store().setStreamMetadata(s, bad).error().kind(), StoreError::Kind::InvalidInput);
    }

    // A scavenge removes the rows of hidden events and nothing else: what readers see, the
    // positions of the rest and the head stay; running it again removes nothing; the
    // sequencer goes on after it.
    void scavengeRemovesOnlyHiddenRows()
    {
        REQUIRE_OK(
            store().append(StreamName(QStringLiteral("cut")), ExpectedVersion::any(), evs(10)));
        REQUIRE_OK(
            store().append(StreamName(QStringLiteral("del")), ExpectedVersion::any(), evs(3)));
        REQUIRE_OK(
            store().append(StreamName(QStringLiteral("max")), ExpectedVersion::any(), evs(5)));
        REQUIRE_OK(
            store().append(StreamName(QStringLiteral("keep")), ExpectedVersion::any(), evs(4)));
        QVERIFY(store().sequenceNow());
        REQUIRE_OK(store().truncate(StreamName(QStringLiteral("cut")), StreamVersion(6)));
        REQUIRE_OK(store().deleteStream(StreamName(QStringLiteral("del"))));
        StreamMetadata m;
        m.maxCount = 2;
        REQUIRE_OK(store().setStreamMetadata(StreamName(QStringLiteral("max")), m));
        const QList<RecordedEvent> before = all();
        QCOMPARE(before.size(), 5 + 2 + 4);

        const ScavengeResult first = REQUIRE_OK(store().scavenge(2));
        QCOMPARE(first.removed, 5 + 3 + 3);
        QCOMPARE(rows(QStringLiteral("cut")), 5);
        QCOMPARE(rows(QStringLiteral("del")), 0);
        QCOMPARE(rows(QStringLiteral("max")), 2);
        QCOMPARE(rows(QStringLiteral("keep")), 4);
        const QList<RecordedEvent> after = all();
        QCOMPARE(after.size(), before.size());
        for (int i = 0; i < after.size(); ++i) {
            QCOMPARE(after.at(i).id, before.at(i).id);
            QCOMPARE(after.at(i).position, before.at(i).position);
        }
        QCOMPARE(REQUIRE_OK(store().headPosition()).value, 22);
        // The statistics count stored events (not positions) and live streams.
        StoreStats stats = REQUIRE_OK(store().stats());
        QCOMPARE(stats.headPosition, 22);
        QCOMPARE(stats.scavenged, 11);
        QCOMPARE(stats.events, 22 - 11);
        QCOMPARE(stats.events,
                 rows(QStringLiteral("cut")) + rows(QStringLiteral("max"))
                     + rows(QStringLiteral("keep")) + rows(QStringLiteral("del")));
        QCOMPARE(stats.streams, 3);
        QCOMPARE(stats.deletedStreams, 1);
        QCOMPARE(REQUIRE_OK(store().scavenge()).removed, 0);
        // Positions stay taken: the next event is numbered after them.
        REQUIRE_OK(
            store().append(StreamName(QStringLiteral("keep")), ExpectedVersion::any(), evs(1)));
        QCOMPARE(REQUIRE_OK(store().sequenceNow()).value, 23);
        // The max-count window moves on; the next scavenge takes what fell out of it.
        REQUIRE_OK(
            store().append(StreamName(QStringLiteral("max")), ExpectedVersion::any(), evs(1)));
        QVERIFY(store().sequenceNow());
        QCOMPARE(REQUIRE_OK(store().scavenge()).removed, 1);
        QCOMPARE(versions(QStringLiteral("max")), QList<qint64>({5, 6}));
        // The deleted stream comes back, and its old rows are gone for good.
        REQUIRE_OK(
            store().append(StreamName(QStringLiteral("del")), ExpectedVersion::noStream(), evs(1)));
        QCOMPARE(versions(QStringLiteral("del")), QList<qint64>({4}));
        stats = REQUIRE_OK(store().stats());
        QCOMPARE(stats.streams, 4);
        QCOMPARE(stats.deletedStreams, 0);
        QCOMPARE(stats.scavenged, 12);
        QCOMPARE(stats.events, stats.headPosition + stats.pending - 12);
        QCOMPARE(store().scavenge(0).error().kind(), StoreError::Kind::InvalidInput);
    }

    // Events not yet numbered are left for a later scavenge (their positions must come first).
    void scavengeLeavesUnnumberedEvents()
    {
        StoreSettings settings;
        settings.runSequencer = false;
        Store &st = replaceStore(settings);
        const StreamName s(QStringLiteral("fresh"));
        REQUIRE_OK(st.append(s, ExpectedVersion::any(), evs(4)));
        REQUIRE_OK(st.truncate(s, StreamVersion(4)));
        QCOMPARE(REQUIRE_OK(st.scavenge()).removed, 0);
        QCOMPARE(rows(QStringLiteral("fresh")), 4);
        QVERIFY(st.sequenceNow());
        QCOMPARE(REQUIRE_OK(st.scavenge()).removed, 3);
        QCOMPARE(REQUIRE_OK(st.headPosition()).value, 4);
        QCOMPARE(versionsOf(all()), QList<qint64>({4}));
    }

    // A stream's snapshots go with it when it is deleted.
    void deleteRemovesTheStreamsSnapshots()
    {
        const StreamName s(QStringLiteral("snap"));
        REQUIRE_OK(store().append(s, ExpectedVersion::any(), evs(2)));
        exec(QStringLiteral("INSERT INTO %1 (stream, name, stream_version, event_id, "
                            "state_version, state) VALUES ('snap', 'account', 2, "
                            "gen_random_uuid(), 1, '{}')")
                 .arg(table(QStringLiteral("snapshots"))));
        REQUIRE_OK(store().truncate(s, StreamVersion(2)));
        QCOMPARE(
            scalar(
                QStringLiteral("SELECT count(*) FROM %1").arg(table(QStringLiteral("snapshots")))),
            1);
        REQUIRE_OK(store().deleteStream(s));
        QCOMPARE(
            scalar(
                QStringLiteral("SELECT count(*) FROM %1").arg(table(QStringLiteral("snapshots")))),
            0);
    }

    // Writers append to many streams while streams are deleted, truncated and scavenged
    // and a follower reads the global sequence live: the follower never repeats, never
    // stalls, and has delivered every event still visible at the end.
    void concurrentWritersDeletesScavengesAndAFollower()
    {
        const int kStreams = 12;
        std::atomic<bool> stop {false};
        std::atomic<int> failures {0};
        auto writer = [&](int id) {
            Store w(TestDatabase::options(), [&] {
                StoreSettings s;
                s.schema = schema();
                s.runSequencer = false;
                return s;
            }());
            int n = 0;
            while (!stop.load()) {
                const StreamName s(QStringLiteral("w-%1").arg((id * 7 + n++) % kStreams));
                auto r = w.append(s, ExpectedVersion::any(), evs(2));
                if (!r && r.error().kind() != StoreError::Kind::StreamDeleted)
                    ++failures;
            }
        };
        QList<RecordedEvent> got;
        Follower::Settings fs;
        fs.schema = schema();
        fs.batchSize = 50;
        fs.pollInterval = std::chrono::milliseconds(50);
        Follower follower(TestDatabase::options(), fs);
        connect(&follower, &Follower::eventsReceived, this,
                [&got](const QList<RecordedEvent> &batch) { got += batch; });
        follower.start();
        std::thread w1(writer, 1);
        std::thread w2(writer, 2);
        for (int round = 0; round < 30; ++round) {
            const StreamName s(QStringLiteral("w-%1").arg(round % kStreams));
            if (round % 3 == 0)
                REQUIRE_OK(store().deleteStream(s));
            else if (round % 3 == 1)
                REQUIRE_OK(store().truncate(s, StreamVersion(round)));
            else
                REQUIRE_OK(store().scavenge(7));
            if (round == 20)
                REQUIRE_OK(store().deleteStream(StreamName(QStringLiteral("w-11")),
                                                ExpectedVersion::any(), DeleteMode::Hard));
            QTest::qWait(30);
        }
        stop = true;
        w1.join();
        w2.join();
        QCOMPARE(failures.load(), 0);
        REQUIRE_OK(store().scavenge());
        const GlobalPosition head = REQUIRE_OK(store().sequenceNow());
        QTRY_VERIFY_WITH_TIMEOUT(follower.nextPosition().value > head.value, 30000);
        const QList<RecordedEvent> visible = all();
        QVERIFY(!visible.isEmpty());
        // (Delivered batches arrive through the event loop: wait for the last of them.)
        QTRY_VERIFY_WITH_TIMEOUT(!got.isEmpty() && got.last().position == visible.last().position,
                                 30000);
        QSet<QUuid> seen;
        for (int i = 0; i < got.size(); ++i) {
            QVERIFY(!seen.contains(got.at(i).id));
            seen.insert(got.at(i).id);
            if (i > 0)
                QVERIFY(got.at(i).position > got.at(i - 1).position);
        }
        for (const RecordedEvent &e : visible)
            QVERIFY2(seen.contains(e.id), qPrintable(e.stream));
        QVERIFY(versions(QStringLiteral("w-11")) == QList<qint64>({-1})); // StreamDeleted
        // Each stream reads in version order, without holes inside what it shows.
        for (int i = 0; i < kStreams - 1; ++i) {
            const QList<qint64> v = versions(QStringLiteral("w-%1").arg(i));
            for (int j = 1; j < v.size(); ++j)
                QCOMPARE(v.at(j), v.at(j - 1) + 1);
        }
    }

    // A restart in the middle of a scavenge: the call fails or finishes, the next one
    // completes the work, and nothing visible was lost.
    void serverRestartDuringAScavenge()
    {
        QVERIFY2(TestDatabase::isEmbedded(), "this test restarts the embedded test server");
        for (int i = 0; i < 20; ++i)
            REQUIRE_OK(store().append(StreamName(QStringLiteral("big-%1").arg(i)),
                                      ExpectedVersion::any(), evs(500)));
        QVERIFY(store().sequenceNow());
        for (int i = 0; i < 20; ++i)
            REQUIRE_OK(
                store().truncate(StreamName(QStringLiteral("big-%1").arg(i)), StreamVersion(451)));
        const QList<RecordedEvent> before = all();
        QCOMPARE(before.size(), 20 * 50);
        Result<ScavengeResult> during = StoreError();
        std::thread scavenger([&] {
            Store other(TestDatabase::options(), [&] {
                StoreSettings s;
                s.schema = schema();
                s.runSequencer = false;
                return s;
            }());
            during = other.scavenge(2);
        });
        // Restart once the scavenge is well under way, not finished.
        const QString count
            = QStringLiteral("SELECT count(*) FROM %1").arg(table(QStringLiteral("events")));
        qint64 left = 20 * 500;
        QElapsedTimer waited;
        waited.start();
        while ((left = scalar(count)) > 20 * 500 - 200 && waited.elapsed() < 60000)
            QThread::msleep(5);
        QString error;
        const bool restarted = TestDatabase::restartServer(&error);
        scavenger.join();
        QVERIFY2(restarted, qPrintable(error));
        QVERIFY2(left < 20 * 500 && left > 20 * 50, qPrintable(QString::number(left)));
        qInfo("restarted with %lld rows left; the scavenge under way: %s", left,
              during ? qPrintable(QStringLiteral("finished, %1 removed").arg(during->removed))
                     : qPrintable(during.error().toString()));
        const ScavengeResult rest = REQUIRE_OK(store().scavenge());
        const qint64 removedBefore = during ? during->removed : 0;
        QVERIFY(rest.removed + removedBefore <= 20 * 450);
        QCOMPARE(
            scalar(QStringLiteral("SELECT count(*) FROM %1").arg(table(QStringLiteral("events")))),
            20 * 50);
        const QList<RecordedEvent> after = all();
        QCOMPARE(after.size(), before.size());
        for (int i = 0; i < after.size(); ++i)
            QCOMPARE(after.at(i).id, before.at(i).id);
    }
};

EVENTIUM_TEST_MAIN(TestStreamLife)
#include "tst_streamlife.moc"
