// Search: the content, stream-name, time and type conditions of GlobalFilter, run by
// PostgreSQL over the global sequence, combined with AND, paged in bounded windows (or, for a
// selective stream-name substring, read through the streams it names); the search
// expressions as people type them; and cancelling a read while the server runs it.
#include "support/require.h"
#include "support/storetestcase.h"
#include "support/testconnection.h"
#include "support/testdatabase.h"
#include "support/testmain.h"

#include <eventium/store.h>

#include <QElapsedTimer>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QThread>
#include <QUuid>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

using namespace eventium;
using eventium::test::TestDatabase;

namespace {

NewEvent ev(const QString &type, const QByteArray &data)
{
    NewEvent e;
    e.type = type;
    e.data = data;
    return e;
}

} // namespace

class TestSearch : public eventium::test::StoreTestCase
{
    Q_OBJECT

    // The streams of every event that matches, following `next` to the head.
    QStringList matches(const GlobalFilter &filter, int limit = 100)
    {
        QStringList out;
        GlobalPosition from(1);
        for (int pages = 0; pages < 1000; ++pages) {
            auto page = store().readAll(from, limit, filter);
            if (!page) {
                out << QStringLiteral("error: ") + page.error().toString();
                return out;
            }
            for (const RecordedEvent &e : page->events)
                out << QStringLiteral("%1@%2").arg(e.stream).arg(e.version.value);
            if (page->next > page->head)
                return out;
            from = page->next;
        }
        out << QStringLiteral("too many pages");
        return out;
    }

    // The same, newest first, following `next` back to the start.
    QStringList matchesBackward(const GlobalFilter &filter, int limit = 100)
    {
        QStringList out;
        GlobalPosition from = GlobalPosition::end();
        for (int pages = 0; pages < 1000; ++pages) {
            auto page = store().readAllBackward(from, limit, filter);
            if (!page) {
                out << QStringLiteral("error: ") + page.error().toString();
                return out;
            }
            for (const RecordedEvent &e : page->events)
                out << QStringLiteral("%1@%2").arg(e.stream).arg(e.version.value);
            if (page->next.value < 1)
                return out;
            from = page->next;
        }
        out << QStringLiteral("too many pages");
        return out;
    }

    // 70,000 events of 700 streams acct-000 to acct-699 (100 each, interleaved: every
    // stream has events from the start of the sequence to its end), then 1,001 streams
    // tiny-0000 to tiny-1000 of one event each. Written in SQL, numbered by the sequencer.
    void fillManyStreams()
    {
        const QString streams = table(QStringLiteral("streams"));
        const QString events = table(QStringLiteral("events"));
        exec(QStringLiteral("INSERT INTO %1 (name, version) SELECT 'acct-' || lpad(i::text, 3, "
                            "'0'), 100 FROM generate_series(0, 699) i ORDER BY i")
                 .arg(streams));
        exec(QStringLiteral("INSERT INTO %1 (stream_id, version, event_id, type, data) "
                            "SELECT st.stream_id, g / 700 + 1, gen_random_uuid(), 'Moved', "
                            "jsonb_build_object('g', g) FROM generate_series(0, 69999) g "
                            "JOIN %2 st ON st.name = 'acct-' || lpad((g % 700)::text, 3, '0') "
                            "ORDER BY g")
                 .arg(events, streams));
        exec(QStringLiteral("INSERT INTO %1 (name, version) SELECT 'tiny-' || lpad(i::text, 4, "
                            "'0'), 1 FROM generate_series(0, 1000) i ORDER BY i")
                 .arg(streams));
        exec(QStringLiteral("INSERT INTO %1 (stream_id, version, event_id, type, data) "
                            "SELECT stream_id, 1, gen_random_uuid(), 'Tiny', '{}' FROM %2 "
                            "WHERE name LIKE 'tiny-%' ORDER BY name")
                 .arg(events, streams));
        QCOMPARE(REQUIRE_OK(store().sequenceNow(std::chrono::seconds(60))).value, 71001);
    }

