// Store::activity() against a real PostgreSQL: events over time with their types, counted
// from the positions (versions) at the buckets' bounds, on events whose times the test sets.
#include "support/require.h"
#include "support/storetestcase.h"
#include "support/testmain.h"

#include <eventium/store.h>

#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

using namespace eventium;

namespace {

QList<NewEvent> evs(int n, const QString &type)
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

const QDateTime kBase = QDateTime(QDate(2026, 1, 1), QTime(0, 0), Qt::UTC);

qint64 sumOf(const ActivityBucket &b)
{
    qint64 sum = b.other;
    for (qint64 c : b.counts)
        sum += c;
    return sum;
}

} // namespace

class TestActivity : public eventium::test::StoreTestCase
{
    Q_OBJECT

    // Sets the creation time of the events at positions from, from + 1, ... to kBase plus
    // these milliseconds.
    void setTimes(qint64 from, const QList<qint64> &offsets)
    {
        QStringList items;
        for (qint64 o : offsets)
            items << QString::number(o);
        QSqlQuery q(sql());
        QVERIFY(q.prepare(
            QStringLiteral("UPDATE %1 e SET created_at = ?::timestamptz + x.off * interval '1 ms' "
                           "FROM unnest(?::int8[]) WITH ORDINALITY x(off, k) JOIN %2 g ON "
                           "g.position = ?::int8 + x.k - 1 WHERE e.id = g.event_row")
                .arg(table(QStringLiteral("events")), table(QStringLiteral("global_events")))));
        q.addBindValue(kBase.toString(Qt::ISODateWithMs));
        q.addBindValue(QStringLiteral("{%1}").arg(items.join(QLatin1Char(','))));
        q.addBindValue(from);
        QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
        QCOMPARE(q.numRowsAffected(), offsets.size());
    }

    Activity activity(const ActivityQuery &query) { return REQUIRE_OK(store().activity(query)); }

private slots:
    void emptyStoreAndBadInput()
    {
        QVERIFY(activity({}).buckets.isEmpty());
        ActivityQuery ofStream;
        ofStream.stream = QStringLiteral("nothing");
        QVERIFY(activity(ofStream).buckets.isEmpty());

        // A range given: its buckets, all empty.
        ActivityQuery range;
        range.from = kBase;
        range.to = kBase.addSecs(300);
        range.bucketSeconds = 60;
        const Activity empty = activity(range);
        QCOMPARE(empty.buckets.size(), 5);
        QCOMPARE(empty.bucketSeconds, 60);
        QCOMPARE(empty.buckets.first().start, kBase);
        QCOMPARE(empty.end(), kBase.addSecs(300));
        QCOMPARE(empty.total(), 0);
        QVERIFY(empty.types.isEmpty());

        auto refused = [this](const ActivityQuery &q) {
            auto r = store().activity(q);
            return !r && r.error().kind() == StoreError::Kind::InvalidInput;
        };
        ActivityQuery backwards = range;
        backwards.to = kBase.addSecs(-1);
        QVERIFY(refused(backwards));
        ActivityQuery tooMany = range;
        tooMany.to = kBase.addDays(1);
        tooMany.bucketSeconds = 1; // 86,400 buckets
        QVERIFY(refused(tooMany));
        ActivityQuery noTypes = range;
        noTypes.topTypes = 0;
        QVERIFY(refused(noTypes));
        ActivityQuery badStream = range;
        badStream.stream = QStringLiteral("a\nb");
        QVERIFY(refused(badStream));
        ActivityQuery badWidth = range;
        badWidth.bucketSeconds = -5;
        QVERIFY(refused(badWidth));
    }

