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
        if (!m_connection.db().transaction()) {
            StoreError err
                = StoreError::fromSql(m_connection.db().lastError(), QStringLiteral("BEGIN"));
            if (err.kind() == StoreError::Kind::ConnectionLost || m_connection.isDead())
                m_connection.markBroken();
            return err;
        }
        m_open = true;
        return Done {};
    }
    Result<Done> commit()
    {
        m_done = true;
        if (!m_connection.db().commit()) {
            StoreError err
                = StoreError::fromSql(m_connection.db().lastError(), QStringLiteral("COMMIT"));
            if (err.kind() == StoreError::Kind::ConnectionLost || m_connection.isDead())
                m_connection.markBroken();
            return err;
        }
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
    PooledConnection &m_connection;
    bool m_open = false;
    bool m_done = false;
};

} // namespace eventium
