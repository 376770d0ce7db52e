// The projection registry: categories, lookup, folding a stream version by version through a
// registered projection (the bank's account), paging, cancellation and snapshots.
#include "toolkittest.h"

#include <bank/bank.h>
#include <bank/projections.h>
#include <bank/sampledata.h>
#include <eventium/toolkit/projectionregistry.h>
#include <eventium/toolkit/snapshotstore.h>

#include <QJsonObject>

using namespace eventium;
using namespace eventium::toolkit;

namespace {

NewEvent rawEvent(const QString &type, const QByteArray &data)
{
    NewEvent e;
    e.type = type;
    e.data = data;
    return e;
}

} // namespace

class TestProjectionRegistry : public eventium::test::StoreTestCase
{
    Q_OBJECT

    // "account-alice": 1 AccountOpened, 2 MoneyDeposited 10000, 3 MoneyWithdrawn 2500,
    // 4 NoteAdded (a type the projection does not know).
    void writeAlice()
    {
        const auto handler = bank::accountHandler();
        for (const bank::AccountCommand &command :
             {bank::AccountCommand(bank::Open {QStringLiteral("alice"), QStringLiteral("Alice"),
                                               QStringLiteral("EUR")}),
              bank::AccountCommand(bank::Deposit {10000, QStringLiteral("salary")}),
              bank::AccountCommand(bank::Withdraw {2500, QStringLiteral("rent")})}) {
            const auto r = REQUIRE_OK(
                bank::handleAccountCommand(store(), handler, QStringLiteral("alice"), command));
            QVERIFY(r.accepted());
        }
        REQUIRE_OK(store().append(StreamName(QStringLiteral("account-alice")),
                                  ExpectedVersion::exact(StreamVersion(3)),
                                  {rawEvent(QStringLiteral("NoteAdded"), "{\"note\":\"hi\"}")}));
    }

    static RegisteredProjection account() { return bank::accountProjection(); }

private slots:
    void categories()
    {
        QCOMPARE(streamCategory(QStringLiteral("account-42")), QStringLiteral("account"));
        QCOMPARE(streamCategory(QStringLiteral("account-a-b")), QStringLiteral("account"));
        QCOMPARE(streamCategory(QStringLiteral("account")), QString());
        QCOMPARE(streamCategory(QStringLiteral("-42")), QString());

        ProjectionRegistry registry;
        QVERIFY(!registry.forStream(QStringLiteral("account-1")));
        bank::registerProjections(registry);
        bank::registerProjections(registry); // again: harmless
        QCOMPARE(registry.categories(), QStringList {QStringLiteral("account")});
        const auto found = registry.forStream(QStringLiteral("account-1"));
        QVERIFY(found.has_value());
        QCOMPARE(found->name, QStringLiteral("bank.account"));
        QCOMPARE(found->category, QStringLiteral("account"));
        QVERIFY(registry.forCategory(QStringLiteral("account")).has_value());
        QVERIFY(!registry.forStream(QStringLiteral("transfer-1")));
        QVERIFY(!registry.forStream(QStringLiteral("account")));
        QVERIFY(!registry.forCategory(QStringLiteral("unknown")));

        RegisteredProjection bad = account();
        bad.category = QStringLiteral("acc-ount");
        QCOMPARE(registry.add(bad).error().kind(), StoreError::Kind::InvalidInput);
        bad.category.clear();
        QVERIFY(!registry.add(bad).ok());
        RegisteredProjection noFold = account();
        noFold.category = QStringLiteral("other");
        noFold.fold = nullptr;
        QVERIFY(!registry.add(noFold).ok());
        QCOMPARE(registry.categories().size(), 1);

        // global() is one registry for the process.
        bank::registerProjections();
        QVERIFY(ProjectionRegistry::global().forStream(QStringLiteral("account-x")).has_value());
    }

