// The sample data generator: counts, invariants of the bank domain, determinism.
#include "toolkittest.h"

#include <bank/bank.h>
#include <bank/sampledata.h>
#include <eventium/toolkit/projection.h>

#include <QElapsedTimer>
#include <QHash>
#include <QSet>

using namespace eventium;
using namespace eventium::bank;

namespace {

// Every event of the schema as text, in global order.
QStringList dump(Store &store, bool withMetadata)
{
    QList<RecordedEvent> events;
    GlobalPosition from(1);
    for (;;) {
        const GlobalPage page = REQUIRE_OK(store.readAll(from, 1000));
        events += page.events;
        if (page.events.isEmpty())
            break;
        from = page.next;
    }
    // Event ids are fresh: a causation id is shown as the stream and version it names.
    QHash<QString, QString> where;
    for (const RecordedEvent &e : std::as_const(events))
        where.insert(e.id.toString(QUuid::WithoutBraces),
                     QStringLiteral("%1@%2").arg(e.stream).arg(e.version.value));
    QStringList out;
    for (const RecordedEvent &e : std::as_const(events)) {
        QJsonObject meta = QJsonDocument::fromJson(e.metadata).object();
        if (meta.contains(QStringLiteral("causationId")))
            meta.insert(QStringLiteral("causationId"),
                        where.value(meta.value(QStringLiteral("causationId")).toString(),
                                    QStringLiteral("(unknown)")));
        out << QStringLiteral("%1@%2 %3 %4 %5")
                   .arg(e.stream)
                   .arg(e.version.value)
                   .arg(e.type, QString::fromUtf8(e.data),
                        withMetadata
                            ? QString::fromUtf8(QJsonDocument(meta).toJson(QJsonDocument::Compact))
                            : QString());
    }
    return out;
}

} // namespace

class TestSampleData : public eventium::test::StoreTestCase
{
    Q_OBJECT

private slots:
    void writesWhatItReports()
    {
        QElapsedTimer timer;
        timer.start();
        const qint64 written = REQUIRE_OK(toolkit::generateSampleData(store(), 3000, 42));
        const qint64 ms = timer.elapsed();
        qInfo("3000 sample events in %lld ms", ms);
        QCOMPARE(written, 3000);
        REQUIRE_OK(store().sequenceNow());
        const StoreStats stats = REQUIRE_OK(store().stats());
        QCOMPARE(stats.events, 3000);
        QCOMPARE(stats.headPosition, 3000);
        QVERIFY2(ms < 20000, "far too slow");

        // Small counts are exact too.
        for (int n : {0, 1, 2, 3, 7, 50}) {
            auto other = freshStore();
            QCOMPARE(REQUIRE_OK(toolkit::generateSampleData(*other, n, 7)), n);
            QCOMPARE(REQUIRE_OK(other->stats()).events, n);
        }
        QVERIFY(!toolkit::generateSampleData(store(), -1, 1).ok());
    }

