// The store through a real PgBouncer (tests/support/pgbouncer.h): in session mode as it works
// directly (LISTEN included); in transaction mode, where server sessions are shared between
// clients from one transaction to the next, with PoolerMode::Transaction and without it (the
// store finds out by itself); what needs a session of its own refused.
#include "support/globalorder.h"
#include "support/logcapture.h"
#include "support/pgbouncer.h"
#include "support/testconnection.h"
#include "support/testdatabase.h"
#include "support/testmain.h"

#include <eventium/follower.h>
#include <eventium/store.h>
#include <eventium/toolkit/subscription.h>

#include <QMutex>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QThread>
#include <QUuid>

#include <atomic>
#include <thread>
#include <vector>

using namespace eventium;
using eventium::test::PgBouncer;
using eventium::test::TestConnection;
using eventium::test::TestDatabase;

namespace {

NewEvent newEvent(const QString &type, const QByteArray &data = "{}")
{
    NewEvent e;
    e.type = type;
    e.data = data;
    return e;
}

QList<NewEvent> events(int n, const QString &type)
{
    QList<NewEvent> out;
    for (int i = 0; i < n; ++i)
        out << newEvent(type, QByteArrayLiteral("{\"n\":") + QByteArray::number(i) + '}');
    return out;
}

// Every numbered event of the store, in position order.
Result<QList<RecordedEvent>> readEverything(Store &store)
{
    QList<RecordedEvent> all;
    GlobalPosition next(1);
    while (true) {
        auto page = store.readAll(next, 1000);
        if (!page)
            return page.error();
        all.append(page->events);
        if (page->events.isEmpty() || page->next.value > page->head.value)
            return all;
        next = page->next;
    }
}

// Errors met on other threads, reported by the test's thread.
class Errors
{
public:
    void add(const QString &what)
    {
        QMutexLocker lock(&m_mutex);
        m_errors << what;
    }
    QStringList all() const
    {
        QMutexLocker lock(&m_mutex);
        return m_errors;
    }

private:
    mutable QMutex m_mutex;
    QStringList m_errors;
};

// A plain client of the pooler (QPSQL), beside the store under test.
class Client
{
public:
    explicit Client(const ConnectionOptions &options)
        : m_name(QStringLiteral("pgbouncer-client-") + QUuid::createUuid().toString(QUuid::Id128))
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_name);
        options.applyTo(db);
        m_open = db.open();
        if (!m_open)
            m_error = db.lastError().text();
    }
    ~Client()
    {
        {
            QSqlDatabase db = QSqlDatabase::database(m_name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
    }
    bool isOpen() const { return m_open; }
    QString error() const { return m_error; }
    bool exec(const QString &sql)
    {
        QSqlQuery q(QSqlDatabase::database(m_name, false));
        if (q.exec(sql))
            return true;
        m_error = q.lastError().text();
        return false;
    }

private:
    QString m_name;
    bool m_open = false;
    QString m_error;
};

// The most clients and server connections PgBouncer's pool had at once, sampled.
struct PoolPeak
{
    int clients = 0;
    int servers = 0;

    void sample(const PgBouncer &bouncer)
    {
        for (const auto &pool : bouncer.show(QStringLiteral("SHOW POOLS"))) {
            if (pool.value(QStringLiteral("database")) != QLatin1String("eventium"))
                continue;
            auto n
                = [&pool](const char *column) { return pool.value(QLatin1String(column)).toInt(); };
            clients = qMax(clients, n("cl_active") + n("cl_waiting"));
            servers = qMax(servers,
                           n("sv_active") + n("sv_idle") + n("sv_used") + n("sv_tested")
                               + n("sv_login"));
        }
    }
};

} // namespace

class TestPgBouncer : public QObject
{
    Q_OBJECT

    std::unique_ptr<PgBouncer> m_session;
    std::unique_ptr<PgBouncer> m_transaction;
    static constexpr int kTransactionPoolSize = 2;