    void foldsVersionByVersion()
    {
        writeAlice();
        const StreamName alice(QStringLiteral("account-alice"));
        StateStepper stepper(store(), account(), alice, 2);
        QCOMPARE(stepper.state(), account().initial);

        auto s1 = REQUIRE_OK(stepper.next());
        QVERIFY(s1.has_value());
        QCOMPARE(s1->event.version.value, 1);
        QCOMPARE(s1->event.type, QStringLiteral("AccountOpened"));
        QCOMPARE(s1->before, account().initial);
        QCOMPARE(s1->after[QStringLiteral("owner")].toString(), QStringLiteral("Alice"));
        QCOMPARE(s1->after[QStringLiteral("opened")].toBool(), true);
        QStringList paths;
        for (const JsonChange &c : s1->changes())
            paths << c.path;
        QCOMPARE(paths,
                 (QStringList {QStringLiteral("$.accountId"), QStringLiteral("$.currency"),
                               QStringLiteral("$.opened"), QStringLiteral("$.owner")}));

        auto s2 = REQUIRE_OK(stepper.next());
        QVERIFY(s2.has_value());
        QCOMPARE(s2->before, s1->after);
        const QList<JsonChange> expected {
            {JsonChange::Kind::Changed, QStringLiteral("$.balance"), 0, 10000},
            {JsonChange::Kind::Changed, QStringLiteral("$.transactions"), 0, 1}};
        QCOMPARE(s2->changes(), expected);

        auto s3 = REQUIRE_OK(stepper.next());
        QVERIFY(s3.has_value());
        QCOMPARE(s3->after[QStringLiteral("balance")].toInteger(), 7500);
        QCOMPARE(
            s3->changes().first(),
            (JsonChange {JsonChange::Kind::Changed, QStringLiteral("$.balance"), 10000, 7500}));

        auto s4 = REQUIRE_OK(stepper.next()); // a type it does not know: nothing changes
        QVERIFY(s4.has_value());
        QCOMPARE(s4->event.type, QStringLiteral("NoteAdded"));
        QVERIFY(s4->changes().isEmpty());
        QCOMPARE(s4->after, s3->after);
        QVERIFY(!REQUIRE_OK(stepper.next()).has_value());
        QCOMPARE(stepper.version().value, 4);
        QCOMPARE(stepper.read(), 4);

        // stateAt gives the same states, and the step at the version asked for.
        const StateAt at2 = REQUIRE_OK(stateAt(store(), account(), alice, StreamVersion(2)));
        QCOMPARE(at2.version.value, 2);
        QCOMPARE(at2.state, s2->after);
        QVERIFY(at2.step.has_value());
        QCOMPARE(at2.step->event.version.value, 2);
        QCOMPARE(at2.step->before, s1->after);
        QCOMPARE(at2.read, 2);

        const StateAt last = REQUIRE_OK(stateAt(store(), account(), alice, StreamVersion::end()));
        QCOMPARE(last.version.value, 4);
        QCOMPARE(last.state, s4->after);
        // The typed fold agrees.
        const auto typed
            = REQUIRE_OK(foldStream(store(), bank::accountHandler().projection, alice));
        QCOMPARE(last.state, QJsonValue(bank::encodeAccount(typed.state)));

        // Past the end: the last version there is.
        const StateAt past = REQUIRE_OK(stateAt(store(), account(), alice, StreamVersion(99)));
        QCOMPARE(past.version.value, 4);
        QCOMPARE(past.step->event.version.value, 4);

        // Going on from a known state reads only what follows it.
        StateAtOptions onward;
        onward.startAfter = StreamVersion(2);
        onward.startState = at2.state;
        const StateAt at3
            = REQUIRE_OK(stateAt(store(), account(), alice, StreamVersion(3), onward));
        QCOMPARE(at3.read, 1);
        QCOMPARE(at3.state, s3->after);
        QCOMPARE(at3.step->before, at2.state);

        // Version 0 and a stream that does not exist: the initial state, no step.
        const StateAt none = REQUIRE_OK(stateAt(store(), account(), alice, StreamVersion(0)));
        QCOMPARE(none.version.value, 0);
        QVERIFY(!none.step.has_value());
        QCOMPARE(none.state, account().initial);
        const StateAt missing
            = REQUIRE_OK(stateAt(store(), account(), StreamName(QStringLiteral("account-nobody")),
                                 StreamVersion::end()));
        QCOMPARE(missing.version.value, 0);
        QVERIFY(!missing.step.has_value());
    }

    void undecodableEventIsAnError()
    {
        const StreamName s(QStringLiteral("account-bad"));
        REQUIRE_OK(store().append(
            s, ExpectedVersion::noStream(),
            {rawEvent(QStringLiteral("AccountOpened"),
                      "{\"accountId\":\"bad\",\"owner\":\"B\",\"currency\":\"EUR\"}"),
             rawEvent(QStringLiteral("MoneyDeposited"), "{\"amount\":\"lots\"}")}));
        const auto at1 = REQUIRE_OK(stateAt(store(), account(), s, StreamVersion(1)));
        QCOMPARE(at1.state[QStringLiteral("owner")].toString(), QStringLiteral("B"));
        const auto at2 = stateAt(store(), account(), s, StreamVersion(2));
        QVERIFY(!at2.ok());
        QCOMPARE(at2.error().kind(), StoreError::Kind::InvalidJson);
        QVERIFY2(at2.error().message().contains(QLatin1String("event 2")),
                 qPrintable(at2.error().message()));
    }

