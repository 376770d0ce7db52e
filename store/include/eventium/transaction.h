#pragma once

#include "eventium/connectionpool.h"
#include "eventium/result.h"

#include <QSqlError>

namespace eventium {

// A transaction on a pooled connection that rolls back unless committed.
class Transaction
{
public:
    explicit Transaction(PooledConnection &connection)
        : m_connection(connection)
    {
    }
    ~Transaction()
    {
        if (m_open && !m_done)
            m_connection.db().rollback();
    }
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;

    Result<Done> begin()
    {
        if (!m_connection.db().transaction())
            return failure(QStringLiteral("BEGIN"));
        m_open = true;
        return Done {};
    }
    Result<Done> commit()
    {
        m_done = true;
        if (!m_connection.db().commit())
            return failure(QStringLiteral("COMMIT"));
        return Done {};
    }
    void rollback()
    {
        if (m_open && !m_done)
            m_connection.db().rollback();
        m_done = true;
    }
    PooledConnection &connection() { return m_connection; }

private:
    // A failed BEGIN or COMMIT; on a connection libpq reports as bad it is a lost connection
    // whatever the driver's message says (it may say nothing).
    StoreError failure(const QString &what)
    {
        StoreError err = StoreError::fromSql(m_connection.db().lastError(), what);
        if (err.kind() == StoreError::Kind::ConnectionLost || m_connection.isDead()) {
            m_connection.markBroken();
            if (err.kind() != StoreError::Kind::ConnectionLost)
                err = StoreError(StoreError::Kind::ConnectionLost,
                                 err.message().isEmpty() ? what + QStringLiteral(": no connection")
                                                         : err.message(),
                                 err.sqlState());
        }
        return err;
    }

    PooledConnection &m_connection;
    bool m_open = false;
    bool m_done = false;
};

} // namespace eventium