    // Balances never go below zero, every transfer appears in both accounts, and the
    // metadata is there.
    void invariants()
    {
        QCOMPARE(REQUIRE_OK(toolkit::generateSampleData(store(), 2500, 1234)), 2500);
        REQUIRE_OK(store().sequenceNow());

        struct World
        {
            QHash<QString, Account> accounts; // by stream
            QHash<QString, QString> sent; // transfer id -> "from:to:amount"
            QHash<QString, QString> received;
            QHash<QString, QString> completed;
            QHash<QString, QString> correlation; // transfer id -> correlation ids seen
            int negative = 0;
            int withoutMetadata = 0;
            int transferEvents = 0;
            int closed = 0;
        };
        toolkit::Projection<World, AccountOpened, MoneyDeposited, MoneyWithdrawn, TransferSent,
                            TransferReceived, AccountClosed, TransferCompleted>
            p;
        p.strict = true;
        p.applyRecorded = [](World w, const auto &event, const RecordedEvent &r) {
            const QJsonObject meta = QJsonDocument::fromJson(r.metadata).object();
            if (!meta.value(QStringLiteral("correlationId")).isString()
                || !meta.value(QStringLiteral("user")).isString())
                ++w.withoutMetadata;
            if (auto c = std::get_if<TransferCompleted>(&event)) {
                w.completed.insert(c->transferId,
                                   QStringLiteral("%1:%2:%3")
                                       .arg(c->fromAccountId, c->toAccountId)
                                       .arg(c->amount));
                ++w.transferEvents;
                return w;
            }
            AccountEvent accountEvent = std::visit(
                [](const auto &e) -> AccountEvent {
                    if constexpr (std::is_same_v<std::decay_t<decltype(e)>, TransferCompleted>)
                        return AccountClosed {}; // not reached
                    else
                        return e;
                },
                event);
            Account &a = w.accounts[r.stream];
            a = applyAccount(a, accountEvent);
            if (a.balance < 0)
                ++w.negative;
            if (auto s = std::get_if<TransferSent>(&event)) {
                w.sent.insert(
                    s->transferId,
                    QStringLiteral("%1:%2:%3").arg(a.accountId, s->toAccountId).arg(s->amount));
                if (meta.value(QStringLiteral("correlationId")).toString() != s->transferId)
                    ++w.withoutMetadata;
            }
            if (auto s = std::get_if<TransferReceived>(&event))
                w.received.insert(
                    s->transferId,
                    QStringLiteral("%1:%2:%3").arg(s->fromAccountId, a.accountId).arg(s->amount));
            if (std::holds_alternative<AccountClosed>(event))
                ++w.closed;
            return w;
        };
        const auto world = REQUIRE_OK(toolkit::foldAll(store(), p)).state;
        qInfo("%lld accounts, %lld transfers, %d closed", qint64(world.accounts.size()),
              qint64(world.completed.size()), world.closed);
        QCOMPARE(world.negative, 0);
        QCOMPARE(world.withoutMetadata, 0);
        QVERIFY(world.accounts.size() >= 10);
        QVERIFY(world.completed.size() >= 50);
        QCOMPARE(world.sent, world.completed);
        QCOMPARE(world.received, world.completed);
        for (auto it = world.accounts.cbegin(); it != world.accounts.cend(); ++it) {
            QVERIFY(it->opened);
            QCOMPARE(it.key(), accountStream(it->accountId).value());
        }

        // A transfer's events form a chain of causes: sent -> received -> completed, and an
        // opening deposit names the account's opening.
        QHash<QUuid, RecordedEvent> byId;
        for (GlobalPosition from(1);;) {
            const GlobalPage page = REQUIRE_OK(store().readAll(from, 1000));
            for (const RecordedEvent &e : page.events)
                byId.insert(e.id, e);
            if (page.events.isEmpty())
                break;
            from = page.next;
        }
        const QHash<QString, QString> expectedCause {
            {QStringLiteral("TransferReceived"), QStringLiteral("TransferSent")},
            {QStringLiteral("TransferCompleted"), QStringLiteral("TransferReceived")}};
        int chained = 0;
        for (const RecordedEvent &e : std::as_const(byId)) {
            const QJsonObject meta = QJsonDocument::fromJson(e.metadata).object();
            const QString cause = meta.value(QStringLiteral("causationId")).toString();
            if (expectedCause.contains(e.type)) {
                const RecordedEvent c = byId.value(QUuid::fromString(cause));
                QCOMPARE(c.type, expectedCause.value(e.type));
                QCOMPARE(QJsonDocument::fromJson(c.metadata).object().value("correlationId"),
                         meta.value(QStringLiteral("correlationId")));
                ++chained;
            } else if (!cause.isEmpty()) {
                const RecordedEvent c = byId.value(QUuid::fromString(cause));
                QCOMPARE(c.type, QStringLiteral("AccountOpened"));
                QCOMPARE(c.stream, e.stream);
            }
        }
        QCOMPARE(chained, 2 * int(world.completed.size()));

        // Every transfer's stream exists and is one event long.
        for (auto it = world.completed.cbegin(); it != world.completed.cend(); ++it) {
            auto info = REQUIRE_OK(store().streamInfo(transferStream(it.key())));
            QVERIFY(info.has_value());
            QCOMPARE(info->version.value, 1);
        }

        // The account handler agrees with the fold on a few accounts.
        const auto handler = accountHandler();
        int checked = 0;
        for (auto it = world.accounts.cbegin(); it != world.accounts.cend() && checked < 10;
             ++it, ++checked) {
            auto loaded
                = REQUIRE_OK(toolkit::loadAggregate(store(), handler, StreamName(it.key())));
            QCOMPARE(loaded.state, it.value());
        }
    }

    void deterministic()
    {
        auto a = freshStore();
        auto b = freshStore();
        auto c = freshStore();
        QCOMPARE(REQUIRE_OK(toolkit::generateSampleData(*a, 400, 99)), 400);
        QCOMPARE(REQUIRE_OK(toolkit::generateSampleData(*b, 400, 99)), 400);
        QCOMPARE(REQUIRE_OK(toolkit::generateSampleData(*c, 400, 100)), 400);
        for (Store *s : {a.get(), b.get(), c.get()})
            REQUIRE_OK(s->sequenceNow());
        const QStringList da = dump(*a, true);
        QCOMPARE(da.size(), 400);
        QCOMPARE(dump(*b, true), da);
        QVERIFY(dump(*c, true) != da);

        // The same seed again in the same schema collides, with a clear error.
        auto again = toolkit::generateSampleData(*a, 100, 99);
        QVERIFY(!again.ok());
        QVERIFY2(again.error().message().contains(QStringLiteral("seed 99")),
                 qPrintable(again.error().toString()));
        // Nothing of it was written (each batch is atomic and the first one collides).
        QCOMPARE(REQUIRE_OK(a->stats()).events, 400);
        // Another seed in the same schema is fine.
        QCOMPARE(REQUIRE_OK(toolkit::generateSampleData(*a, 100, 5)), 100);
    }
};

EVENTIUM_TEST_MAIN(TestSampleData)
#include "tst_sampledata.moc"