    static std::unique_ptr<PgBouncer> startBouncer(PgBouncer::PoolMode mode, int poolSize,
                                                   QString *error)
    {
        PgBouncer::Settings settings;
        settings.mode = mode;
        settings.poolSize = poolSize;
        auto bouncer = std::make_unique<PgBouncer>(settings);
        if (!bouncer->start(error))
            return nullptr;
        return bouncer;
    }

    // A migrated store in a schema of its own, through `bouncer`.
    static std::unique_ptr<Store> storeThrough(const PgBouncer &bouncer, StoreSettings settings)
    {
        if (settings.schema == QLatin1String("eventium"))
            settings.schema = TestDatabase::uniqueSchema(QStringLiteral("pgb"));
        auto store = std::make_unique<Store>(bouncer.options(), settings);
        (void)REQUIRE_OK(store->migrate());
        return store;
    }

    static StoreSettings transactionSettings()
    {
        StoreSettings s;
        s.pooler = PoolerMode::Transaction;
        return s;
    }

private slots:
    void initTestCase()
    {
        EVENTIUM_REQUIRE_DB();
        QString error;
        // Session mode pins a server connection to each client: room for every client here.
        m_session = startBouncer(PgBouncer::PoolMode::Session, 20, &error);
        QVERIFY2(m_session, qPrintable(error));
        m_transaction
            = startBouncer(PgBouncer::PoolMode::Transaction, kTransactionPoolSize, &error);
        QVERIFY2(m_transaction, qPrintable(error));
    }

    void cleanupTestCase()
    {
        m_session.reset();
        m_transaction.reset();
    }

    void poolerModeNames()
    {
        QCOMPARE(parsePoolerMode(QStringLiteral("transaction")), PoolerMode::Transaction);
        QCOMPARE(parsePoolerMode(QStringLiteral("Session")), PoolerMode::Session);
        QCOMPARE(parsePoolerMode(QStringLiteral("direct")), PoolerMode::Direct);
        QVERIFY(!parsePoolerMode(QStringLiteral("statement")));
        QVERIFY(!parsePoolerMode(QString()));
        for (PoolerMode mode : {PoolerMode::Direct, PoolerMode::Session, PoolerMode::Transaction})
            QCOMPARE(parsePoolerMode(poolerModeName(mode)), mode);
    }

    // ------------------------------------------------------------ session mode

