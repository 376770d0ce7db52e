// Snapshots: loading with snapshots equals a full replay; stale, missing, mismatched and
// foreign snapshots.
#include "toolkittest.h"

#include <bank/bank.h>
#include <eventium/toolkit/commandhandler.h>
#include <eventium/toolkit/snapshotstore.h>

#include <QRandomGenerator>

using namespace eventium;
using namespace eventium::bank;

class TestSnapshots : public eventium::test::StoreTestCase
{
    Q_OBJECT

    toolkit::Loaded<Account> load(const AccountHandler &handler, const QString &id)
    {
        return REQUIRE_OK(toolkit::loadAggregate(store(), handler, accountStream(id)));
    }

    // Opens an account and runs `n` random commands on it with `handler`.
    void randomCommands(const AccountHandler &handler, const QString &id, int n, quint32 seed)
    {
        QRandomGenerator rng(seed);
        auto r = REQUIRE_OK(handleAccountCommand(
            store(), handler, id, Open {id, QStringLiteral("Owner"), QStringLiteral("EUR")}));
        QVERIFY(r.accepted() || r.rejected());
        for (int i = 0; i < n; ++i) {
            const int kind = rng.bounded(10);
            const qint64 amount = rng.bounded(1, 500);
            AccountCommand cmd = kind < 6 ? AccountCommand(Deposit {amount, {}})
                                          : AccountCommand(Withdraw {amount, {}});
            REQUIRE_OK(handleAccountCommand(store(), handler, id, cmd));
        }
    }

    toolkit::SnapshotStore snapshots() { return toolkit::SnapshotStore(store()); }

private slots:
    void equalsFullReplay_data()
    {
        QTest::addColumn<int>("every");
        QTest::addColumn<int>("commands");
        QTest::addColumn<quint32>("seed");
        QTest::newRow("every 1") << 1 << 40 << 1u;
        QTest::newRow("every 3") << 3 << 120 << 2u;
        QTest::newRow("every 7") << 7 << 150 << 3u;
        QTest::newRow("every 50") << 50 << 130 << 4u;
    }

    void equalsFullReplay()
    {
        QFETCH(int, every);
        QFETCH(int, commands);
        QFETCH(quint32, seed);
        const auto snapshotting = accountHandler(every);
        const auto plain = accountHandler(0);
        const QString id = QStringLiteral("acc");
        QRandomGenerator rng(seed);
        randomCommands(snapshotting, id, 0, seed);
        for (int i = 0; i < commands; ++i) {
            const qint64 amount = rng.bounded(1, 400);
            const bool viaSnapshots = rng.bounded(4) != 0;
            AccountCommand cmd = rng.bounded(10) < 6 ? AccountCommand(Deposit {amount, {}})
                                                     : AccountCommand(Withdraw {amount, {}});
            REQUIRE_OK(handleAccountCommand(store(), viaSnapshots ? snapshotting : plain, id, cmd));
            if (i % 10 == 9) {
                const auto withSnap = load(snapshotting, id);
                const auto full = load(plain, id);
                QCOMPARE(withSnap.state, full.state);
                QCOMPARE(withSnap.version, full.version);
                QCOMPARE(full.snapshotVersion.value, 0);
                QCOMPARE(full.replayed, full.version.value);
            }
        }
        const auto withSnap = load(snapshotting, id);
        const auto full = load(plain, id);
        QCOMPARE(withSnap.state, full.state);
        QVERIFY2(withSnap.snapshotVersion.value > 0, "no snapshot was used");
        QVERIFY(withSnap.replayed < full.replayed);
        QVERIFY(withSnap.replayed <= every + 1 + commands / 4 + 1);
        QVERIFY(full.state.balance >= 0);
    }

    // A snapshot behind the stream: the events after it are replayed on top of it. A tampered
    // snapshot proves the snapshot really is the base.
    void staleSnapshot()
    {
        const auto plain = accountHandler(0);
        const QString id = QStringLiteral("s");
        randomCommands(plain, id, 10, 11);
        QVERIFY(REQUIRE_OK(toolkit::takeSnapshot(store(), plain, accountStream(id))));
        const auto at = REQUIRE_OK(
            snapshots().load(accountStream(id).value(), QStringLiteral("bank.account")));
        QVERIFY(at.has_value());
        QCOMPARE(at->version.value, 11);
        randomCommands(plain, id, 5, 12); // the Open is rejected: 5 more commands at most
        const auto full = load(plain, id);
        QVERIFY(full.version.value > 11);
        const auto stale = load(plain, id);
        QCOMPARE(stale.state, full.state);

        // With snapshots switched on for loading (every > 0), the stale snapshot is the base.
        const auto loader = accountHandler(1000);
        const auto viaSnapshot = load(loader, id);
        QCOMPARE(viaSnapshot.snapshotVersion.value, 11);
        QCOMPARE(viaSnapshot.replayed, full.version.value - 11);
        QCOMPARE(viaSnapshot.state, full.state);
        QCOMPARE(viaSnapshot.version, full.version);

        toolkit::Snapshot tampered = *at;
        Account t = *decodeAccount(QJsonDocument::fromJson(at->state).object());
        t.balance += 1000000;
        tampered.state = QJsonDocument(encodeAccount(t)).toJson();
        REQUIRE_OK(snapshots().remove(tampered.stream, tampered.name));
        QVERIFY(REQUIRE_OK(snapshots().save(tampered)));
        QCOMPARE(load(loader, id).state.balance, full.state.balance + 1000000);

        // An older snapshot does not replace a newer one.
        toolkit::Snapshot older = *at;
        older.version = StreamVersion(5);
        QVERIFY(!REQUIRE_OK(snapshots().save(older)));
    }

