#include "bank/bank.h"

#include <QRandomGenerator>
#include <QThread>

namespace eventium::bank {

namespace {

template<class... Fs> struct Overloaded : Fs...
{
    using Fs::operator()...;
};
template<class... Fs> Overloaded(Fs...) -> Overloaded<Fs...>;

using AccountDecision = toolkit::Decision<AccountEvent>;

AccountDecision reject(const QString &code, const QString &message)
{
    return AccountDecision::reject(code, message);
}

// Common checks for commands on an existing, open account.
std::optional<toolkit::Rejection> requireOpen(const Account &account)
{
    if (!account.opened)
        return toolkit::Rejection {errors::notOpen, QStringLiteral("the account is not open")};
    if (account.closed)
        return toolkit::Rejection {errors::closed,
                                   QStringLiteral("account %1 is closed").arg(account.accountId)};
    return std::nullopt;
}

} // namespace

StreamName accountStream(const QString &accountId)
{
    return StreamName(QStringLiteral("account-") + accountId);
}

StreamName transferStream(const QString &transferId)
{
    return StreamName(QStringLiteral("transfer-") + transferId);
}

Account applyAccount(Account a, const AccountEvent &event)
{
    std::visit(Overloaded {
                   [&](const AccountOpened &e) {
                       a.accountId = e.accountId;
                       a.owner = e.owner;
                       a.currency = e.currency;
                       a.opened = true;
                   },
                   [&](const MoneyDeposited &e) {
                       a.balance += e.amount;
                       ++a.transactions;
                   },
                   [&](const MoneyWithdrawn &e) {
                       a.balance -= e.amount;
                       ++a.transactions;
                   },
                   [&](const TransferSent &e) {
                       a.balance -= e.amount;
                       ++a.transactions;
                   },
                   [&](const TransferReceived &e) {
                       a.balance += e.amount;
                       ++a.transactions;
                   },
                   [&](const AccountClosed &) { a.closed = true; },
               },
               event);
    return a;
}

toolkit::Decision<AccountEvent> decideAccount(const Account &account, const AccountCommand &command)
{
    return std::visit(
        Overloaded {
            [&](const Open &c) -> AccountDecision {
                if (account.opened)
                    return reject(
                        errors::alreadyOpen,
                        QStringLiteral("account %1 is already open").arg(account.accountId));
                if (c.accountId.isEmpty() || c.owner.isEmpty() || c.currency.size() != 3)
                    return reject(errors::invalidInput,
                                  QStringLiteral("an account needs an id, an owner and a "
                                                 "three-letter currency"));
                return AccountOpened {c.accountId, c.owner, c.currency};
            },
            [&](const Deposit &c) -> AccountDecision {
                if (auto r = requireOpen(account))
                    return *r;
                if (c.amount <= 0)
                    return reject(errors::invalidAmount,
                                  QStringLiteral("a deposit must be positive"));
                return MoneyDeposited {c.amount, c.reference};
            },
            [&](const Withdraw &c) -> AccountDecision {
                if (auto r = requireOpen(account))
                    return *r;
                if (c.amount <= 0)
                    return reject(errors::invalidAmount,
                                  QStringLiteral("a withdrawal must be positive"));
                if (c.amount > account.balance)
                    return reject(errors::insufficientFunds,
                                  QStringLiteral("balance %1 is less than %2")
                                      .arg(account.balance)
                                      .arg(c.amount));
                return MoneyWithdrawn {c.amount, c.reference};
            },
            [&](const Close &c) -> AccountDecision {
                if (auto r = requireOpen(account))
                    return *r;
                if (account.balance != 0)
                    return reject(
                        errors::balanceNotZero,
                        QStringLiteral("the balance is %1, not zero").arg(account.balance));
                return AccountClosed {c.reason};
            },
        },
        command);
}

QJsonObject encodeAccount(const Account &a)
{
    return {{QStringLiteral("accountId"), a.accountId},
            {QStringLiteral("owner"), a.owner},
            {QStringLiteral("currency"), a.currency},
            {QStringLiteral("balance"), a.balance},
            {QStringLiteral("opened"), a.opened},
            {QStringLiteral("closed"), a.closed},
            {QStringLiteral("transactions"), a.transactions}};
}

std::optional<Account> decodeAccount(const QJsonObject &o)
{
    const auto balance = bankdetail::cents(o.value(QStringLiteral("balance")));
    const auto transactions = bankdetail::cents(o.value(QStringLiteral("transactions")));
    if (!balance || !transactions || !o.value(QStringLiteral("opened")).isBool()
        || !o.value(QStringLiteral("closed")).isBool())
        return std::nullopt;
    Account a;
    a.accountId = o.value(QStringLiteral("accountId")).toString();
    a.owner = o.value(QStringLiteral("owner")).toString();
    a.currency = o.value(QStringLiteral("currency")).toString();
    a.balance = *balance;
    a.opened = o.value(QStringLiteral("opened")).toBool();
    a.closed = o.value(QStringLiteral("closed")).toBool();
    a.transactions = *transactions;
    return a;
}

AccountHandler accountHandler(int snapshotEvery)
{
    AccountHandler h;
    h.projection.apply = &applyAccount;
    h.decide = &decideAccount;
    h.snapshots.name = QStringLiteral("bank.account");
    h.snapshots.version = accountSnapshotVersion;
    h.snapshots.every = snapshotEvery;
    h.snapshots.encode = &encodeAccount;
    h.snapshots.decode = &decodeAccount;
    return h;
}

Result<toolkit::CommandResult<Account, AccountEvent>>
handleAccountCommand(Store &store, const AccountHandler &handler, const QString &accountId,
                     const AccountCommand &command, const toolkit::CommandOptions &options)
{
    return toolkit::applyCommand(store, handler, accountStream(accountId), command, options);
}

Result<TransferResult> transfer(Store &store, const AccountHandler &handler,
                                const QString &transferId, const QString &fromAccountId,
                                const QString &toAccountId, qint64 amount,
                                const toolkit::CommandOptions &options)
{
    TransferResult out;
    auto rejected = [&](const QString &code, const QString &message) {
        out.status = TransferResult::Status::Rejected;
        out.rejection = toolkit::Rejection {code, message};
        return out;
    };
    if (transferId.isEmpty())
        return rejected(errors::invalidInput, QStringLiteral("a transfer needs an id"));
    if (fromAccountId == toAccountId)
        return rejected(errors::sameAccount, QStringLiteral("a transfer needs two accounts"));
    if (amount <= 0)
        return rejected(errors::invalidAmount, QStringLiteral("a transfer must be positive"));

    for (int attempt = 0;; ++attempt) {
        out.attempts = attempt + 1;
        auto from = toolkit::loadAggregate(store, handler, accountStream(fromAccountId));
        if (!from)
            return from.error();
        auto to = toolkit::loadAggregate(store, handler, accountStream(toAccountId));
        if (!to)
            return to.error();
        if (auto r = requireOpen(from->state))
            return rejected(r->code, QStringLiteral("source: ") + r->message);
        if (auto r = requireOpen(to->state))
            return rejected(r->code, QStringLiteral("target: ") + r->message);
        if (from->state.currency != to->state.currency)
            return rejected(errors::currencyMismatch,
                            QStringLiteral("%1 cannot be sent to an account in %2")
                                .arg(from->state.currency, to->state.currency));
        if (from->state.balance < amount)
            return rejected(
                errors::insufficientFunds,
                QStringLiteral("balance %1 is less than %2").arg(from->state.balance).arg(amount));

        // The transfer is one process (its id is the correlation id) and a chain of causes:
        // the money sent (caused by what the caller's metadata names, if anything) makes it
        // arrive, which completes the transfer (README, "Related events").
        QJsonObject metadata = options.metadata;
        if (!metadata.contains(QStringLiteral("correlationId")))
            metadata.insert(QStringLiteral("correlationId"), transferId);
        const QUuid sentId = QUuid::createUuid();
        const QUuid receivedId = QUuid::createUuid();
        QJsonObject receivedMetadata = metadata;
        receivedMetadata.insert(QStringLiteral("causationId"),
                                sentId.toString(QUuid::WithoutBraces));
        QJsonObject completedMetadata = metadata;
        completedMetadata.insert(QStringLiteral("causationId"),
                                 receivedId.toString(QUuid::WithoutBraces));
        const QList<StreamAppend> appends {
            {accountStream(fromAccountId),
             ExpectedVersion::exact(from->version),
             {encodeEvent(TransferSent {transferId, toAccountId, amount}, metadata, sentId)}},
            {accountStream(toAccountId),
             ExpectedVersion::exact(to->version),
             {encodeEvent(TransferReceived {transferId, fromAccountId, amount}, receivedMetadata,
                          receivedId)}},
            {transferStream(transferId),
             ExpectedVersion::noStream(),
             {encodeEvent(TransferCompleted {transferId, fromAccountId, toAccountId, amount,
                                             from->state.currency},
                          completedMetadata)}},
        };
        auto written = store.appendMulti(appends);
        if (!written)
            return written.error();
        if (written->committed) {
            out.status = TransferResult::Status::Accepted;
            out.fromVersion = written->results.value(0).lastVersion;
            out.toVersion = written->results.value(1).lastVersion;
            return out;
        }
        if (written->results.value(2).isConflict())
            return rejected(errors::invalidInput,
                            QStringLiteral("transfer %1 exists already").arg(transferId));
        if (attempt >= options.maxRetries) {
            out.status = TransferResult::Status::Conflict;
            return out;
        }
        if (options.retryBackoff.count() > 0) {
            const qint64 cap = options.retryBackoff.count() * (attempt + 1);
            QThread::msleep(quint64(QRandomGenerator::global()->bounded(cap + 1)));
        }
    }
}

} // namespace eventium::bank