    void sessionModeAppendsReadsAndConflicts()
    {
        StoreSettings settings;
        settings.pooler = PoolerMode::Session;
        auto store = storeThrough(*m_session, settings);
        QCOMPARE(store->poolerMode(), PoolerMode::Session);
        const StreamName order(QStringLiteral("order-1"));

        auto r
            = REQUIRE_OK(store->append(order, ExpectedVersion::noStream(), {newEvent("Placed")}));
        QCOMPARE(r.status, AppendResult::Status::Appended);
        QCOMPARE(r.lastVersion, StreamVersion(1));
        r = REQUIRE_OK(store->append(order, ExpectedVersion::noStream(), {newEvent("Placed")}));
        QVERIFY(r.isConflict());
        QCOMPARE(r.actualVersion, 1);
        r = REQUIRE_OK(store->append(order, ExpectedVersion::exact(1),
                                     {newEvent("Paid"), newEvent("Packed")}));
        QCOMPARE(r.firstVersion, StreamVersion(2));
        QCOMPARE(r.lastVersion, StreamVersion(3));
        r = REQUIRE_OK(store->append(order, ExpectedVersion::exact(1), {newEvent("Paid")}));
        QVERIFY(r.isConflict());
        QCOMPARE(r.actualVersion, 3);
        r = REQUIRE_OK(store->append(StreamName(QStringLiteral("order-none")),
                                     ExpectedVersion::streamExists(), {newEvent("Paid")}));
        QVERIFY(r.isConflict());
        QCOMPARE(r.actualVersion, -1);
        r = REQUIRE_OK(
            store->append(order, ExpectedVersion::streamExists(), {newEvent("Shipped")}));
        QCOMPARE(r.lastVersion, StreamVersion(4));
        r = REQUIRE_OK(store->append(order, ExpectedVersion::any(), {newEvent("Delivered")}));
        QCOMPARE(r.lastVersion, StreamVersion(5));
        // An id stored in another stream: a typed error, classified by its SQLSTATE.
        NewEvent again = newEvent("Copied");
        again.id = r.eventIds.first();
        auto duplicate
            = store->append(StreamName(QStringLiteral("order-2")), ExpectedVersion::any(), {again});
        QVERIFY(!duplicate);
        QCOMPARE(duplicate.error().kind(), StoreError::Kind::DuplicateEventId);

        const auto forward = REQUIRE_OK(store->readStream(order, StreamVersion(1)));
        QStringList types;
        for (const RecordedEvent &e : forward)
            types << e.type;
        QCOMPARE(types, (QStringList {"Placed", "Paid", "Packed", "Shipped", "Delivered"}));
        const auto backward
            = REQUIRE_OK(store->readStream(order, StreamVersion::end(), Direction::Backward, 2));
        QCOMPARE(backward.size(), 2);
        QCOMPARE(backward.first().type, QStringLiteral("Delivered"));

        QCOMPARE(REQUIRE_OK(store->sequenceNow()), GlobalPosition(5));
        const auto all = REQUIRE_OK(readEverything(*store));
        QCOMPARE(all.size(), 5);
        for (int i = 0; i < all.size(); ++i) {
            QCOMPARE(all.at(i).position, GlobalPosition(i + 1));
            QCOMPARE(all.at(i).version, StreamVersion(i + 1));
        }
        const auto newest = REQUIRE_OK(store->readAllBackward(GlobalPosition::end(), 1));
        QCOMPARE(newest.events.size(), 1);
        QCOMPARE(newest.events.first().type, QStringLiteral("Delivered"));
    }

