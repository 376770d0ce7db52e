// Command handlers: decide/apply, rejections, retries under contention, transfers.
#include "toolkittest.h"

#include <bank/bank.h>
#include <eventium/toolkit/commandhandler.h>
#include <eventium/toolkit/projection.h>

#include <QMutex>
#include <QThread>

#include <atomic>
#include <memory>
#include <vector>

using namespace eventium;
using namespace eventium::bank;
using toolkit::CommandOptions;

class TestHandler : public eventium::test::StoreTestCase
{
    Q_OBJECT

    void open(const QString &id, const QString &currency = QStringLiteral("EUR"))
    {
        auto r = REQUIRE_OK(handleAccountCommand(
            store(), accountHandler(), id, Open {id, QStringLiteral("Owner ") + id, currency}));
        QVERIFY(r.accepted());
    }

    Account load(const QString &id)
    {
        return REQUIRE_OK(toolkit::loadAggregate(store(), accountHandler(), accountStream(id)))
            .state;
    }

private slots:
    // The pure parts, without a database.
    void decideAndApply()
    {
        Account a;
        auto d = decideAccount(a, Deposit {100, {}});
        QVERIFY(d.isRejected());
        QCOMPARE(d.rejection()->code, errors::notOpen);

        d = decideAccount(a,
                          Open {QStringLiteral("1"), QStringLiteral("Ann"), QStringLiteral("EUR")});
        QVERIFY(!d.isRejected());
        QCOMPARE(d.events().size(), 1);
        QVERIFY(std::holds_alternative<AccountOpened>(d.events().first()));
        a = applyAccount(a, d.events().first());
        QVERIFY(a.opened);
        QCOMPARE(a.currency, QStringLiteral("EUR"));
        QCOMPARE(decideAccount(
                     a, Open {QStringLiteral("1"), QStringLiteral("Ann"), QStringLiteral("EUR")})
                     .rejection()
                     ->code,
                 errors::alreadyOpen);

        a = applyAccount(a, MoneyDeposited {500, {}});
        QCOMPARE(a.balance, 500);
        QCOMPARE(decideAccount(a, Withdraw {501, {}}).rejection()->code, errors::insufficientFunds);
        QCOMPARE(decideAccount(a, Withdraw {0, {}}).rejection()->code, errors::invalidAmount);
        QCOMPARE(decideAccount(a, Deposit {-5, {}}).rejection()->code, errors::invalidAmount);
        QCOMPARE(decideAccount(a, Close {}).rejection()->code, errors::balanceNotZero);
        d = decideAccount(a, Withdraw {500, QStringLiteral("all")});
        QVERIFY(!d.isRejected());
        a = applyAccount(a, d.events().first());
        QCOMPARE(a.balance, 0);
        a = applyAccount(a, decideAccount(a, Close {QStringLiteral("done")}).events().first());
        QVERIFY(a.closed);
        QCOMPARE(decideAccount(a, Deposit {1, {}}).rejection()->code, errors::closed);
        QCOMPARE(a.transactions, 2);

        // Snapshot encoding round-trips.
        QCOMPARE(decodeAccount(encodeAccount(a)), std::optional<Account>(a));
        QVERIFY(!decodeAccount(QJsonObject {{QStringLiteral("balance"), 1.5}}));
    }

    void acceptsAndRejects()
    {
        const auto handler = accountHandler();
        const QString id = QStringLiteral("42");
        CommandOptions options;
        options.metadata = {{QStringLiteral("user"), QStringLiteral("tester")}};

        auto r = REQUIRE_OK(handleAccountCommand(store(), handler, id, Deposit {100, {}}, options));
        QVERIFY(r.rejected());
        QCOMPARE(r.rejection->code, errors::notOpen);
        QCOMPARE(r.version.value, 0);
        QVERIFY(!REQUIRE_OK(store().streamInfo(accountStream(id))).has_value());

        r = REQUIRE_OK(handleAccountCommand(store(), handler, id,
                                            Open {id, QStringLiteral("Ann"), QStringLiteral("EUR")},
                                            options));
        QVERIFY(r.accepted());
        QCOMPARE(r.version.value, 1);
        QCOMPARE(r.attempts, 1);
        r = REQUIRE_OK(handleAccountCommand(store(), handler, id, Deposit {1000, {}}, options));
        QVERIFY(r.accepted());
        r = REQUIRE_OK(handleAccountCommand(store(), handler, id, Withdraw {300, {}}, options));
        QVERIFY(r.accepted());
        QCOMPARE(r.version.value, 3);
        QCOMPARE(r.state.balance, 700);
        QCOMPARE(r.events.size(), 1);
        QVERIFY(std::holds_alternative<MoneyWithdrawn>(r.events.first()));

        r = REQUIRE_OK(handleAccountCommand(store(), handler, id, Withdraw {701, {}}, options));
        QVERIFY(r.rejected());
        QCOMPARE(r.rejection->code, errors::insufficientFunds);
        QCOMPARE(r.version.value, 3);
        QCOMPARE(REQUIRE_OK(store().streamInfo(accountStream(id)))->version.value, 3);

        // The metadata went with the events.
        const auto events = REQUIRE_OK(store().readStream(accountStream(id), StreamVersion(1)));
        QCOMPARE(events.size(), 3);
        QVERIFY(events.last().metadata.contains("tester"));
        QCOMPARE(load(id).balance, 700);
    }

