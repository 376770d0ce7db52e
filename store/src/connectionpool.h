#pragma once

#include "eventium/connectionoptions.h"
#include "eventium/result.h"

#include <QSqlDatabase>

#include <chrono>
#include <memory>

namespace eventium {

class ConnectionPool;

// A connection borrowed from the pool for the current thread; returned when destroyed.
class PooledConnection
{
public:
    PooledConnection();
    PooledConnection(PooledConnection &&other) noexcept;
    PooledConnection &operator=(PooledConnection &&other) noexcept;
    PooledConnection(const PooledConnection &) = delete;
    PooledConnection &operator=(const PooledConnection &) = delete;
    ~PooledConnection();

    QSqlDatabase &db();
    // Marks the connection as broken: it is closed instead of going back to the pool.
    void markBroken() { m_broken = true; }
    // True when libpq reports the connection as bad.
    bool isDead() const;
    // The libpq handle (PGconn*), or nullptr.
    void *nativeHandle() const;
    // Names of statements prepared through libpq directly on this connection.
    bool hasNativeStatement(const QByteArray &name) const;
    void addNativeStatement(const QByteArray &name);
    // Whether statements are prepared under a name and run by it (the pool's setting).
    bool namedStatements() const;
    // The server session behind this connection changed between transactions (a prepared
    // statement went missing or its name was taken): forgets this connection's statements and
    // switches the whole pool to unnamed statements. True for the call that switched it.
    bool dropNamedStatements();
    void release();

private:
    friend class ConnectionPool;
    friend class PoolState;
    PooledConnection(std::shared_ptr<class PoolState> pool,
                     std::unique_ptr<struct PoolEntry> entry);
    std::shared_ptr<class PoolState> m_pool;
    std::unique_ptr<struct PoolEntry> m_entry;
    bool m_broken = false;
};

// A bounded pool of QPSQL connections. A QSqlDatabase belongs to the thread that opened it,
// so each thread gets connections of its own, and only that thread ever closes them: when the
// pool is full, a thread waits (up to acquireTimeout) while the others close connections as
// they give them back; a thread's connections close when the thread exits. Idle connections
// are checked on the way out: one the server has closed (a restart) is dropped, not used.
// Thread safe.
class ConnectionPool
{
public:
    struct Settings
    {
        int maxConnections = 16;
        std::chrono::milliseconds acquireTimeout {30000};
        // Prepare statements once per connection and run them by name; false behind a
        // transaction-mode pooler, where consecutive transactions of one connection may run in
        // different server sessions (pg::Connection::exec then sends unnamed statements).
        bool namedStatements = true;
    };

    explicit ConnectionPool(ConnectionOptions options, Settings settings);
    explicit ConnectionPool(ConnectionOptions options);
    ~ConnectionPool();
    ConnectionPool(const ConnectionPool &) = delete;
    ConnectionPool &operator=(const ConnectionPool &) = delete;

    Result<PooledConnection> acquire();

    const ConnectionOptions &options() const;
    int openConnections() const;
    int maxConnections() const;
    // Settings::namedStatements, until a connection found the server sessions changing
    // (PooledConnection::dropNamedStatements()).
    bool namedStatements() const;
    // Closes all idle connections of the calling thread.
    void closeIdleConnectionsOfThisThread();

private:
    std::shared_ptr<class PoolState> m_state;
};

} // namespace eventium
