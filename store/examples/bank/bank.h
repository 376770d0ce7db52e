#pragma once

// An example domain written with the toolkit: bank accounts and transfers between them.
//
// Streams: "account-<id>" holds one account's events, "transfer-<id>" one completed
// transfer. Amounts are integer cents (qint64). A transfer writes TransferSent to the source
// account, TransferReceived to the target and TransferCompleted to the transfer's stream in
// one atomic Store::appendMulti.

#include "eventium/codec.h"
#include "eventium/store.h"
#include "eventium/toolkit/commandhandler.h"

#include <QJsonObject>
#include <QJsonValue>

#include <optional>
#include <variant>

namespace eventium::bank {

// ---------------------------------------------------------------- events

struct AccountOpened
{
    QString accountId;
    QString owner;
    QString currency; // ISO 4217 ("EUR")
};

struct MoneyDeposited
{
    qint64 amount = 0; // cents, > 0
    QString reference;
};

struct MoneyWithdrawn
{
    qint64 amount = 0; // cents, > 0
    QString reference;
};

// On the source account.
struct TransferSent
{
    QString transferId;
    QString toAccountId;
    qint64 amount = 0;
};

// On the target account.
struct TransferReceived
{
    QString transferId;
    QString fromAccountId;
    qint64 amount = 0;
};

struct AccountClosed
{
    QString reason;
};

// On "transfer-<id>".
struct TransferCompleted
{
    QString transferId;
    QString fromAccountId;
    QString toAccountId;
    qint64 amount = 0;
    QString currency;
};

} // namespace eventium::bank

// ---------------------------------------------------------------- codecs

namespace eventium {

namespace bankdetail {
// An integer number of cents, or nullopt when missing or not an integer.
inline std::optional<qint64> cents(const QJsonValue &v)
{
    if (!v.isDouble())
        return std::nullopt;
    const double d = v.toDouble();
    const qint64 i = v.toInteger();
    if (double(i) != d)
        return std::nullopt;
    return i;
}
} // namespace bankdetail

template<> struct EventCodec<bank::AccountOpened>
{
    static QString typeName() { return QStringLiteral("AccountOpened"); }
    static QJsonObject encode(const bank::AccountOpened &e)
    {
        return {{QStringLiteral("accountId"), e.accountId},
                {QStringLiteral("owner"), e.owner},
                {QStringLiteral("currency"), e.currency}};
    }
    static std::optional<bank::AccountOpened> decode(const QJsonObject &o)
    {
        if (!o.value(QStringLiteral("accountId")).isString())
            return std::nullopt;
        return bank::AccountOpened {o.value(QStringLiteral("accountId")).toString(),
                                    o.value(QStringLiteral("owner")).toString(),
                                    o.value(QStringLiteral("currency")).toString()};
    }
};

template<> struct EventCodec<bank::MoneyDeposited>
{
    static QString typeName() { return QStringLiteral("MoneyDeposited"); }
    static QJsonObject encode(const bank::MoneyDeposited &e)
    {
        return {{QStringLiteral("amount"), e.amount}, {QStringLiteral("reference"), e.reference}};
    }
    static std::optional<bank::MoneyDeposited> decode(const QJsonObject &o)
    {
        const auto amount = bankdetail::cents(o.value(QStringLiteral("amount")));
        if (!amount)
            return std::nullopt;
        return bank::MoneyDeposited {*amount, o.value(QStringLiteral("reference")).toString()};
    }
};

template<> struct EventCodec<bank::MoneyWithdrawn>
{
    static QString typeName() { return QStringLiteral("MoneyWithdrawn"); }
    static QJsonObject encode(const bank::MoneyWithdrawn &e)
    {
        return {{QStringLiteral("amount"), e.amount}, {QStringLiteral("reference"), e.reference}};
    }
    static std::optional<bank::MoneyWithdrawn> decode(const QJsonObject &o)
    {
        const auto amount = bankdetail::cents(o.value(QStringLiteral("amount")));
        if (!amount)
            return std::nullopt;
        return bank::MoneyWithdrawn {*amount, o.value(QStringLiteral("reference")).toString()};
    }
};

template<> struct EventCodec<bank::TransferSent>
{
    static QString typeName() { return QStringLiteral("TransferSent"); }
    static QJsonObject encode(const bank::TransferSent &e)
    {
        return {{QStringLiteral("transferId"), e.transferId},
                {QStringLiteral("toAccountId"), e.toAccountId},
                {QStringLiteral("amount"), e.amount}};
    }
    static std::optional<bank::TransferSent> decode(const QJsonObject &o)
    {
        const auto amount = bankdetail::cents(o.value(QStringLiteral("amount")));
        if (!amount || !o.value(QStringLiteral("transferId")).isString())
            return std::nullopt;
        return bank::TransferSent {o.value(QStringLiteral("transferId")).toString(),
                                   o.value(QStringLiteral("toAccountId")).toString(), *amount};
    }
};

template<> struct EventCodec<bank::TransferReceived>
{
    static QString typeName() { return QStringLiteral("TransferReceived"); }
    static QJsonObject encode(const bank::TransferReceived &e)
    {
        return {{QStringLiteral("transferId"), e.transferId},
                {QStringLiteral("fromAccountId"), e.fromAccountId},
                {QStringLiteral("amount"), e.amount}};
    }
    static std::optional<bank::TransferReceived> decode(const QJsonObject &o)
    {
        const auto amount = bankdetail::cents(o.value(QStringLiteral("amount")));
        if (!amount || !o.value(QStringLiteral("transferId")).isString())
            return std::nullopt;
        return bank::TransferReceived {o.value(QStringLiteral("transferId")).toString(),
                                       o.value(QStringLiteral("fromAccountId")).toString(),
                                       *amount};
    }
};

template<> struct EventCodec<bank::AccountClosed>
{
    static QString typeName() { return QStringLiteral("AccountClosed"); }
    static QJsonObject encode(const bank::AccountClosed &e)
    {
        return {{QStringLiteral("reason"), e.reason}};
    }
    static std::optional<bank::AccountClosed> decode(const QJsonObject &o)
    {
        return bank::AccountClosed {o.value(QStringLiteral("reason")).toString()};
    }
};

template<> struct EventCodec<bank::TransferCompleted>
{
    static QString typeName() { return QStringLiteral("TransferCompleted"); }
    static QJsonObject encode(const bank::TransferCompleted &e)
    {
        return {{QStringLiteral("transferId"), e.transferId},
                {QStringLiteral("fromAccountId"), e.fromAccountId},
                {QStringLiteral("toAccountId"), e.toAccountId},
                {QStringLiteral("amount"), e.amount},
                {QStringLiteral("currency"), e.currency}};
    }
    static std::optional<bank::TransferCompleted> decode(const QJsonObject &o)
    {
        const auto amount = bankdetail::cents(o.value(QStringLiteral("amount")));
        if (!amount || !o.value(QStringLiteral("transferId")).isString())
            return std::nullopt;
        return bank::TransferCompleted {o.value(QStringLiteral("transferId")).toString(),
                                        o.value(QStringLiteral("fromAccountId")).toString(),
                                        o.value(QStringLiteral("toAccountId")).toString(), *amount,
                                        o.value(QStringLiteral("currency")).toString()};
    }
};

} // namespace eventium