    void sessionModeFollowerIsWokenByNotifications()
    {
        auto store = storeThrough(*m_session, {});
        (void)REQUIRE_OK(
            store->append(StreamName(QStringLiteral("a")), ExpectedVersion::any(), events(2, "X")));
        Follower::Settings fs;
        fs.schema = store->schema();
        // Only a notification can wake it in time: it would poll once in five minutes.
        fs.pollInterval = std::chrono::minutes(5);
        Follower follower(m_session->options(), fs);
        QList<RecordedEvent> got;
        connect(&follower, &Follower::eventsReceived, this,
                [&got](const QList<RecordedEvent> &batch) { got.append(batch); });
        follower.start();
        QTRY_COMPARE_WITH_TIMEOUT(got.size(), 2, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(follower.isLive(), 5000);
        for (int i = 0; i < 3; ++i)
            (void)REQUIRE_OK(store->append(StreamName(QStringLiteral("b")), ExpectedVersion::any(),
                                           events(1, "Y")));
        QTRY_COMPARE_WITH_TIMEOUT(got.size(), 5, 15000);
        follower.stop();
        for (int i = 0; i < got.size(); ++i)
            QCOMPARE(got.at(i).position, GlobalPosition(i + 1));
    }

    // ------------------------------------------------------------ transaction mode

    // Writers on three hot streams and readers, from several threads of two stores, through a
    // pool of two server connections: every promise of the global order still holds.
    void transactionModeConcurrentWritersAndReaders()
    {
        StoreSettings settings = transactionSettings();
        settings.poolSize = 8;
        auto first = storeThrough(*m_transaction, settings);
        settings.schema = first->schema();
        Store second(m_transaction->options(), settings);
        QCOMPARE(first->poolerMode(), PoolerMode::Transaction);

        constexpr int kWriters = 6;
        constexpr int kAppends = 40;
        Errors errors;
        QMutex idsMutex;
        QSet<QUuid> appended;
        std::atomic<int> conflicts {0};
        std::atomic<int> writersLeft {kWriters};
        std::atomic<qint64> readEvents {0};
        std::vector<std::thread> threads;
        for (int w = 0; w < kWriters; ++w) {
            threads.emplace_back([&, w] {
                Store &store = w % 2 == 0 ? *first : second;
                for (int i = 0; i < kAppends; ++i) {
                    const StreamName stream(QStringLiteral("hot-%1").arg((w + i) % 3));
                    QList<NewEvent> batch = events(1 + i % 2, QStringLiteral("W%1").arg(w));
                    Result<AppendResult> r = StoreError();
                    if (w % 3 == 2) {
                        // Optimistic: the version read, then expected; again on a conflict.
                        while (true) {
                            auto info = store.streamInfo(stream);
                            if (!info) {
                                r = info.error();
                                break;
                            }
                            const qint64 version = info->has_value() ? (*info)->version.value : 0;
                            r = store.append(stream,
                                             version == 0 ? ExpectedVersion::noStream()
                                                          : ExpectedVersion::exact(version),
                                             batch);
                            if (!r || !r->isConflict())
                                break;
                            ++conflicts;
                        }
                    } else {
                        r = store.append(stream, ExpectedVersion::any(), batch);
                    }
                    if (!r) {
                        errors.add(r.error().toString());
                        continue;
                    }
                    QMutexLocker lock(&idsMutex);
                    for (const QUuid &id : r->eventIds)
                        appended.insert(id);
                }
                --writersLeft;
            });
        }
        for (int reader = 0; reader < 2; ++reader) {
            threads.emplace_back([&, reader] {
                Store &store = reader == 0 ? *first : second;
                while (writersLeft.load() > 0) {
                    auto page = store.readAll(GlobalPosition(1), 1000);
                    if (!page) {
                        errors.add(page.error().toString());
                        continue;
                    }
                    // Dense from 1, whatever the moment.
                    for (int i = 0; i < page->events.size(); ++i) {
                        if (page->events.at(i).position != GlobalPosition(i + 1))
                            errors.add(QStringLiteral("position %1 at index %2")
                                           .arg(page->events.at(i).position.value)
                                           .arg(i));
                    }
                    readEvents += page->events.size();
                    auto stream
                        = store.readStream(StreamName(QStringLiteral("hot-0")), StreamVersion(1));
                    if (!stream) {
                        errors.add(stream.error().toString());
                        continue;
                    }
                    for (int i = 0; i < stream->size(); ++i) {
                        if (stream->at(i).version != StreamVersion(i + 1))
                            errors.add(QStringLiteral("hot-0: version %1 at index %2")
                                           .arg(stream->at(i).version.value)
                                           .arg(i));
                    }
                }
            });
        }
        PoolPeak peak;
        while (writersLeft.load() > 0) {
            peak.sample(*m_transaction);
            QThread::msleep(20);
        }
        for (auto &t : threads)
            t.join();
        QVERIFY2(errors.all().isEmpty(), qPrintable(errors.all().mid(0, 5).join('\n')));
        // The clients really shared the server connections.
        QVERIFY2(peak.servers <= kTransactionPoolSize, qPrintable(QString::number(peak.servers)));
        QVERIFY2(peak.clients > kTransactionPoolSize, qPrintable(QString::number(peak.clients)));
        QVERIFY(readEvents.load() > 0);

        (void)REQUIRE_OK(first->sequenceNow());
        const auto all = REQUIRE_OK(readEverything(*first));
        QCOMPARE(all.size(), appended.size());
        QSet<QUuid> seen;
        for (const RecordedEvent &e : all)
            seen.insert(e.id);
        QCOMPARE(seen, appended);
        TestConnection direct;
        QVERIFY2(direct.isOpen(), qPrintable(direct.error()));
        VERIFY_GLOBAL_ORDER(direct.db(), first->schema(), appended.size());
        qInfo() << "transaction mode:" << appended.size() << "events," << conflicts.load()
                << "conflicts retried, at most" << peak.clients << "clients on" << peak.servers
                << "server connections";
    }

    void transactionModeIdempotentRetryAndMultiStreamAppends()
    {
        auto store = storeThrough(*m_transaction, transactionSettings());
        const StreamName cart(QStringLiteral("cart-1"));
        QList<NewEvent> batch = events(2, "Added");
        batch[0].id = QUuid::createUuid();
        batch[1].id = QUuid::createUuid();
        auto r = REQUIRE_OK(store->append(cart, ExpectedVersion::noStream(), batch));
        QCOMPARE(r.status, AppendResult::Status::Appended);
        r = REQUIRE_OK(store->append(cart, ExpectedVersion::noStream(), batch));
        QCOMPARE(r.status, AppendResult::Status::AlreadyAppended);
        QCOMPARE(r.firstVersion, StreamVersion(1));
        QCOMPARE(r.lastVersion, StreamVersion(2));

        const StreamName a(QStringLiteral("acct-a")), b(QStringLiteral("acct-b"));
        auto multi = REQUIRE_OK(
            store->appendMulti({{a, ExpectedVersion::noStream(), events(1, "Debited")},
                                {b, ExpectedVersion::noStream(), events(2, "Credited")}}));
        QVERIFY(multi.committed);
        QCOMPARE(multi.results.at(1).lastVersion, StreamVersion(2));
        // One expectation fails: nothing of either is written.
        multi = REQUIRE_OK(
            store->appendMulti({{a, ExpectedVersion::exact(1), events(1, "Debited")},
                                {b, ExpectedVersion::noStream(), events(1, "Credited")}}));
        QVERIFY(!multi.committed);
        QVERIFY(!multi.results.at(0).isConflict());
        QVERIFY(multi.results.at(1).isConflict());
        QCOMPARE(multi.results.at(1).actualVersion, 2);
        QCOMPARE(REQUIRE_OK(store->readStream(a, StreamVersion(1))).size(), 1);

        // Multi-stream appends crossing each other from four threads, each a transaction that
        // holds one server connection of the two from BEGIN to COMMIT.
        Errors errors;
        std::atomic<int> written {3};
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < 15; ++i) {
                    const StreamName x(QStringLiteral("acct-%1").arg(QChar('a' + (t + i) % 3)));
                    const StreamName y(QStringLiteral("acct-%1").arg(QChar('a' + (t + i + 1) % 3)));
                    auto m = store->appendMulti({{x, ExpectedVersion::any(), events(1, "Out")},
                                                 {y, ExpectedVersion::any(), events(1, "In")}});
                    if (!m)
                        errors.add(m.error().toString());
                    else if (!m->committed)
                        errors.add(QStringLiteral("not committed"));
                    else
                        written += 2;
                }
            });
        }
        for (auto &t : threads)
            t.join();
        QVERIFY2(errors.all().isEmpty(), qPrintable(errors.all().mid(0, 5).join('\n')));
        (void)REQUIRE_OK(store->sequenceNow());
        TestConnection direct;
        QVERIFY2(direct.isOpen(), qPrintable(direct.error()));
        VERIFY_GLOBAL_ORDER(direct.db(), store->schema(), 2 + written.load());
    }

    void transactionModeSearches()
    {
        auto store = storeThrough(*m_transaction, transactionSettings());
        const StreamName order(QStringLiteral("order-7"));
        QList<NewEvent> batch {
            newEvent("OrderPlaced", R"({"customerId": 42, "total": 120, "note": "Gift wrap"})"),
            newEvent("OrderPlaced", R"({"customerId": 7, "total": 80})"),
            newEvent("OrderPaid", R"({"customerId": 42, "total": 120})"),
        };
        (void)REQUIRE_OK(store->append(order, ExpectedVersion::any(), batch));
        (void)REQUIRE_OK(store->append(StreamName(QStringLiteral("other-1")),
                                       ExpectedVersion::any(),
                                       {newEvent("OrderPlaced", R"({"customerId": 42})")}));
        (void)REQUIRE_OK(store->sequenceNow());
        auto positions = [&](const GlobalFilter &filter) {
            QList<qint64> out;
            auto page = store->readAll(GlobalPosition(1), 100, filter);
            if (!page)
                qWarning() << page.error().toString();
            else
                for (const RecordedEvent &e : page->events)
                    out << e.position.value;
            return out;
        };
        GlobalFilter f;
        f.types = {QStringLiteral("OrderPaid")};
        QCOMPARE(positions(f), (QList<qint64> {3}));
        f = {};
        f.contains = R"({"customerId": 42})";
        QCOMPARE(positions(f), (QList<qint64> {1, 3, 4}));
        f = {};
        f.where = QStringLiteral("total > 100");
        QCOMPARE(positions(f), (QList<qint64> {1, 3}));
        f = {};
        f.text = QStringLiteral("gift");
        QCOMPARE(positions(f), (QList<qint64> {1}));
        f = {};
        f.streamPrefix = QStringLiteral("other-");
        QCOMPARE(positions(f), (QList<qint64> {4}));
        f = {};
        f.contains = R"({"customerId": 42})";
        const auto page = REQUIRE_OK(store->searchStream(order, StreamVersion(1), 10, f));
        QCOMPARE(page.events.size(), 2);
        QCOMPARE(page.events.at(1).version, StreamVersion(3));
        QVERIFY(page.atEnd());
    }

    // A runner's lock and LISTEN need a session of their own: refused with a clear error;
    // listing and moving a checkpoint work through the pooler, and the same subscription runs
    // on a direct connection.
    void transactionModeRefusesSubscriptionRunners()
    {
        auto store = storeThrough(*m_transaction, transactionSettings());
        (void)REQUIRE_OK(
            store->append(StreamName(QStringLiteral("s")), ExpectedVersion::any(), events(3, "T")));
        (void)REQUIRE_OK(store->sequenceNow());
        toolkit::Subscription::Settings ss;
        ss.name = QStringLiteral("projector");
        qint64 handled = 0;
        auto handler = [&handled](const QList<RecordedEvent> &batch) -> Result<Done> {
            handled += batch.size();
            return Done {};
        };
        {
            toolkit::Subscription subscription(*store, ss, handler);
            auto caught = subscription.catchUp();
            QVERIFY(!caught);
            QCOMPARE(caught.error().kind(), StoreError::Kind::InvalidInput);
            QVERIFY2(caught.error().message().contains(QLatin1String("transaction-mode pooler")),
                     qPrintable(caught.error().message()));
            auto ran = subscription.run();
            QVERIFY(!ran);
            QCOMPARE(ran.error().kind(), StoreError::Kind::InvalidInput);
            QCOMPARE(handled, 0);
        }
        (void)REQUIRE_OK(
            toolkit::Subscription::resetCheckpoint(*store, ss.name, GlobalPosition(1)));
        auto listed = REQUIRE_OK(toolkit::Subscription::list(*store));
        QCOMPARE(listed.size(), 1);
        QCOMPARE(listed.first().checkpoint, GlobalPosition(1));
        QVERIFY(!listed.first().held);
        auto moved
            = REQUIRE_OK(toolkit::Subscription::moveCheckpoint(*store, ss.name, GlobalPosition(0)));
        QCOMPARE(moved.status, toolkit::CheckpointMove::Status::Moved);

        StoreSettings directSettings;
        directSettings.schema = store->schema();
        Store direct(TestDatabase::options(), directSettings);
        toolkit::Subscription subscription(direct, ss, handler);
        QCOMPARE(REQUIRE_OK(subscription.catchUp()), 3);
        QCOMPARE(handled, 3);
    }

    // A follower told about the pooler polls instead of listening (a LISTEN would not outlive
    // its transaction) and sends unnamed statements.
    void transactionModeFollowerPolls()
    {
        auto store = storeThrough(*m_transaction, transactionSettings());
        Follower::Settings fs;
        fs.schema = store->schema();
        fs.pooler = PoolerMode::Transaction;
        fs.pollInterval = std::chrono::hours(1); // only the adaptive poll can deliver
        Follower follower(m_transaction->options(), fs);
        QList<RecordedEvent> got;
        connect(&follower, &Follower::eventsReceived, this,
                [&got](const QList<RecordedEvent> &batch) { got.append(batch); });
        follower.start();
        for (int i = 0; i < 10; ++i)
            (void)REQUIRE_OK(store->append(StreamName(QStringLiteral("f-%1").arg(i % 2)),
                                           ExpectedVersion::any(), events(2, "F")));
        QTRY_COMPARE_WITH_TIMEOUT(got.size(), 20, 20000);
        follower.stop();
        for (int i = 0; i < got.size(); ++i)
            QCOMPARE(got.at(i).position, GlobalPosition(i + 1));
    }

    // Not told about the pooler, a store finds out when a statement it prepared is missing
    // from the server session it lands in: outside a transaction the statement is sent again
    // unnamed, inside one (a multi-stream append) the whole transaction runs again; both
    // succeed, and the switch is logged once per store.
    void transactionModeFoundOutWithoutTheSetting()
    {
        QString error;
        auto bouncer = startBouncer(PgBouncer::PoolMode::Transaction, 2, &error);
        QVERIFY2(bouncer, qPrintable(error));
        test::LogCapture log;
        StoreSettings settings;
        settings.poolSize = 1;
        settings.runSequencer = false;
        auto store = storeThrough(*bouncer, settings);
        QCOMPARE(store->poolerMode(), PoolerMode::Direct);
        const StreamName s(QStringLiteral("s"));
        (void)REQUIRE_OK(store->append(s, ExpectedVersion::noStream(), {newEvent("One")}));
        {
            // Another client holds the server session the append used (PgBouncer hands out
            // the one released last) in a transaction: the next append lands in another.
            Client holder(bouncer->options());
            QVERIFY2(holder.isOpen(), qPrintable(holder.error()));
            QVERIFY2(holder.exec(QStringLiteral("BEGIN"))
                         && holder.exec(QStringLiteral("SELECT 1")),
                     qPrintable(holder.error()));
            auto r = REQUIRE_OK(store->append(s, ExpectedVersion::exact(1), {newEvent("Two")}));
            QCOMPARE(r.lastVersion, StreamVersion(2));
            QVERIFY(holder.exec(QStringLiteral("COMMIT")));
        }
        QCOMPARE(store->poolerMode(), PoolerMode::Transaction);
        auto switched = [&log] {
            return log.lines()
                .filter(QStringLiteral("statements are sent unnamed from now on"))
                .size();
        };
        QCOMPARE(switched(), 1);

        // Inside a transaction: a multi-stream append of a store of its own (its schema made
        // directly, so that its first transaction through the pooler is the append).
        settings.schema = TestDatabase::uniqueSchema(QStringLiteral("pgb"));
        (void)REQUIRE_OK(Store(TestDatabase::options(), settings).migrate());
        auto multi = std::make_unique<Store>(bouncer->options(), settings);
        const StreamName a(QStringLiteral("a")), b(QStringLiteral("b"));
        auto m = REQUIRE_OK(multi->appendMulti({{a, ExpectedVersion::any(), {newEvent("A")}},
                                                {b, ExpectedVersion::any(), {newEvent("B")}}}));
        QVERIFY(m.committed);
        {
            Client holder(bouncer->options());
            QVERIFY2(holder.isOpen(), qPrintable(holder.error()));
            QVERIFY2(holder.exec(QStringLiteral("BEGIN"))
                         && holder.exec(QStringLiteral("SELECT 1")),
                     qPrintable(holder.error()));
            m = REQUIRE_OK(multi->appendMulti({{a, ExpectedVersion::exact(1), {newEvent("A")}},
                                               {b, ExpectedVersion::exact(1), {newEvent("B")}}}));
            QVERIFY(m.committed);
            QCOMPARE(m.results.at(0).lastVersion, StreamVersion(2));
            QVERIFY(holder.exec(QStringLiteral("COMMIT")));
        }
        QCOMPARE(multi->poolerMode(), PoolerMode::Transaction);
        QCOMPARE(switched(), 2);
        QVERIFY(!log.lines()
                     .filter(QStringLiteral("the server session changed under a transaction"))
                     .isEmpty());
        QCOMPARE(REQUIRE_OK(multi->readStream(b, StreamVersion(1))).size(), 2);

        // A name taken: the migration lock's statement, which the first store's migration
        // left in the server session that a third store's migration now gets (the one
        // released last), inside the migration's transaction: migrate() runs again.
        settings.schema = TestDatabase::uniqueSchema(QStringLiteral("pgb"));
        auto third = storeThrough(*bouncer, settings);
        QCOMPARE(third->poolerMode(), PoolerMode::Transaction);
        QCOMPARE(switched(), 3);
        QVERIFY(
            !log.lines().filter(QStringLiteral("already exists in this server session")).isEmpty());

        // A subscription runner on a store that found out is refused as well.
        toolkit::Subscription::Settings ss;
        ss.name = QStringLiteral("p");
        toolkit::Subscription subscription(
            *store, ss, [](const QList<RecordedEvent> &) -> Result<Done> { return Done {}; });
        auto caught = subscription.catchUp();
        QVERIFY(!caught);
        QCOMPARE(caught.error().kind(), StoreError::Kind::InvalidInput);
    }

    // Not told either, under load from several threads and stores: nothing fails, nothing is
    // lost.
    void transactionModeFoundOutUnderLoad()
    {
        QString error;
        auto bouncer = startBouncer(PgBouncer::PoolMode::Transaction, 2, &error);
        QVERIFY2(bouncer, qPrintable(error));
        test::LogCapture log;
        auto first = storeThrough(*bouncer, {});
        StoreSettings settings;
        settings.schema = first->schema();
        Store second(bouncer->options(), settings);
        Errors errors;
        std::atomic<int> written {0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 6; ++t) {
            threads.emplace_back([&, t] {
                Store &store = t % 2 == 0 ? *first : second;
                for (int i = 0; i < 30; ++i) {
                    const StreamName x(QStringLiteral("hot-%1").arg((t + i) % 3));
                    if (i % 5 == 4) {
                        const StreamName y(QStringLiteral("hot-%1").arg((t + i + 1) % 3));
                        auto m = store.appendMulti({{x, ExpectedVersion::any(), {newEvent("M")}},
                                                    {y, ExpectedVersion::any(), {newEvent("M")}}});
                        if (!m || !m->committed)
                            errors.add(m ? QStringLiteral("not committed") : m.error().toString());
                        else
                            written += 2;
                    } else {
                        auto r = store.append(x, ExpectedVersion::any(), {newEvent("S")});
                        if (!r)
                            errors.add(r.error().toString());
                        else
                            written += 1;
                    }
                    if (auto page = store.readAll(GlobalPosition(1), 100); !page)
                        errors.add(page.error().toString());
                }
            });
        }
        for (auto &t : threads)
            t.join();
        QVERIFY2(errors.all().isEmpty(), qPrintable(errors.all().mid(0, 5).join('\n')));
        QCOMPARE(first->poolerMode(), PoolerMode::Transaction);
        QVERIFY(!log.lines()
                     .filter(QStringLiteral("statements are sent unnamed from now on"))
                     .isEmpty());
        (void)REQUIRE_OK(first->sequenceNow());
        QCOMPARE(REQUIRE_OK(readEverything(*first)).size(), written.load());
        TestConnection direct;
        QVERIFY2(direct.isOpen(), qPrintable(direct.error()));
        VERIFY_GLOBAL_ORDER(direct.db(), first->schema(), written.load());
    }
};

EVENTIUM_TEST_MAIN(TestPgBouncer)
#include "tst_pgbouncer.moc"