    void pagesProgressAndCancellation()
    {
        const auto handler = bank::accountHandler();
        REQUIRE_OK(bank::handleAccountCommand(
            store(), handler, QStringLiteral("bob"),
            bank::Open {QStringLiteral("bob"), QStringLiteral("Bob"), QStringLiteral("EUR")}));
        QList<NewEvent> deposits;
        for (int i = 1; i <= 24; ++i)
            deposits << encodeEvent(bank::MoneyDeposited {i, QString()});
        const StreamName bob(QStringLiteral("account-bob"));
        REQUIRE_OK(store().append(bob, ExpectedVersion::exact(StreamVersion(1)), deposits));

        QList<qint64> reached;
        StateAtOptions options;
        options.pageSize = 10;
        options.progress = [&](StreamVersion v, const QJsonValue &state) {
            reached << v.value;
            // The state after the page's last event.
            QCOMPARE(state[QStringLiteral("balance")].toInteger(), (v.value - 1) * v.value / 2);
        };
        const StateAt all
            = REQUIRE_OK(stateAt(store(), account(), bob, StreamVersion::end(), options));
        QCOMPARE(all.version.value, 25);
        QCOMPARE(all.state[QStringLiteral("balance")].toInteger(), 24 * 25 / 2);
        QCOMPARE(reached, (QList<qint64> {10, 20}));

        // Cancelled after the first page: the fold stops with Cancelled.
        Cancellation cancellation;
        reached.clear();
        options.cancellation = cancellation;
        options.progress = [&](StreamVersion v, const QJsonValue &) {
            reached << v.value;
            cancellation.cancel();
        };
        const auto stopped = stateAt(store(), account(), bob, StreamVersion::end(), options);
        QVERIFY(!stopped.ok());
        QCOMPARE(stopped.error().kind(), StoreError::Kind::Cancelled);
        QCOMPARE(reached, QList<qint64> {10});

        // Cancelled before: nothing is read.
        options.progress = nullptr;
        const auto before = stateAt(store(), account(), bob, StreamVersion(3), options);
        QCOMPARE(before.error().kind(), StoreError::Kind::Cancelled);
    }

    void startsFromAMatchingSnapshot()
    {
        writeAlice();
        const StreamName alice(QStringLiteral("account-alice"));
        const RecordedEvent second
            = REQUIRE_OK(store().readStream(alice, StreamVersion(2), Direction::Forward, 1))
                  .first();
        bank::Account saved;
        saved.accountId = QStringLiteral("alice");
        saved.owner = QStringLiteral("Alice (from the snapshot)");
        saved.currency = QStringLiteral("EUR");
        saved.opened = true;
        saved.balance = 123456;
        Snapshot snapshot;
        snapshot.stream = alice.value();
        snapshot.name = QStringLiteral("bank.account");
        snapshot.version = StreamVersion(2);
        snapshot.eventId = second.id;
        snapshot.stateVersion = bank::accountSnapshotVersion;
        snapshot.state = QJsonDocument(bank::encodeAccount(saved)).toJson(QJsonDocument::Compact);
        SnapshotStore snapshots(store());
        QVERIFY(REQUIRE_OK(snapshots.save(snapshot)));

        const StateAt at3 = REQUIRE_OK(stateAt(store(), account(), alice, StreamVersion(3)));
        QCOMPARE(at3.snapshot.value, 2);
        QCOMPARE(at3.read, 1);
        QCOMPARE(at3.state[QStringLiteral("balance")].toInteger(), 123456 - 2500);
        QCOMPARE(at3.step->before[QStringLiteral("owner")].toString(), saved.owner);

        // Not for the snapshot's own version or before it, and not when asked not to.
        const StateAt at2 = REQUIRE_OK(stateAt(store(), account(), alice, StreamVersion(2)));
        QCOMPARE(at2.snapshot.value, 0);
        QCOMPARE(at2.state[QStringLiteral("balance")].toInteger(), 10000);
        StateAtOptions replay;
        replay.useSnapshots = false;
        QCOMPARE(REQUIRE_OK(stateAt(store(), account(), alice, StreamVersion(3), replay))
                     .state[QStringLiteral("balance")]
                     .toInteger(),
                 7500);

        // A snapshot whose event is not the one at its version any more is ignored.
        snapshot.eventId = QUuid::createUuid();
        REQUIRE_OK(snapshots.remove(alice.value(), snapshot.name));
        QVERIFY(REQUIRE_OK(snapshots.save(snapshot)));
        const StateAt ignored = REQUIRE_OK(stateAt(store(), account(), alice, StreamVersion(3)));
        QCOMPARE(ignored.snapshot.value, 0);
        QCOMPARE(ignored.state[QStringLiteral("balance")].toInteger(), 7500);
    }

    // Every account of the sample data folds to what the typed projection gives.
    void sampleDataAgreesWithTheTypedFold()
    {
        QCOMPARE(REQUIRE_OK(generateSampleData(store(), 400, 99)), 400);
        const StreamPage page = REQUIRE_OK(
            store().listStreams({}, 1000, StreamOrder::ByName, QStringLiteral("account-")));
        QVERIFY(page.streams.size() >= 4);
        const auto typedProjection = bank::accountHandler().projection;
        for (const StreamInfo &info : page.streams) {
            const StreamName name(info.name);
            const auto typed = REQUIRE_OK(foldStream(store(), typedProjection, name));
            StateAtOptions options;
            options.pageSize = 7;
            const StateAt at
                = REQUIRE_OK(stateAt(store(), account(), name, StreamVersion::end(), options));
            QCOMPARE(at.version, info.version);
            QCOMPARE(at.state, QJsonValue(bank::encodeAccount(typed.state)));
        }
    }
};

EVENTIUM_TEST_MAIN(TestProjectionRegistry)
#include "tst_projectionregistry.moc"
