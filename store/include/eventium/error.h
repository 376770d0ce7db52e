#pragma once

#include <QSqlError>
#include <QString>

namespace eventium {

// An error as a value. Expected outcomes (a wrong expected version, a missing stream) are
// not errors: they are typed results of the call that produced them.
class StoreError
{
public:
    enum class Kind {
        InvalidInput, // bad stream name, type, version or limit: nothing was sent
        InvalidJson, // a payload or metadata that is not JSON
        PayloadTooLarge, // over the configured limit
        DuplicateEventId, // an event id already stored elsewhere
        StreamDeleted, // the stream is deleted for good (DeleteMode::Hard): SQLSTATE EV003
        ConnectionLost, // SQLSTATE class 08 or a dead connection
        Retryable, // serialization failure or deadlock (40001, 40P01)
        Timeout, // no connection available in time
        // The read was cancelled (Cancellation::cancel()): on the server (SQLSTATE 57014,
        // query_canceled, which a statement_timeout set on the connection raises too), or
        // before it was sent
        Cancelled,
        Migration, // the schema is missing, newer than this library, or a migration failed
        Embedded, // the embedded server could not be started or stopped
        // The server's history is no longer the one read before: an event already delivered
        // at a position is gone or another one is there (a failover to a standby that had not
        // received every commit). A follower or subscription that sees it stops.
        HistoryRewritten,
        Other,
    };

    StoreError() = default;
    StoreError(Kind kind, QString message, QString sqlState = {})
        : m_kind(kind)
        , m_message(std::move(message))
        , m_sqlState(std::move(sqlState))
    {
    }

    // Classifies a server error once, by data: its SQLSTATE (the store's own functions raise
    // SQLSTATEs of their own, class "EV") and, for a unique violation, the constraint's name;
    // `connectionLost` when the connection is known to be gone. Never by message text.
    static StoreError fromServer(const QString &sqlState, const QString &message,
                                 const QString &constraint = {}, bool connectionLost = false);
    // A Qt SQL error (QSqlQuery::lastError()), classified the same way; a connection error
    // without a SQLSTATE is a lost connection.
    static StoreError fromSql(const QSqlError &error, const QString &context = {});

    Kind kind() const { return m_kind; }
    const QString &message() const { return m_message; }
    const QString &sqlState() const { return m_sqlState; }
    bool isRetryable() const { return m_kind == Kind::Retryable || m_kind == Kind::ConnectionLost; }

    static QString kindName(Kind kind);
    // "connection lost: server closed the connection unexpectedly [08006]"
    QString toString() const;

private:
    Kind m_kind = Kind::Other;
    QString m_message;
    QString m_sqlState;
};

} // namespace eventium
