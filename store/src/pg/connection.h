#pragma once

#include "connectionpool.h"
#include "pg/rows.h"

#include "eventium/cancellation.h"
#include "eventium/error.h"
#include "eventium/result.h"

#include <QDeadlineTimer>
#include <QList>

#include <atomic>

struct pg_conn;

namespace eventium::pg {

// SQLSTATEs that mean "no such schema, table or function" (3F000, 42P01, 42883): a schema
// that is missing or behind, or a wrong statement (see Store::Private::explain()).
bool isUndefinedObject(const QString &sqlState);

// The error Connection::exec() returns when it finds, inside a transaction block, that the
// server session changed since a statement was prepared (a transaction-mode pooler; SQLSTATE
// 26000 or 42P05, as Retryable): the transaction is aborted (its Transaction rolls it back)
// and can run again at once (the pool sends unnamed statements from then on).
bool lostNamedStatement(const StoreError &error);

// Runs `attempt` (a whole transaction) once more when `result`, its first run's answer, is
// lostNamedStatement(): nothing of it was written, and the pool sends unnamed statements now.
template<typename Result, typename Attempt>
void againIfSessionChanged(Result &result, Attempt &&attempt)
{
    if (!result && lostNamedStatement(result.error()))
        result = attempt();
}

// Text parameters, in order; a null QByteArray is SQL NULL.
using Params = QList<QByteArray>;

// A pooled connection borrowed for one piece of work, and the one way the store runs SQL:
// exec() for a statement with bound parameters (through libpq's extended protocol on the
// QPSQL connection's native handle: prepared once per connection and run by name, or, when
// the pool says so, as the unnamed statement in one round trip), script() for several
// statements without parameters (migrations). Every failure goes through fail(): it marks a
// lost connection broken (so it is closed, not pooled), classifies the error by SQLSTATE and
// constraint name, and logs the statement and the error (never a bound value).
//
// Named statements behind a transaction-mode pooler: when a statement's name is missing from
// the server session (SQLSTATE 26000) or already taken there (42P05), the session changed
// since it was prepared. exec() then switches the pool to unnamed statements (a warning, once
// per pool) and sends the statement again unnamed when outside a transaction block (nothing
// ran); inside one, which the error aborted, it returns a Retryable error
// (lostNamedStatement()).
//
// A statement given a Cancellation is registered with it while it runs: cancel() then
// cancels it on the server (SQLSTATE 57014, StoreError::Kind::Cancelled) and the connection
// stays usable; one given a token already cancelled is not sent at all.
class Connection
{
public:
    Connection() = default;
    explicit Connection(PooledConnection lease);
    Connection(Connection &&) noexcept = default;
    Connection &operator=(Connection &&) noexcept = default;

    Result<Rows> exec(const QString &sql, const Params &params, const QString &what,
                      const Cancellation &cancellation = Cancellation::none());
    Result<Done> script(const QString &sql, const QString &what);

    // LISTEN/NOTIFY, the one way the store listens: listen() subscribes this connection to a
    // channel; takeNotifications() takes what has arrived off it (how many; an error when the
    // connection is lost); waitForNotification() blocks until one arrives (true), the
    // deadline passes or `stop` is set (false). A notification is only a hint to read again.
    Result<Done> listen(const QString &channel);
    Result<int> takeNotifications();
    Result<bool> waitForNotification(QDeadlineTimer deadline, const std::atomic<bool> &stop);
    // The socket to watch for notifications (QSocketNotifier), or -1.
    int socket() const;

    // True when libpq reports the connection as bad.
    bool isDead() const;
    // The QPSQL connection, for code that runs its own QSqlQuery inside a transaction opened
    // here (an exactly-once subscription handler).
    QSqlDatabase &db();
    pg_conn *handle() const;
    // Gives the connection back to the pool (closed when it was lost).
    void release();
    // Closes the connection instead of pooling it when it is released (a session that held
    // locks or listened).
    void discardOnRelease();

private:
    StoreError fail(const Rows &result, const QString &what, const QString &sql);

    PooledConnection m_lease;
};

// A transaction on a Connection that rolls back unless committed.
class Transaction
{
public:
    explicit Transaction(Connection &connection);
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;

    Result<Done> begin();
    Result<Done> commit();
    void rollback();

private:
    Connection &m_connection;
    bool m_open = false;
};

} // namespace eventium::pg