    void exactCountsPerBucketAndType()
    {
        // Positions 1-6: 3 A (stream s), 2 B (t), 1 C (s), then 7-10: 4 A (t).
        REQUIRE_OK(store().append(StreamName("s"), ExpectedVersion::any(), evs(3, "A")));
        REQUIRE_OK(store().append(StreamName("t"), ExpectedVersion::any(), evs(2, "B")));
        REQUIRE_OK(store().append(StreamName("s"), ExpectedVersion::any(), evs(1, "C")));
        REQUIRE_OK(store().append(StreamName("t"), ExpectedVersion::any(), evs(4, "A")));
        QCOMPARE(REQUIRE_OK(store().sequenceNow()), GlobalPosition(10));
        // Minute 0: positions 1-4; minute 1: none; minute 2: 5-6 (the second starting it
        // exactly at its start); minute 3: 7-10.
        setTimes(1, {1000, 2000, 30000, 59999, 120000, 150000, 180000, 181000, 182000, 239999});

        ActivityQuery q;
        q.bucketSeconds = 60;
        const Activity a = activity(q);
        QCOMPARE(a.bucketSeconds, 60);
        QCOMPARE(a.buckets.size(), 4);
        QCOMPARE(a.types, (QStringList {"A", "B", "C"})); // most events first
        const QList<qint64> totals {4, 0, 2, 4};
        const QList<qint64> firsts {1, 5, 5, 7};
        const QList<QList<qint64>> counts {{3, 1, 0}, {0, 0, 0}, {0, 1, 1}, {4, 0, 0}};
        for (int i = 0; i < 4; ++i) {
            const ActivityBucket &b = a.buckets.at(i);
            QCOMPARE(b.start, kBase.addSecs(60 * i));
            QCOMPARE(b.total, totals.at(i));
            QCOMPARE(b.first, firsts.at(i));
            QCOMPARE(b.counts, counts.at(i));
            QCOMPARE(b.other, 0);
            QVERIFY(!b.estimated);
        }
        QCOMPARE(a.total(), 10);
        QVERIFY(!a.anyEstimated());

        // Two types named: the third counts as other.
        q.topTypes = 2;
        const Activity top = activity(q);
        QCOMPARE(top.types, (QStringList {"A", "B"}));
        QCOMPARE(top.buckets.at(2).counts, (QList<qint64> {0, 1}));
        QCOMPARE(top.buckets.at(2).other, 1);

        // A range inside: whole buckets over it; an empty range of the store.
        ActivityQuery inside;
        inside.from = kBase.addSecs(125);
        inside.to = kBase.addSecs(185);
        inside.bucketSeconds = 60;
        const Activity part = activity(inside);
        QCOMPARE(part.buckets.size(), 2);
        QCOMPARE(part.buckets.at(0).start, kBase.addSecs(120));
        QCOMPARE(part.buckets.at(0).total, 2);
        QCOMPARE(part.buckets.at(1).total, 4);
        ActivityQuery before;
        before.from = kBase.addDays(-2);
        before.to = kBase.addDays(-1);
        before.bucketSeconds = 3600;
        const Activity nothing = activity(before);
        QCOMPARE(nothing.buckets.size(), 24);
        QCOMPARE(nothing.total(), 0);
        QCOMPARE(nothing.buckets.last().first, 1); // the next event after it

        // Automatic width: 4 minutes of events in at most 120 buckets of a round width.
        const Activity automatic = activity({});
        QCOMPARE(automatic.bucketSeconds, 2);
        QCOMPARE(automatic.buckets.size(), 120);
        QCOMPARE(automatic.total(), 10);
        QCOMPARE(automatic.buckets.first().counts, (QList<qint64> {1, 0, 0}));

        // Without `from`, a fixed width shows the newest buckets at most.
        ActivityQuery newest;
        newest.bucketSeconds = 60;
        newest.maxBuckets = 2;
        const Activity last = activity(newest);
        QCOMPARE(last.buckets.size(), 2);
        QCOMPARE(last.buckets.first().start, kBase.addSecs(120));
        QCOMPARE(last.total(), 6);
    }

    void largeBucketsAreSampledWithExactTotals()
    {
        // 8,000 A then 4,000 B in minute 0 (more than a bucket counts exactly), 100 C in
        // minute 1.
        REQUIRE_OK(store().append(StreamName("big"), ExpectedVersion::any(), evs(8000, "A")));
        REQUIRE_OK(store().append(StreamName("big"), ExpectedVersion::any(), evs(4000, "B")));
        REQUIRE_OK(store().append(StreamName("small"), ExpectedVersion::any(), evs(100, "C")));
        QCOMPARE(REQUIRE_OK(store().sequenceNow()), GlobalPosition(12100));
        QList<qint64> offsets;
        for (int i = 0; i < 12000; ++i)
            offsets << i * 4; // 48 s
        for (int i = 0; i < 100; ++i)
            offsets << 60000 + i * 100;
        setTimes(1, offsets);

        ActivityQuery q;
        q.bucketSeconds = 60;
        const Activity a = activity(q);
        QCOMPARE(a.buckets.size(), 2);
        QCOMPARE(a.types, (QStringList {"A", "B", "C"}));
        const ActivityBucket &big = a.buckets.at(0);
        QCOMPARE(big.total, 12000);
        QVERIFY(big.estimated);
        QCOMPARE(sumOf(big), 12000); // scaled to the exact total
        QVERIFY2(qAbs(big.counts.at(0) - 8000) <= 100, qPrintable(QString::number(big.counts[0])));
        QVERIFY2(qAbs(big.counts.at(1) - 4000) <= 100, qPrintable(QString::number(big.counts[1])));
        QCOMPARE(big.counts.at(2), 0);
        const ActivityBucket &small = a.buckets.at(1);
        QVERIFY(!small.estimated);
        QCOMPARE(small.total, 100);
        QCOMPARE(small.counts, (QList<qint64> {0, 0, 100}));
        QVERIFY(a.anyEstimated());

        // Seconds: every bucket of minute 0 holds 250 events, counted exactly.
        ActivityQuery seconds;
        seconds.from = kBase;
        seconds.to = kBase.addSecs(48);
        seconds.bucketSeconds = 1;
        const Activity s = activity(seconds);
        QCOMPARE(s.buckets.size(), 48);
        for (const ActivityBucket &b : s.buckets) {
            QCOMPARE(b.total, 250);
            QVERIFY(!b.estimated);
            QCOMPARE(sumOf(b), 250);
        }
        QCOMPARE(s.buckets.at(31).counts, (QList<qint64> {250, 0}));
        QCOMPARE(s.buckets.at(32).counts, (QList<qint64> {0, 250}));
    }