namespace eventium::bank {

// ---------------------------------------------------------------- state and commands

struct Account
{
    QString accountId;
    QString owner;
    QString currency;
    qint64 balance = 0; // cents; never negative
    bool opened = false;
    bool closed = false;
    qint64 transactions = 0; // deposits, withdrawals and transfers

    bool operator==(const Account &) const = default;
};

struct Open
{
    QString accountId;
    QString owner;
    QString currency;
};
struct Deposit
{
    qint64 amount = 0;
    QString reference;
};
struct Withdraw
{
    qint64 amount = 0;
    QString reference;
};
// Only an account with a zero balance can be closed.
struct Close
{
    QString reason;
};
using AccountCommand = std::variant<Open, Deposit, Withdraw, Close>;

using AccountHandler
    = toolkit::CommandHandler<Account, AccountCommand, AccountOpened, MoneyDeposited,
                              MoneyWithdrawn, TransferSent, TransferReceived, AccountClosed>;
using AccountEvent = AccountHandler::Event;

// Rejection codes of decideAccount and transfer.
namespace errors {
inline const QString notOpen = QStringLiteral("account-not-open");
inline const QString alreadyOpen = QStringLiteral("account-already-open");
inline const QString closed = QStringLiteral("account-closed");
inline const QString insufficientFunds = QStringLiteral("insufficient-funds");
inline const QString invalidAmount = QStringLiteral("invalid-amount");
inline const QString invalidInput = QStringLiteral("invalid-input");
inline const QString balanceNotZero = QStringLiteral("balance-not-zero");
inline const QString currencyMismatch = QStringLiteral("currency-mismatch");
inline const QString sameAccount = QStringLiteral("same-account");
} // namespace errors

StreamName accountStream(const QString &accountId); // "account-<id>"
StreamName transferStream(const QString &transferId); // "transfer-<id>"

// The account's projection step.
Account applyAccount(Account account, const AccountEvent &event);
// The account's decisions: Open, Deposit, Withdraw, Close.
toolkit::Decision<AccountEvent> decideAccount(const Account &account,
                                              const AccountCommand &command);

QJsonObject encodeAccount(const Account &account);
std::optional<Account> decodeAccount(const QJsonObject &json);
constexpr int accountSnapshotVersion = 1;

// The account handler; snapshots every `snapshotEvery` events (0: none) under the name
// "bank.account".
AccountHandler accountHandler(int snapshotEvery = 0);

// Runs one command on "account-<accountId>" (see toolkit::applyCommand).
Result<toolkit::CommandResult<Account, AccountEvent>>
handleAccountCommand(Store &store, const AccountHandler &handler, const QString &accountId,
                     const AccountCommand &command, const toolkit::CommandOptions &options = {});

struct TransferResult
{
    using Status = toolkit::CommandResult<Account, AccountEvent>::Status;
    Status status = Status::Accepted;
    std::optional<toolkit::Rejection> rejection;
    StreamVersion fromVersion; // the accounts' versions after the transfer
    StreamVersion toVersion;
    int attempts = 0;

    bool accepted() const { return status == Status::Accepted; }
};

// Moves `amount` cents from one account to another atomically: both accounts must be open,
// in the same currency, and the source must hold the amount. Writes TransferSent,
// TransferReceived and TransferCompleted ("transfer-<transferId>", which must not exist yet)
// in one appendMulti expecting the versions it decided on; retries conflicts like
// applyCommand.
Result<TransferResult> transfer(Store &store, const AccountHandler &handler,
                                const QString &transferId, const QString &fromAccountId,
                                const QString &toAccountId, qint64 amount,
                                const toolkit::CommandOptions &options = {});

} // namespace eventium::bank
