#include "connection.h"

#include "cancellationaccess.h"
#include "pg/nativehandle.h"
#include "pg/sql.h"

#include <QCryptographicHash>
#include <QLoggingCategory>
#include <QMutex>
#include <QSet>

#include <libpq-fe.h>

#include <algorithm>
#include <optional>
#include <vector>

#include <poll.h>

Q_LOGGING_CATEGORY(lcSql, "eventium.sql")

namespace eventium::pg {

namespace {

// An error nobody expects is logged once per statement and SQLSTATE, not on every retry.
bool firstTime(const QString &key)
{
    static QMutex mutex;
    static QSet<QString> seen;
    QMutexLocker lock(&mutex);
    if (seen.contains(key))
        return false;
    seen.insert(key);
    return true;
}

void log(const StoreError &err, const QString &what, const QString &sql)
{
    const QString text = what + QStringLiteral(" failed: ") + err.toString()
        + QStringLiteral(" -- ") + sql.simplified().left(300);
    switch (err.kind()) {
    case StoreError::Kind::InvalidInput:
    case StoreError::Kind::InvalidJson:
    case StoreError::Kind::PayloadTooLarge:
    case StoreError::Kind::DuplicateEventId:
    case StoreError::Kind::StreamDeleted:
    case StoreError::Kind::Migration:
    case StoreError::Kind::Retryable:
    case StoreError::Kind::Cancelled:
        qCDebug(lcSql).noquote() << text;
        return;
    case StoreError::Kind::ConnectionLost:
    case StoreError::Kind::Timeout:
        qCWarning(lcSql).noquote() << text;
        return;
    default:
        if (isUndefinedObject(err.sqlState()))
            qCDebug(lcSql).noquote() << text;
        else if (firstTime(err.sqlState() + sql))
            qCWarning(lcSql).noquote() << text;
    }
}

// A named statement this connection prepared that its server session lacks (26000,
// invalid_sql_statement_name), or a name the session already has (42P05,
// duplicate_prepared_statement): the session is another one than the statement was prepared
// in, as behind a transaction-mode pooler.
bool sessionChanged(const Rows &result)
{
    const QString state = result.sqlState();
    return state == QLatin1String("26000") || state == QLatin1String("42P05");
}

} // namespace

bool lostNamedStatement(const StoreError &error)
{
    return error.kind() == StoreError::Kind::Retryable
        && (error.sqlState() == QLatin1String("26000")
            || error.sqlState() == QLatin1String("42P05"));
}

bool isUndefinedObject(const QString &sqlState)
{
    return sqlState == QLatin1String("3F000") || sqlState == QLatin1String("42P01")
        || sqlState == QLatin1String("42883");
}

Connection::Connection(PooledConnection lease)
    : m_lease(std::move(lease))
{
}

pg_conn *Connection::handle() const
{
    return static_cast<pg_conn *>(m_lease.nativeHandle());
}

bool Connection::isDead() const
{
    return m_lease.isDead();
}

QSqlDatabase &Connection::db()
{
    return m_lease.db();
}

void Connection::release()
{
    m_lease.release();
}

void Connection::discardOnRelease()
{
    m_lease.markBroken();
}

int Connection::socket() const
{
    PGconn *conn = handle();
    return conn ? PQsocket(conn) : -1;
}

Result<Done> Connection::listen(const QString &channel)
{
    return script(QStringLiteral("LISTEN ") + quoteIdent(channel), QStringLiteral("LISTEN"));
}

Result<int> Connection::takeNotifications()
{
    PGconn *conn = handle();
    if (!conn || !PQconsumeInput(conn))
        return fail(Rows(), QStringLiteral("notifications"), QStringLiteral("LISTEN"));
    int count = 0;
    while (PGnotify *n = PQnotifies(conn)) {
        ++count;
        PQfreemem(n);
    }
    return count;
}

Result<bool> Connection::waitForNotification(QDeadlineTimer deadline, const std::atomic<bool> &stop)
{
    auto taken = takeNotifications();
    if (!taken)
        return taken.error();
    if (taken.value() > 0)
        return true;
    while (!stop.load() && !deadline.hasExpired()) {
        pollfd fd {socket(), POLLIN, 0};
        if (fd.fd < 0)
            return fail(Rows(), QStringLiteral("notifications"), QStringLiteral("LISTEN"));
        // Short slices, so that `stop` is seen soon.
        const int waitMs = int(std::clamp<qint64>(deadline.remainingTime(), 1, 50));
        if (::poll(&fd, 1, waitMs) <= 0)
            continue;
        taken = takeNotifications();
        if (!taken)
            return taken.error();
        if (taken.value() > 0)
            return true;
    }
    return false;
}

StoreError Connection::fail(const Rows &result, const QString &what, const QString &sql)
{
    PGconn *conn = handle();
    QString message = result.errorMessage();
    if (message.isEmpty() && conn)
        message = QString::fromUtf8(PQerrorMessage(conn)).trimmed();
    if (message.isEmpty())
        message = QStringLiteral("no connection to the server");
    const bool lost = !conn || PQstatus(conn) == CONNECTION_BAD;
    StoreError err = StoreError::fromServer(
        result.sqlState(), what + QStringLiteral(": ") + message, result.constraintName(), lost);
    if (err.kind() == StoreError::Kind::ConnectionLost)
        m_lease.markBroken();
    log(err, what, sql);
    return err;
}

Result<Rows> Connection::exec(const QString &sql, const Params &params, const QString &what,
                              const Cancellation &cancellation)
{
    if (cancellation.isCancelled())
        return StoreError(StoreError::Kind::Cancelled,
                          what + QStringLiteral(": cancelled before it was sent"));
    PGconn *conn = handle();
    if (!conn || PQstatus(conn) == CONNECTION_BAD)
        return fail(Rows(), what, sql);
    const QByteArray text = sql.toUtf8();
    std::vector<const char *> values;
    values.reserve(size_t(params.size()));
    for (const QByteArray &p : params)
        values.push_back(p.isNull() ? nullptr : p.constData());
    // Registered from before the statement is prepared (parsing it takes its tables' locks, so
    // preparing can wait as long as running) until it returns.
    CancelRegistration running(cancellation, conn);
    if (running.refused())
        return StoreError(StoreError::Kind::Cancelled,
                          what + QStringLiteral(": cancelled before it was sent"));
    // A cancel request sent while the statement ran may reach the server after it ended and
    // cancel whatever runs next on this connection; unless the statement reported the cancel
    // (it took the request), the connection is closed rather than pooled.
    auto done = [&](const Rows &result) -> std::optional<StoreError> {
        const bool cancelSent = running.finish();
        if (result.ok()) {
            if (cancelSent)
                m_lease.markBroken();
            return std::nullopt;
        }
        StoreError err = fail(result, what, sql);
        if (cancelSent && err.kind() != StoreError::Kind::Cancelled)
            m_lease.markBroken();
        return err;
    };
    if (m_lease.namedStatements()) {
        const QByteArray name
            = "ev_" + QCryptographicHash::hash(text, QCryptographicHash::Sha1).toHex().left(20);
        Rows result;
        if (!m_lease.hasNativeStatement(name)) {
            Rows prepared(
                PQprepare(conn, name.constData(), text.constData(), int(params.size()), nullptr));
            if (prepared.ok()) {
                m_lease.addNativeStatement(name);
                // Cancelled while it was prepared: do not run it.
                if (cancellation.isCancelled()) {
                    if (running.finish())
                        m_lease.markBroken();
                    return StoreError(StoreError::Kind::Cancelled,
                                      what + QStringLiteral(": cancelled before it ran"));
                }
            } else {
                result = std::move(prepared);
            }
        }
        if (!result)
            result = Rows(PQexecPrepared(conn, name.constData(), int(values.size()), values.data(),
                                         nullptr, nullptr, 0));
        if (result.ok() || !sessionChanged(result)) {
            if (auto err = done(result))
                return *err;
            return result;
        }
        // The server session is not the one the statement was prepared in (nothing ran).
        if (m_lease.dropNamedStatements())
            qCWarning(lcSql).noquote()
                << QStringLiteral(
                       "%1: prepared statement %2 %3 this server session [%4]: the "
                       "sessions behind the connections change between transactions, as behind "
                       "a transaction-mode pooler (PgBouncer pool_mode = transaction); "
                       "statements are sent unnamed from now on (PoolerMode::Transaction, "
                       "eventium --pooler transaction, starts that way)")
                       .arg(what, QString::fromLatin1(name),
                            result.sqlState() == QLatin1String("26000")
                                ? QStringLiteral("is missing from")
                                : QStringLiteral("already exists in"),
                            result.sqlState());
        if (PQtransactionStatus(conn) != PQTRANS_IDLE) {
            // Inside a transaction block, which the error has aborted: the caller runs it again.
            if (running.finish())
                m_lease.markBroken();
            StoreError err(StoreError::Kind::Retryable,
                           what
                               + QStringLiteral(": the server session changed under a "
                                                "transaction (a transaction-mode pooler); the "
                                                "transaction is aborted, run it again"),
                           result.sqlState());
            log(err, what, sql);
            return err;
        }
        // Outside a transaction block: sent again below, unnamed.
    }
    // The unnamed statement: parse, bind and execute in one round trip (one message batch up
    // to Sync, which a transaction-mode pooler keeps on one server session).
    Rows result(PQexecParams(conn, text.constData(), int(values.size()), nullptr, values.data(),
                             nullptr, nullptr, 0));
    if (auto err = done(result))
        return *err;
    return result;
}

Result<Done> Connection::script(const QString &sql, const QString &what)
{
    PGconn *conn = handle();
    if (!conn || PQstatus(conn) == CONNECTION_BAD)
        return fail(Rows(), what, sql);
    Rows result(PQexec(conn, sql.toUtf8().constData()));
    if (!result.ok())
        return fail(result, what, sql);
    return Done {};
}

Transaction::Transaction(Connection &connection)
    : m_connection(connection)
{
}

Transaction::~Transaction()
{
    rollback();
}

Result<Done> Transaction::begin()
{
    auto r = m_connection.script(QStringLiteral("BEGIN"), QStringLiteral("BEGIN"));
    if (!r)
        return r.error();
    m_open = true;
    return Done {};
}

Result<Done> Transaction::commit()
{
    m_open = false;
    return m_connection.script(QStringLiteral("COMMIT"), QStringLiteral("COMMIT"));
}

void Transaction::rollback()
{
    if (!m_open)
        return;
    m_open = false;
    if (!m_connection.isDead())
        (void)m_connection.script(QStringLiteral("ROLLBACK"), QStringLiteral("ROLLBACK"));
}

} // namespace eventium::pg