    void fill()
    {
        auto append = [this](const QString &stream, const QList<NewEvent> &events) {
            auto r = store().append(StreamName(stream), ExpectedVersion::any(), events);
            QVERIFY2(r && r->succeeded(), r ? "conflict" : qPrintable(r.error().toString()));
        };
        append(QStringLiteral("account-20954837"),
               {ev(QStringLiteral("Opened"), R"({"customerId": 42, "name": "Ann Example"})"),
                ev(QStringLiteral("Deposited"), R"({"amount": 150, "currency": "EUR"})")});
        append(
            QStringLiteral("order-7"),
            {ev(QStringLiteral("OrderPlaced"),
                R"({"customerId": 42, "total": 99.5, "customer": {"name": "Ann", "tier": "gold"},
                       "items": [{"sku": "A-1", "qty": 2}, {"sku": "B-7", "qty": 1}]})"),
             ev(QStringLiteral("OrderShipped"), R"({"carrier": "Parcel Co", "customerId": 43})")});
        append(QStringLiteral("order-8"),
               {ev(QStringLiteral("OrderPlaced"),
                   R"({"customerId": 7, "total": 250, "items": [{"sku": "A-1", "qty": 9}]})")});
        QVERIFY(store().sequenceNow());
    }

private slots:
    void expressionsAsPeopleTypeThem_data()
    {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<int>("kind"); // 0 containment, 1 JSON path, -1 refused
        QTest::addColumn<QString>("text");
        QTest::newRow("number") << "customerId = 42" << 0 << R"({"customerId":42})";
        QTest::newRow("==") << "customerId == 42" << 0 << R"({"customerId":42})";
        QTest::newRow("big number")
            << "id = 12345678901234567890" << 0 << R"({"id":12345678901234567890})";
        QTest::newRow("string") << R"(customer.name = "Ann")" << 0
                                << R"({"customer":{"name":"Ann"}})";
        QTest::newRow("bare word") << "currency = EUR" << 0 << R"({"currency":"EUR"})";
        QTest::newRow("quoted key") << R"("first name" = "Ann")" << 0 << R"({"first name":"Ann"})";
        QTest::newRow("boolean") << "paid = true" << 0 << R"({"paid":true})";
        QTest::newRow("comparison") << "total > 100" << 1 << R"($."total" > 100)";
        QTest::newRow("not equal") << "status != \"open\"" << 1 << R"($."status" != "open")";
        QTest::newRow("index") << "items[0].sku = A-1" << 1 << R"($."items"[0]."sku" == "A-1")";
        QTest::newRow("json path")
            << R"($.items[*].sku == "A-1")" << 1 << R"($.items[*].sku == "A-1")";
        QTest::newRow("a = inside a value") << R"(note = "a=b")" << 0 << R"({"note":"a=b"})";
        // (Plain literals: moc reads raw strings with a backslash before a quote wrongly.)
        QTest::newRow("key ending in a backslash") << "\"a\\\\\" = 1" << 0 << "{\"a\\\\\":1}";
        QTest::newRow("escaped quote in a key")
            << "\"say \\\"hi\\\" = x\" = 1" << 0 << "{\"say \\\"hi\\\" = x\":1}";
        QTest::newRow("unclosed quote") << "\"a\\\" = 1" << -1 << "";
        QTest::newRow("no operator") << "customerId" << -1 << "";
        QTest::newRow("no value") << "customerId =" << -1 << "";
        QTest::newRow("no field") << "= 42" << -1 << "";
        QTest::newRow("bad path") << "a..b = 1" << -1 << "";
        QTest::newRow("empty") << "  " << -1 << "";
    }

    void expressionsAsPeopleTypeThem()
    {
        QFETCH(QString, expression);
        QFETCH(int, kind);
        QFETCH(QString, text);
        QString error;
        const auto parsed = SearchExpression::parse(expression, &error);
        if (kind < 0) {
            QVERIFY(!parsed);
            QVERIFY(!error.isEmpty());
            return;
        }
        QVERIFY2(parsed, qPrintable(error));
        QCOMPARE(int(parsed->kind), kind);
        QCOMPARE(QString::fromUtf8(parsed->text), text);
    }

    void byContentAsServedByTheIndex()
    {
        fill();
        GlobalFilter f;
        f.where = QStringLiteral("customerId = 42");
        QCOMPARE(matches(f), QStringList({"account-20954837@1", "order-7@1"}));
        f.where = QStringLiteral("customer.tier = gold");
        QCOMPARE(matches(f), QStringList({"order-7@1"}));
        f.where = QStringLiteral(R"($.items[*].sku == "A-1")");
        QCOMPARE(matches(f), QStringList({"order-7@1", "order-8@1"}));
        f.where = QStringLiteral("total > 100");
        QCOMPARE(matches(f), QStringList({"order-8@1"}));
        f.where.clear();
        f.contains = R"({"items": [{"sku": "B-7"}]})";
        QCOMPARE(matches(f), QStringList({"order-7@1"}));

        // The index that serves it is there, and the planner uses it for a selective query.
        QCOMPARE(scalar(QStringLiteral("SELECT count(*) FROM pg_indexes WHERE schemaname = '%1' "
                                       "AND indexname = 'events_data_path_idx'")
                            .arg(schema())),
                 1);
    }

    void byStreamTextTimeAndTypeCombined()
    {
        fill();
        GlobalFilter f;
        // A substring of the name, not only a prefix.
        f.streamContains = QStringLiteral("20954837");
        QCOMPARE(matches(f), QStringList({"account-20954837@1", "account-20954837@2"}));
        f = {};
        f.text = QStringLiteral("parcel co"); // case-insensitive, anywhere in the payload
        QCOMPARE(matches(f), QStringList({"order-7@2"}));
        f.text = QStringLiteral("\"qty\"");
        QCOMPARE(matches(f), QStringList({"order-7@1", "order-8@1"}));
        // Every condition must hold.
        f = {};
        f.where = QStringLiteral("customerId = 42");
        f.types = {QStringLiteral("OrderPlaced")};
        QCOMPARE(matches(f), QStringList({"order-7@1"}));
        f.streamContains = QStringLiteral("order-8");
        QCOMPARE(matches(f), QStringList());

        // A time range: events created from a moment on, or before it.
        QThread::msleep(20);
        const QDateTime cut = QDateTime::currentDateTimeUtc();
        QThread::msleep(20);
        REQUIRE_OK(store().append(StreamName("late-1"), ExpectedVersion::any(),
                                  {ev(QStringLiteral("Late"), R"({"customerId": 42})")}));
        QVERIFY(store().sequenceNow());
        f = {};
        f.where = QStringLiteral("customerId = 42");
        f.since = cut;
        QCOMPARE(matches(f), QStringList({"late-1@1"}));
        f.since = {};
        f.until = cut;
        QCOMPARE(matches(f), QStringList({"account-20954837@1", "order-7@1"}));
    }

    // A search inside one stream: its conditions as in a global search, only that stream's
    // events (not a stream whose name starts the same), in version order, paged.
    void aStreamIsSearchedByItsVersions()
    {
        fill();
        auto versions = [this](const QString &stream, const GlobalFilter &filter, int limit = 100) {
            QStringList out;
            StreamVersion from(1);
            for (int pages = 0; pages < 100; ++pages) {
                auto page = store().searchStream(StreamName(stream), from, limit, filter);
                if (!page)
                    return QStringList {QStringLiteral("error: ") + page.error().toString()};
                for (const RecordedEvent &e : page->events) {
                    if (e.stream != stream)
                        out << QStringLiteral("wrong stream ") + e.stream;
                    out << QString::number(e.version.value);
                }
                if (page->atEnd())
                    return out;
                if (page->next <= from)
                    return QStringList {QStringLiteral("no progress")};
                from = page->next;
            }
            return QStringList {QStringLiteral("too many pages")};
        };
        REQUIRE_OK(store().append(StreamName("order-77"), ExpectedVersion::any(),
                                  {ev(QStringLiteral("OrderPlaced"), R"({"customerId": 42})")}));
        QVERIFY(store().sequenceNow());
        GlobalFilter f;
        f.where = QStringLiteral("customerId = 42");
        QCOMPARE(versions(QStringLiteral("order-7"), f), QStringList({"1"}));
        QCOMPARE(versions(QStringLiteral("order-77"), f), QStringList({"1"}));
        f.where = QStringLiteral("customerId > 40");
        QCOMPARE(versions(QStringLiteral("order-7"), f), QStringList({"1", "2"}));
        QCOMPARE(versions(QStringLiteral("order-7"), f, 1), QStringList({"1", "2"}));
        f = {};
        f.text = QStringLiteral("PARCEL");
        QCOMPARE(versions(QStringLiteral("order-7"), f), QStringList({"2"}));
        f = {};
        f.types = {QStringLiteral("Deposited")};
        QCOMPARE(versions(QStringLiteral("account-20954837"), f), QStringList({"2"}));
        f = {};
        f.contains = R"({"items": [{"sku": "A-1"}]})";
        QCOMPARE(versions(QStringLiteral("order-8"), f), QStringList({"1"}));

        // Each event comes whole, with its position.
        f = {};
        f.where = QStringLiteral("carrier = \"Parcel Co\"");
        auto page
            = REQUIRE_OK(store().searchStream(StreamName("order-7"), StreamVersion(1), 10, f));
        QCOMPARE(page.events.size(), 1);
        QCOMPARE(page.events.first().type, QStringLiteral("OrderShipped"));
        QVERIFY(page.events.first().position.value > 0);
        QCOMPARE(page.last, StreamVersion(2));
        QVERIFY(page.atEnd());

        // A stream that does not exist: nothing, and done.
        page = REQUIRE_OK(store().searchStream(StreamName("nope"), StreamVersion(1), 10, f));
        QVERIFY(page.events.isEmpty());
        QCOMPARE(page.last, StreamVersion(0));
        QVERIFY(page.atEnd());

        // Refused: stream conditions, a bad expression, a path the server cannot read (even
        // where there is nothing to read), a bad limit or version, a cancelled token.
        f = {};
        f.streamPrefix = QStringLiteral("order");
        auto refused = store().searchStream(StreamName("order-7"), StreamVersion(1), 10, f);
        QVERIFY(!refused);
        QCOMPARE(refused.error().kind(), StoreError::Kind::InvalidInput);
        f = {};
        f.where = QStringLiteral("$.a ==");
        for (const QString &stream : {QStringLiteral("order-7"), QStringLiteral("nope")}) {
            refused = store().searchStream(StreamName(stream), StreamVersion(1), 10, f);
            QVERIFY2(!refused, qPrintable(stream));
            QCOMPARE(refused.error().kind(), StoreError::Kind::InvalidInput);
        }
        refused = store().searchStream(StreamName("order-7"), StreamVersion(1), 0);
        QVERIFY(!refused);
        QCOMPARE(refused.error().kind(), StoreError::Kind::InvalidInput);
        refused = store().searchStream(StreamName("order-7"), StreamVersion(-1), 10);
        QVERIFY(!refused);
        Cancellation cancelled;
        cancelled.cancel();
        refused = store().searchStream(StreamName("order-7"), StreamVersion(1), 10, {}, cancelled);
        QVERIFY(!refused);
        QCOMPARE(refused.error().kind(), StoreError::Kind::Cancelled);
    }

    // A long stream is searched a bounded window of versions at a time.
    void aStreamSearchPagesInBoundedWindows()
    {
        exec(QStringLiteral("INSERT INTO %1 (name, version) VALUES ('long-1', 70000)")
                 .arg(table(QStringLiteral("streams"))));
        exec(QStringLiteral("INSERT INTO %1 (stream_id, version, event_id, type, data) "
                            "SELECT st.stream_id, v, gen_random_uuid(), 'Tick', "
                            "jsonb_build_object('v', v) FROM generate_series(1, 70000) v, %2 st "
                            "WHERE st.name = 'long-1'")
                 .arg(table(QStringLiteral("events")), table(QStringLiteral("streams"))));
        GlobalFilter f;
        f.where = QStringLiteral("v = 69000");
        auto first
            = REQUIRE_OK(store().searchStream(StreamName("long-1"), StreamVersion(1), 10, f));
        QVERIFY(first.events.isEmpty());
        QVERIFY(!first.atEnd());
        QCOMPARE(first.next, StreamVersion(1 + 65536));
        QCOMPARE(first.last, StreamVersion(70000));
        auto second = REQUIRE_OK(store().searchStream(StreamName("long-1"), first.next, 10, f));
        QCOMPARE(second.events.size(), 1);
        QCOMPARE(second.events.first().version, StreamVersion(69000));
        QVERIFY(second.atEnd());
    }

    void aSearchPagesInBoundedWindowsAndSaysWhereToGoOn()
    {
        // 70,000 events that do not match, then one that does: the first call stops at the
        // end of its window and says where to continue; following `next` finds it.
        exec(QStringLiteral("INSERT INTO %1 (name, version) VALUES ('filler', 70000)")
                 .arg(table(QStringLiteral("streams"))));
        exec(QStringLiteral("INSERT INTO %1 (stream_id, version, event_id, type, data) "
                            "SELECT (SELECT stream_id FROM %2 WHERE name = 'filler'), g, "
                            "gen_random_uuid(), 'Filler', jsonb_build_object('n', g) "
                            "FROM generate_series(1, 70000) g")
                 .arg(table(QStringLiteral("events")), table(QStringLiteral("streams"))));
        REQUIRE_OK(
            store().append(StreamName("needle-1"), ExpectedVersion::any(),
                           {ev(QStringLiteral("Needle"), R"({"text": "haystack needle"})")}));
        QVERIFY(store().sequenceNow());
        GlobalFilter f;
        f.text = QStringLiteral("needle");
        auto first = REQUIRE_OK(store().readAll(GlobalPosition(1), 10, f));
        QVERIFY(first.events.isEmpty());
        QVERIFY(first.next.value > 1 && first.next.value <= first.head.value);
        QCOMPARE(matches(f, 10), QStringList({"needle-1@1"}));
    }

    // A substring of few stream names, whose streams hold few events, is read through those
    // streams over the whole sequence: one call reaches the head where windows of 65,536
    // positions would take two. The answer is the same as reading everything and keeping
    // the names that contain it, in both directions and with any page size; a substring of
    // many streams, or of streams with many events, is still read window by window.
    void streamSubstringsAreReadThroughTheirStreams()
    {
        fillManyStreams();
        // Everything, and what each substring should find in it.
        auto all = REQUIRE_OK(store().readAll(GlobalPosition(1), 100000));
        QCOMPARE(all.events.size(), 71001);
        auto expected = [&all](const QString &text) {
            QStringList out;
            for (const RecordedEvent &e : std::as_const(all.events)) {
                if (e.stream.contains(text))
                    out << QStringLiteral("%1@%2").arg(e.stream).arg(e.version.value);
            }
            return out;
        };
        auto reversed = [](QStringList list) {
            std::reverse(list.begin(), list.end());
            return list;
        };

        GlobalFilter f;
        // 10 streams (acct-420 to acct-429), 1,000 events spread over the whole sequence.
        f.streamContains = QStringLiteral("cct-42");
        auto one = REQUIRE_OK(store().readAll(GlobalPosition(1), 1001, f));
        QCOMPARE(one.events.size(), 1000);
        QVERIFY2(one.next > one.head, qPrintable(QString::number(one.next.value)));
        QStringList got;
        for (const RecordedEvent &e : std::as_const(one.events))
            got << QStringLiteral("%1@%2").arg(e.stream).arg(e.version.value);
        QCOMPARE(got, expected(f.streamContains));
        QCOMPARE(one.events.last().position.value, 69730); // acct-429's last event
        auto back = REQUIRE_OK(store().readAllBackward(GlobalPosition::end(), 1001, f));
        QCOMPARE(back.events.size(), 1000);
        QCOMPARE(back.next, GlobalPosition(0));
        QCOMPARE(back.events.first().position.value, 69730);
        // Paged: full pages say to go on after their last event.
        auto paged = REQUIRE_OK(store().readAll(GlobalPosition(1), 7, f));
        QCOMPARE(paged.events.size(), 7);
        QCOMPARE(paged.next.value, paged.events.last().position.value + 1);

        for (const QString &text :
             {QStringLiteral("cct-42"), QStringLiteral("acct-"), QStringLiteral("tiny-"),
              QStringLiteral("-0999"), QStringLiteral("nowhere")}) {
            f.streamContains = text;
            const QStringList want = expected(text);
            QCOMPARE(matches(f, 97).size(), want.size());
            QCOMPARE(matches(f, 97), want);
            QCOMPARE(matches(f, 1001), want);
            QCOMPARE(matchesBackward(f, 97), reversed(want));
            QCOMPARE(matchesBackward(f, 1001), reversed(want));
            if (want.size() < 5000) {
                QCOMPARE(matches(f, 7), want);
                QCOMPARE(matchesBackward(f, 7), reversed(want));
            }
        }
        QCOMPARE(expected(QStringLiteral("-0999")),
                 QStringList({"tiny-0999@1"})); // acct- names have 3 digits

        // No stream matches: nothing, and the head in one call.
        f.streamContains = QStringLiteral("nowhere");
        auto none = REQUIRE_OK(store().readAll(GlobalPosition(1), 10, f));
        QVERIFY(none.events.isEmpty());
        QVERIFY(none.next > none.head);

        // Not selective: 700 streams with 70,000 events (too many events), 1,001 streams (too
        // many streams): the first call stops at the end of its window.
        f.streamContains = QStringLiteral("acct-");
        f.text = QStringLiteral("no such text");
        auto windowed = REQUIRE_OK(store().readAll(GlobalPosition(1), 1001, f));
        QVERIFY(windowed.events.isEmpty());
        QCOMPARE(windowed.next.value, 65537);
        f.text.clear();
        f.streamContains = QStringLiteral("tiny-");
        windowed = REQUIRE_OK(store().readAll(GlobalPosition(1), 10, f));
        QVERIFY(windowed.events.isEmpty()); // the tiny streams come after the first window
        QCOMPARE(windowed.next.value, 65537);

        // Every condition still holds on the selective path, and a bad JSON path is refused.
        f.streamContains = QStringLiteral("cct-42");
        f.types = {QStringLiteral("Moved")};
        f.where = QStringLiteral("g < 1000");
        QCOMPARE(
            matches(f, 1001),
            QStringList({"acct-420@1", "acct-421@1", "acct-422@1", "acct-423@1", "acct-424@1",
                         "acct-425@1", "acct-426@1", "acct-427@1", "acct-428@1", "acct-429@1"}));
        f.where = QStringLiteral("$.g ==== 1");
        auto bad = store().readAll(GlobalPosition(1), 10, f);
        QVERIFY(!bad);
        QCOMPARE(bad.error().kind(), StoreError::Kind::InvalidInput);
    }

    // A read blocked on the server (the events table locked by another transaction) is
    // cancelled there by cancel() from another thread: it returns Cancelled long before the
    // lock goes away, and the store's connection stays in the pool and reads normally.
    void aRunningReadIsCancelledOnTheServer()
    {
        REQUIRE_OK(store().append(StreamName("a"), ExpectedVersion::any(),
                                  {ev(QStringLiteral("T"), "{}"), ev(QStringLiteral("T"), "{}")}));
        QCOMPARE(REQUIRE_OK(store().sequenceNow()), GlobalPosition(2));
        // A store of its own, without a sequencer, whose connections can be told apart.
        ConnectionOptions options = TestDatabase::options();
        options.applicationName
            = QStringLiteral("cancel-") + QUuid::createUuid().toString(QUuid::Id128).left(8);
        StoreSettings settings;
        settings.schema = schema();
        settings.runSequencer = false;
        Store reader(options, settings);
        QCOMPARE(REQUIRE_OK(reader.readAll(GlobalPosition(1), 10)).events.size(), 2);
        const QString backends
            = QStringLiteral("SELECT string_agg(pid::text, ',') FROM pg_stat_activity "
                             "WHERE application_name = '%1'")
                  .arg(options.applicationName);
        QSqlQuery pids = exec(backends);
        QVERIFY(pids.next());
        const QString pidsBefore = pids.value(0).toString();
        QVERIFY2(!pidsBefore.isEmpty() && !pidsBefore.contains(QLatin1Char(',')),
                 qPrintable(pidsBefore));

        // Another connection locks the events table for up to 10 s.
        std::mutex mutex;
        std::condition_variable changed;
        bool locked = false, release = false;
        QString lockError;
        std::thread holder([&] {
            eventium::test::TestConnection c;
            QSqlQuery q(c.db());
            const bool ok = c.isOpen() && q.exec(QStringLiteral("BEGIN"))
                && q.exec(QStringLiteral("LOCK TABLE %1 IN ACCESS EXCLUSIVE MODE")
                              .arg(table(QStringLiteral("events"))));
            {
                std::unique_lock lock(mutex);
                locked = true;
                if (!ok)
                    lockError = c.isOpen() ? q.lastError().text() : c.error();
                changed.notify_all();
                changed.wait_for(lock, std::chrono::seconds(10), [&] { return release; });
            }
            q.exec(QStringLiteral("ROLLBACK"));
        });
        auto releaseLock = [&] {
            {
                std::lock_guard lock(mutex);
                release = true;
            }
            changed.notify_all();
            holder.join();
        };
        {
            std::unique_lock lock(mutex);
            changed.wait(lock, [&] { return locked; });
        }
        if (!lockError.isEmpty()) {
            releaseLock();
            QFAIL(qPrintable(lockError));
        }

        Cancellation cancellation;
        QVERIFY(cancellation.isCancellable());
        QVERIFY(!cancellation.isCancelled());
        std::thread canceller([token = cancellation]() mutable {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            token.cancel();
        });
        QElapsedTimer timer;
        timer.start();
        auto r = reader.readAll(GlobalPosition(1), 10, {}, cancellation);
        const qint64 elapsed = timer.elapsed();
        canceller.join();
        releaseLock();

        QVERIFY2(!r, "the read should have been cancelled");
        QCOMPARE(r.error().kind(), StoreError::Kind::Cancelled);
        QCOMPARE(r.error().sqlState(), QStringLiteral("57014"));
        QVERIFY(r.error().toString().startsWith(QLatin1String("cancelled: ")));
        QVERIFY(cancellation.isCancelled());
        // It waited on the lock until the cancel, and no longer.
        QVERIFY2(elapsed >= 150 && elapsed < 5000, qPrintable(QString::number(elapsed)));

        // The same store reads normally, on the same (pooled) connection.
        QCOMPARE(REQUIRE_OK(reader.readAll(GlobalPosition(1), 10)).events.size(), 2);
        pids = exec(backends);
        QVERIFY(pids.next());
        QCOMPARE(pids.value(0).toString(), pidsBefore);

        // Backwards the same.
        Cancellation backward;
        std::thread second([&backward] {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            backward.cancel();
        });
        QSqlDatabase lockHere = sql();
        QVERIFY(lockHere.transaction());
        exec(QStringLiteral("LOCK TABLE %1 IN ACCESS EXCLUSIVE MODE")
                 .arg(table(QStringLiteral("events"))));
        timer.restart();
        r = reader.readAllBackward(GlobalPosition::end(), 10, {}, backward);
        const qint64 backElapsed = timer.elapsed();
        second.join();
        QVERIFY(lockHere.rollback());
        QVERIFY(!r);
        QCOMPARE(r.error().kind(), StoreError::Kind::Cancelled);
        QVERIFY2(backElapsed < 5000, qPrintable(QString::number(backElapsed)));
        QCOMPARE(REQUIRE_OK(reader.readAllBackward()).events.size(), 2);
    }

    // A token cancelled before the read: Cancelled at once, nothing sent (this store's server
    // cannot even be reached). none() cannot be cancelled; copies share one state.
    void aCancelledTokenSendsNothing()
    {
        Cancellation token;
        Cancellation copy = token;
        copy.cancel();
        QVERIFY(token.isCancelled());
        Cancellation none = Cancellation::none();
        none.cancel();
        QVERIFY(!none.isCancelled());
        QVERIFY(!none.isCancellable());

        ConnectionOptions nowhere = TestDatabase::options();
        nowhere.host = QStringLiteral("127.0.0.1");
        nowhere.port = 1;
        nowhere.connectTimeout = 2;
        StoreSettings settings;
        settings.schema = schema();
        settings.runSequencer = false;
        Store unreachable(nowhere, settings);
        QElapsedTimer timer;
        timer.start();
        auto r = unreachable.readAll(GlobalPosition(1), 10, {}, token);
        QVERIFY(!r);
        QCOMPARE(r.error().kind(), StoreError::Kind::Cancelled);
        GlobalFilter f;
        f.streamContains = QStringLiteral("x");
        r = unreachable.readAllBackward(GlobalPosition::end(), 10, f, token);
        QVERIFY(!r);
        QCOMPARE(r.error().kind(), StoreError::Kind::Cancelled);
        QVERIFY2(timer.elapsed() < 500, qPrintable(QString::number(timer.elapsed())));
        QCOMPARE(StoreError::kindName(StoreError::Kind::Cancelled), QStringLiteral("cancelled"));
        // Without the token it does try, and cannot connect.
        r = unreachable.readAll(GlobalPosition(1), 10, {}, none);
        QVERIFY(!r);
        QCOMPARE(r.error().kind(), StoreError::Kind::ConnectionLost);
        // A reachable store likewise: nothing read, and the next read is normal.
        r = store().readAll(GlobalPosition(1), 10, {}, token);
        QVERIFY(!r);
        QCOMPARE(r.error().kind(), StoreError::Kind::Cancelled);
        QVERIFY(store().readAll(GlobalPosition(1), 10, {}, Cancellation()));
        // The server's query_canceled is classified as Cancelled.
        QCOMPARE(StoreError::fromServer(QStringLiteral("57014"), QStringLiteral("x")).kind(),
                 StoreError::Kind::Cancelled);
    }

    // The types that exist, from the type index (a step per type), not a pass over events.
    void eventTypesComeFromTheIndex()
    {
        QCOMPARE(REQUIRE_OK(store().eventTypes()), QStringList());
        fill();
        QCOMPARE(REQUIRE_OK(store().eventTypes()),
                 QStringList({"Deposited", "Opened", "OrderPlaced", "OrderShipped"}));
        QCOMPARE(REQUIRE_OK(store().eventTypes(2)), QStringList({"Deposited", "Opened"}));
        QCOMPARE(store().eventTypes(0).error().kind(), StoreError::Kind::InvalidInput);

        // The plan walks the type index; the events table itself is never scanned.
        exec(QStringLiteral("SET enable_seqscan = off")); // the table is tiny here
        QSqlQuery plan = exec(
            QStringLiteral("EXPLAIN WITH RECURSIVE t(type) AS ((SELECT type FROM %1 ORDER BY "
                           "type LIMIT 1) UNION ALL SELECT (SELECT e.type FROM %1 e WHERE e.type "
                           "> t.type ORDER BY e.type LIMIT 1) FROM t WHERE t.type IS NOT NULL) "
                           "SELECT type FROM t WHERE type IS NOT NULL LIMIT 1000")
                .arg(table(QStringLiteral("events"))));
        QString text;
        while (plan.next())
            text += plan.value(0).toString() + QLatin1Char('\n');
        QVERIFY2(text.contains(QLatin1String("events_type_idx")), qPrintable(text));
        QVERIFY2(!text.contains(QLatin1String("Seq Scan")), qPrintable(text));
    }

    void badSearchInputIsRefusedClearly()
    {
        GlobalFilter f;
        f.where = QStringLiteral("customerId");
        auto r = store().readAll(GlobalPosition(1), 10, f);
        QVERIFY(!r);
        QCOMPARE(r.error().kind(), StoreError::Kind::InvalidInput);
        f.where = QStringLiteral("$.a ==== 1");
        r = store().readAll(GlobalPosition(1), 10, f);
        QVERIFY(!r);
        QCOMPARE(r.error().kind(), StoreError::Kind::InvalidInput);
        QVERIFY2(r.error().message().contains(QLatin1String("JSON path")),
                 qPrintable(r.error().message()));
        f = {};
        f.contains = "{nope";
        r = store().readAll(GlobalPosition(1), 10, f);
        QVERIFY(!r);
        QCOMPARE(r.error().kind(), StoreError::Kind::InvalidJson);
    }
};

EVENTIUM_TEST_MAIN(TestSearch)
#include "tst_search.moc"