    void missingSnapshot()
    {
        const auto handler = accountHandler(4);
        const QString id = QStringLiteral("m");
        randomCommands(handler, id, 20, 21);
        QVERIFY(REQUIRE_OK(snapshots().count()) == 1);
        QVERIFY(load(handler, id).snapshotVersion.value > 0);
        QVERIFY(REQUIRE_OK(
            snapshots().remove(accountStream(id).value(), QStringLiteral("bank.account"))));
        const auto loaded = load(handler, id);
        QCOMPARE(loaded.snapshotVersion.value, 0);
        QCOMPARE(loaded.state, load(accountHandler(0), id).state);
        QCOMPARE(loaded.replayed, loaded.version.value);
        // The next command takes a new snapshot (more than 4 events since none).
        REQUIRE_OK(handleAccountCommand(store(), handler, id, Deposit {1, {}}));
        QCOMPARE(REQUIRE_OK(snapshots().count()), 1);
        QCOMPARE(load(handler, id).replayed, 0);
    }

    // A snapshot of another state version, or one that does not decode, is ignored.
    void versionMismatch()
    {
        const auto v1 = accountHandler(2);
        const QString id = QStringLiteral("v");
        randomCommands(v1, id, 12, 31);
        const auto snap = REQUIRE_OK(
            snapshots().load(accountStream(id).value(), QStringLiteral("bank.account")));
        QVERIFY(snap.has_value());
        QCOMPARE(snap->stateVersion, 1);
        const Account truth = load(accountHandler(0), id).state;

        // Tamper with the stored state so that using it would show.
        toolkit::Snapshot tampered = *snap;
        Account t = *decodeAccount(QJsonDocument::fromJson(snap->state).object());
        t.balance = -777;
        tampered.state = QJsonDocument(encodeAccount(t)).toJson();
        REQUIRE_OK(snapshots().remove(tampered.stream, tampered.name));
        QVERIFY(REQUIRE_OK(snapshots().save(tampered)));
        QCOMPARE(load(v1, id).state.balance, -777); // v1 uses it

        auto v2 = accountHandler(2);
        v2.snapshots.version = 2;
        const auto loaded = load(v2, id);
        QCOMPARE(loaded.snapshotVersion.value, 0);
        QCOMPARE(loaded.state, truth);
        // A v2 command replaces the v1 snapshot, even though it is not newer.
        REQUIRE_OK(handleAccountCommand(store(), v2, id, Deposit {3, {}}));
        const auto replaced = REQUIRE_OK(
            snapshots().load(accountStream(id).value(), QStringLiteral("bank.account")));
        QCOMPARE(replaced->stateVersion, 2);
        QCOMPARE(load(v2, id).state.balance, truth.balance + 3);
        // Now v1 ignores the v2 snapshot.
        QCOMPARE(load(v1, id).snapshotVersion.value, 0);
        QCOMPARE(load(v1, id).state.balance, truth.balance + 3);

        // A state that does not decode is ignored.
        toolkit::Snapshot garbage = *replaced;
        garbage.state = "{\"nonsense\": true}";
        REQUIRE_OK(snapshots().remove(garbage.stream, garbage.name));
        QVERIFY(REQUIRE_OK(snapshots().save(garbage)));
        QCOMPARE(load(v2, id).snapshotVersion.value, 0);
        QCOMPARE(load(v2, id).state.balance, truth.balance + 3);
    }

    // A snapshot whose event is not the stream's event at that version (the stream was
    // deleted and written again, or the snapshot belongs elsewhere) is ignored.
    void foreignSnapshot()
    {
        const auto handler = accountHandler(1000);
        const QString id = QStringLiteral("f");
        randomCommands(accountHandler(0), id, 6, 41);
        const Account truth = load(handler, id).state;
        toolkit::Snapshot s;
        s.stream = accountStream(id).value();
        s.name = QStringLiteral("bank.account");
        s.version = StreamVersion(3);
        s.eventId = QUuid::createUuid();
        s.stateVersion = accountSnapshotVersion;
        Account fake = truth;
        fake.balance = 123456789;
        s.state = QJsonDocument(encodeAccount(fake)).toJson();
        QVERIFY(REQUIRE_OK(snapshots().save(s)));
        QCOMPARE(load(handler, id).snapshotVersion.value, 0);
        QCOMPARE(load(handler, id).state, truth);

        // Beyond the end of the stream.
        s.version = StreamVersion(1000);
        QVERIFY(REQUIRE_OK(snapshots().save(s)));
        QCOMPARE(load(handler, id).state, truth);

        QVERIFY(!snapshots().save(toolkit::Snapshot {}).ok()); // invalid: refused
    }
};

EVENTIUM_TEST_MAIN(TestSnapshots)
#include "tst_snapshots.moc"