    // Several threads deposit into and withdraw from one account; with enough retries every
    // deposit is accepted and the balance is the sum of what was accepted.
    void retriesUnderContention()
    {
        const QString id = QStringLiteral("7");
        open(id);
        constexpr int threads = 4;
        constexpr int perThread = 25;
        std::atomic<qint64> expected {0};
        std::atomic<int> accepted {0}, rejected {0}, conflicts {0}, retried {0}, errors {0};
        std::vector<std::unique_ptr<QThread>> workers;
        for (int t = 0; t < threads; ++t) {
            workers.emplace_back(QThread::create([&, t] {
                const auto handler = accountHandler();
                CommandOptions options;
                options.maxRetries = 100;
                for (int i = 0; i < perThread; ++i) {
                    const bool deposit = (i + t) % 3 != 0;
                    const qint64 amount = 10 + (i * 7 + t) % 50;
                    AccountCommand cmd = deposit ? AccountCommand(Deposit {amount, {}})
                                                 : AccountCommand(Withdraw {amount * 2, {}});
                    auto r = handleAccountCommand(store(), handler, id, cmd, options);
                    if (!r) {
                        ++errors;
                        continue;
                    }
                    if (r->attempts > 1)
                        ++retried;
                    if (r->accepted()) {
                        ++accepted;
                        expected += deposit ? amount : -amount * 2;
                    } else if (r->rejected()) {
                        ++rejected;
                    } else {
                        ++conflicts;
                    }
                }
            }));
            workers.back()->start();
        }
        for (auto &w : workers)
            QVERIFY(w->wait(120000));
        qInfo("accepted %d, rejected %d, commands that needed retries %d", accepted.load(),
              rejected.load(), retried.load());
        QCOMPARE(errors.load(), 0);
        QCOMPARE(conflicts.load(), 0);
        QCOMPARE(accepted.load() + rejected.load(), threads * perThread);
        const Account a = load(id);
        QCOMPARE(a.balance, expected.load());
        QVERIFY(a.balance >= 0);
        QCOMPARE(a.transactions, accepted.load());
        QCOMPARE(REQUIRE_OK(store().streamInfo(accountStream(id)))->version.value,
                 1 + accepted.load());
        QVERIFY2(retried.load() > 0, "the threads never collided: the test proves nothing");
    }

    // Without retries, contention shows as Conflict results; nothing of those is written.
    void conflictWithoutRetries()
    {
        const QString id = QStringLiteral("8");
        open(id);
        std::atomic<qint64> sum {0};
        std::atomic<int> accepted {0}, conflicts {0}, errors {0};
        for (int round = 0; round < 5 && conflicts.load() == 0; ++round) {
            std::vector<std::unique_ptr<QThread>> workers;
            for (int t = 0; t < 4; ++t) {
                workers.emplace_back(QThread::create([&, t] {
                    const auto handler = accountHandler();
                    CommandOptions options;
                    options.maxRetries = 0;
                    for (int i = 0; i < 20; ++i) {
                        const qint64 amount = 1 + t * 20 + i;
                        auto r = handleAccountCommand(store(), handler, id, Deposit {amount, {}},
                                                      options);
                        if (!r) {
                            ++errors;
                            continue;
                        }
                        if (r->accepted()) {
                            ++accepted;
                            sum += amount;
                        } else if (r->conflicted()) {
                            ++conflicts;
                            if (r->attempts != 1)
                                ++errors;
                        }
                    }
                }));
                workers.back()->start();
            }
            for (auto &w : workers)
                QVERIFY(w->wait(120000));
        }
        qInfo("accepted %d, conflicts %d", accepted.load(), conflicts.load());
        QCOMPARE(errors.load(), 0);
        QVERIFY2(conflicts.load() > 0, "no conflict reported under contention with 0 retries");
        const Account a = load(id);
        QCOMPARE(a.balance, sum.load());
        QCOMPARE(a.transactions, accepted.load());
    }