    void aStreamCountsWhatReadersSee()
    {
        // s: versions 1-6 (positions 1-3 and 6-8), t: 2 events between them.
        REQUIRE_OK(store().append(StreamName("s"), ExpectedVersion::any(), evs(3, "A")));
        REQUIRE_OK(store().append(StreamName("t"), ExpectedVersion::any(), evs(2, "B")));
        REQUIRE_OK(store().append(StreamName("s"), ExpectedVersion::any(), evs(3, "C")));
        QCOMPARE(REQUIRE_OK(store().sequenceNow()), GlobalPosition(8));
        setTimes(1, {0, 10000, 20000, 21000, 22000, 70000, 80000, 130000});

        ActivityQuery q;
        q.stream = QStringLiteral("s");
        q.bucketSeconds = 60;
        Activity a = activity(q);
        QCOMPARE(a.stream, QStringLiteral("s"));
        QCOMPARE(a.buckets.size(), 3);
        QCOMPARE(a.buckets.at(0).total, 3);
        QCOMPARE(a.buckets.at(0).first, 1); // versions
        QCOMPARE(a.buckets.at(1).total, 2);
        QCOMPARE(a.buckets.at(1).first, 4);
        QCOMPARE(a.buckets.at(2).total, 1);
        QCOMPARE(a.types, (QStringList {"A", "C"}));
        QCOMPARE(a.buckets.at(1).counts, (QList<qint64> {0, 2}));

        // Truncated before version 3 and scavenged: readers see versions 3-6, so does the
        // chart; the whole store still counts every position.
        QCOMPARE(REQUIRE_OK(store().truncate(StreamName("s"), StreamVersion(3))), StreamVersion(3));
        REQUIRE_OK(store().scavenge());
        a = activity(q);
        QCOMPARE(a.buckets.size(), 3);
        QCOMPARE(a.buckets.at(0).start, kBase);
        QCOMPARE(a.buckets.at(0).total, 1);
        QCOMPARE(a.buckets.at(0).first, 3);
        QCOMPARE(a.total(), 4);
        ActivityQuery whole;
        whole.bucketSeconds = 60;
        const Activity all = activity(whole);
        QCOMPARE(all.total(), 8);
        QCOMPARE(all.buckets.at(0).total, 5);
        // The two removed rows have no type any more: other.
        QCOMPARE(all.buckets.at(0).other, 2);

        // A max count of 2: versions 5 and 6.
        REQUIRE_OK(store().setStreamMetadata(StreamName("s"), StreamMetadata {2, std::nullopt}));
        a = activity(q);
        QCOMPARE(a.total(), 2);
        QCOMPARE(a.buckets.first().start, kBase.addSecs(60));
        // Soft-deleted: nothing to see.
        REQUIRE_OK(store().deleteStream(StreamName("s")));
        QCOMPARE(activity(q).total(), 0);
    }

    void automaticWidths()
    {
        using std::chrono::milliseconds;
        QCOMPARE(Activity::autoBucketSeconds(milliseconds(0)), 1);
        QCOMPARE(Activity::autoBucketSeconds(milliseconds(119000)), 1);
        QCOMPARE(Activity::autoBucketSeconds(milliseconds(120000)), 2);
        QCOMPARE(Activity::autoBucketSeconds(milliseconds(3600 * 1000)), 60);
        QCOMPARE(Activity::autoBucketSeconds(milliseconds(qint64(86400) * 1000)), 15 * 60);
        QCOMPARE(Activity::autoBucketSeconds(milliseconds(qint64(29) * 86400 * 1000)), 6 * 3600);
        // Every span from a second to ten years gets at most 120 buckets, and at least 48.
        for (qint64 span = 1000; span < qint64(3650) * 86400 * 1000; span = span * 13 / 10) {
            const qint64 w = Activity::autoBucketSeconds(milliseconds(span)) * 1000;
            const qint64 buckets = span / w + 1;
            QVERIFY2(buckets <= 120, qPrintable(QString::number(span)));
            if (span >= 48000)
                QVERIFY2(buckets >= 40,
                         qPrintable(QStringLiteral("%1: %2").arg(span).arg(buckets)));
        }
    }
};

EVENTIUM_TEST_MAIN(TestActivity)
#include "tst_activity.moc"