    void transfers()
    {
        const auto handler = accountHandler();
        open(QStringLiteral("a"));
        open(QStringLiteral("b"));
        open(QStringLiteral("c"), QStringLiteral("USD"));
        QVERIFY(REQUIRE_OK(
                    handleAccountCommand(store(), handler, QStringLiteral("a"), Deposit {1000, {}}))
                    .accepted());

        auto t = REQUIRE_OK(transfer(store(), handler, QStringLiteral("t1"), QStringLiteral("a"),
                                     QStringLiteral("b"), 400));
        QVERIFY(t.accepted());
        QCOMPARE(t.fromVersion.value, 3);
        QCOMPARE(t.toVersion.value, 2);
        QCOMPARE(load(QStringLiteral("a")).balance, 600);
        QCOMPARE(load(QStringLiteral("b")).balance, 400);
        const auto done = REQUIRE_OK(
            store().readStream(transferStream(QStringLiteral("t1")), StreamVersion(1)));
        QCOMPARE(done.size(), 1);
        const auto completed = decodeEvent<TransferCompleted>(done.first());
        QVERIFY(completed);
        QCOMPARE(completed->amount, 400);
        // One process, a chain of causes: sent -> received -> completed.
        const auto related = REQUIRE_OK(store().related(done.first().id));
        QVERIFY(related.has_value());
        QCOMPARE(related->correlationId, QStringLiteral("t1"));
        QCOMPARE(related->correlated.size(), 3);
        QCOMPARE(related->causation.size(), 3);
        QStringList chain;
        for (const auto &node : related->causation)
            chain << QStringLiteral("%1@%2").arg(node.event.type).arg(node.depth);
        QCOMPARE(chain,
                 QStringList({"TransferSent@0", "TransferReceived@1", "TransferCompleted@2"}));

        t = REQUIRE_OK(transfer(store(), handler, QStringLiteral("t2"), QStringLiteral("a"),
                                QStringLiteral("b"), 601));
        QCOMPARE(t.rejection->code, errors::insufficientFunds);
        t = REQUIRE_OK(transfer(store(), handler, QStringLiteral("t3"), QStringLiteral("a"),
                                QStringLiteral("c"), 10));
        QCOMPARE(t.rejection->code, errors::currencyMismatch);
        t = REQUIRE_OK(transfer(store(), handler, QStringLiteral("t1"), QStringLiteral("a"),
                                QStringLiteral("b"), 10));
        QVERIFY(!t.accepted()); // the id is taken
        t = REQUIRE_OK(transfer(store(), handler, QStringLiteral("t4"), QStringLiteral("a"),
                                QStringLiteral("nobody"), 10));
        QCOMPARE(t.rejection->code, errors::notOpen);
        QCOMPARE(load(QStringLiteral("a")).balance, 600);
        QCOMPARE(load(QStringLiteral("b")).balance, 400);
    }

    // A projection over the global sequence: the total money in all accounts.
    void globalProjection()
    {
        const auto handler = accountHandler();
        open(QStringLiteral("x"));
        open(QStringLiteral("y"));
        QVERIFY(REQUIRE_OK(
                    handleAccountCommand(store(), handler, QStringLiteral("x"), Deposit {250, {}}))
                    .accepted());
        QVERIFY(REQUIRE_OK(transfer(store(), handler, QStringLiteral("t"), QStringLiteral("x"),
                                    QStringLiteral("y"), 100))
                    .accepted());
        REQUIRE_OK(store().sequenceNow());

        struct Totals
        {
            qint64 money = 0;
            int accounts = 0;
            QStringList streams;
        };
        toolkit::Projection<Totals, AccountOpened, MoneyDeposited, MoneyWithdrawn> p;
        p.applyRecorded = [](Totals t, const auto &event, const RecordedEvent &r) {
            if (std::holds_alternative<AccountOpened>(event))
                ++t.accounts;
            else if (auto d = std::get_if<MoneyDeposited>(&event))
                t.money += d->amount;
            t.streams.append(r.stream);
            return t;
        };
        auto all = REQUIRE_OK(toolkit::foldAll(store(), p));
        QCOMPARE(all.state.accounts, 2);
        QCOMPARE(all.state.money, 250);
        QCOMPARE(all.applied, 3);
        QCOMPARE(all.read, 6); // the transfer's three events are read but skipped
        QCOMPARE(all.next.value, 7);
        QCOMPARE(all.state.streams.first(), QStringLiteral("account-x"));

        // Incremental: continue from `next`; a small page size pages through.
        QVERIFY(
            REQUIRE_OK(handleAccountCommand(store(), handler, QStringLiteral("y"), Deposit {5, {}}))
                .accepted());
        REQUIRE_OK(store().sequenceNow());
        auto more = REQUIRE_OK(toolkit::foldAll(store(), p, all.next, all.state, {}, 1));
        QCOMPARE(more.state.money, 255);
        QCOMPARE(more.next.value, 8);

        // Filtered by type, paging one event at a time.
        GlobalFilter filter;
        filter.types = {QStringLiteral("AccountOpened")};
        auto opened
            = REQUIRE_OK(toolkit::foldAll(store(), p, GlobalPosition(1), Totals {}, filter, 1));
        QCOMPARE(opened.state.accounts, 2);
        QCOMPARE(opened.read, 2);

        // Strict projections refuse unknown types.
        p.strict = true;
        QVERIFY(!toolkit::foldAll(store(), p).ok());

        // Over one stream.
        toolkit::Projection<Totals, AccountOpened, MoneyDeposited, MoneyWithdrawn> q;
        q.apply = [](Totals t, const auto &event) {
            if (auto d = std::get_if<MoneyDeposited>(&event))
                t.money += d->amount;
            return t;
        };
        auto x = REQUIRE_OK(toolkit::foldStream(store(), q, accountStream(QStringLiteral("x"))));
        QCOMPARE(x.state.money, 250);
        QCOMPARE(x.version.value, 3);
        QCOMPARE(x.applied, 2);
    }
};

EVENTIUM_TEST_MAIN(TestHandler)
#include "tst_handler.moc"
