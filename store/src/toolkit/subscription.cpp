#include "eventium/toolkit/subscription.h"

#include "../nativehandle.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QLoggingCategory>
#include <QMutex>
#include <QSqlError>
#include <QSqlQuery>
#include <QSysInfo>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <poll.h>

Q_DECLARE_LOGGING_CATEGORY(lcToolkit)

namespace eventium::toolkit {

namespace {

QString quoteIdent(const QString &ident)
{
    return QLatin1Char('"') + QString(ident).replace(QLatin1Char('"'), QStringLiteral("\"\""))
        + QLatin1Char('"');
}

std::atomic<quint64> connectionCounter {0};

} // namespace

struct Subscription::Private
{
    Store &store;
    Settings settings;
    Delivery delivery;
    Handler handler;
    TransactionalHandler txHandler;
    QString s; // quoted schema

    std::atomic<bool> stopRequested {false};
    std::atomic<qint64> position {0};
    std::atomic<bool> live {false};
    std::atomic<bool> active {false};
    std::atomic<qint64> handled {0};
    mutable QMutex errorMutex;
    std::optional<StoreError> lastError;
    std::unique_ptr<QThread> thread;

    // The session: a connection of its own holding the lock and listening.
    QString connectionName;
    int subscriptionId = 0;

    Private(Store &st, Settings se, Delivery d)
        : store(st)
        , settings(std::move(se))
        , delivery(d)
        , s(quoteIdent(st.schema()))
    {
    }

    void setError(const StoreError &e)
    {
        QMutexLocker lock(&errorMutex);
        lastError = e;
    }

    QSqlDatabase db() const { return QSqlDatabase::database(connectionName, false); }

    // Sleeps up to `ms`, returning early when stopped.
    void pause(std::chrono::milliseconds ms)
    {
        QDeadlineTimer deadline(ms.count());
        while (!stopRequested.load() && !deadline.hasExpired())
            QThread::msleep(quint64(std::clamp<qint64>(deadline.remainingTime(), 1, 50)));
    }

    StoreError sqlError(const QSqlQuery &q, const QString &what)
    {
        StoreError err = StoreError::fromSql(q.lastError(), what);
        if (err.kind() == StoreError::Kind::Other && pgConnectionBad(db()))
            err = StoreError(StoreError::Kind::ConnectionLost, err.message(), err.sqlState());
        return err;
    }

    void closeSession()
    {
        const bool held = active.exchange(false);
        if (connectionName.isEmpty())
            return;
        {
            QSqlDatabase d = db();
            if (d.isOpen()) {
                // Release the lock before returning: closing the connection releases it too,
                // but only once the server has noticed, which may be a moment later.
                if (held && !pgConnectionBad(d)) {
                    QSqlQuery q(d);
                    q.prepare(QStringLiteral("SELECT pg_advisory_unlock(hashtext(?), ?)"));
                    q.addBindValue(QStringLiteral("eventium.subscription:") + store.schema());
                    q.addBindValue(subscriptionId);
                    q.exec();
                }
                d.close();
            }
        }
        QSqlDatabase::removeDatabase(connectionName);
        connectionName.clear();
    }

    // Opens the session, makes sure the checkpoint row exists and takes the lock.
    // Ok(true): locked; Ok(false): another session holds it.
    Result<bool> openSession()
    {
        closeSession();
        connectionName = QStringLiteral("eventium-subscription-%1").arg(++connectionCounter);
        QSqlDatabase d = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connectionName);
        store.connectionOptions().applyTo(d);
        if (!d.open()) {
            StoreError err = StoreError::fromSql(d.lastError(), QStringLiteral("connect"));
            if (err.kind() == StoreError::Kind::Other)
                err = StoreError(StoreError::Kind::ConnectionLost, err.message(), err.sqlState());
            return err;
        }
        QSqlQuery q(d);
        q.prepare(QStringLiteral("INSERT INTO %1.subscriptions (name, position) VALUES (?, ?) "
                                 "ON CONFLICT (name) DO NOTHING")
                      .arg(s));
        q.addBindValue(settings.name);
        q.addBindValue(qMax<qint64>(0, settings.startFrom.value - 1));
        if (!q.exec())
            return sqlError(q, QStringLiteral("create subscription"));
        q.prepare(
            QStringLiteral("SELECT subscription_id FROM %1.subscriptions WHERE name = ?").arg(s));
        q.addBindValue(settings.name);
        if (!q.exec() || !q.next())
            return sqlError(q, QStringLiteral("read subscription"));
        subscriptionId = q.value(0).toInt();
        q.prepare(QStringLiteral("SELECT pg_try_advisory_lock(hashtext(?), ?)"));
        q.addBindValue(QStringLiteral("eventium.subscription:") + store.schema());
        q.addBindValue(subscriptionId);
        if (!q.exec() || !q.next())
            return sqlError(q, QStringLiteral("subscription lock"));
        if (!q.value(0).toBool())
            return false;
        active = true;
        // Holding the lock: the stored checkpoint is the truth now.
        q.prepare(QStringLiteral("UPDATE %1.subscriptions SET owner = ?, updated_at = now() "
                                 "WHERE name = ? RETURNING position")
                      .arg(s));
        q.addBindValue(QStringLiteral("%1:%2")
                           .arg(QSysInfo::machineHostName())
                           .arg(QCoreApplication::applicationPid()));
        q.addBindValue(settings.name);
        if (!q.exec() || !q.next())
            return sqlError(q, QStringLiteral("read checkpoint"));
        position = q.value(0).toLongLong();
        if (!q.exec(QStringLiteral("LISTEN %1").arg(quoteIdent(store.notificationChannel()))))
            return sqlError(q, QStringLiteral("LISTEN"));
        return true;
    }

    // Opens the session and takes the lock, waiting for it when so configured; reconnects
    // after connection failures. Ok(false): stopped or the lock is held elsewhere (no wait).
    Result<bool> acquire(bool wait, bool retryConnection)
    {
        while (!stopRequested.load()) {
            auto r = openSession();
            if (r && r.value())
                return true;
            if (!r) {
                if (r.error().kind() != StoreError::Kind::ConnectionLost || !retryConnection)
                    return r.error();
                setError(r.error());
                qCWarning(lcToolkit).noquote() << "subscription" << settings.name << ":"
                                               << r.error().toString() << "; reconnecting";
                closeSession();
                pause(settings.reconnectDelay);
                continue;
            }
            closeSession();
            if (!wait)
                return StoreError(StoreError::Kind::Other,
                                  QStringLiteral("subscription \"%1\" is running in another "
                                                 "session")
                                      .arg(settings.name));
            pause(settings.lockRetryInterval);
        }
        return false;
    }

    // Drains pending notifications; true when there was one.
    bool drainNotifications()
    {
        PGconn *conn = pgHandle(db());
        if (!conn)
            return false;
        bool any = false;
        PQconsumeInput(conn);
        while (PGnotify *n = PQnotifies(conn)) {
            any = true;
            PQfreemem(n);
        }
        return any;
    }

    // Waits for a notification, the poll interval, or stop().
    void waitForEvents()
    {
        if (drainNotifications())
            return;
        PGconn *conn = pgHandle(db());
        QDeadlineTimer deadline(settings.pollInterval.count());
        while (conn && !stopRequested.load() && !deadline.hasExpired()) {
            pollfd fd {PQsocket(conn), POLLIN, 0};
            if (fd.fd < 0)
                break;
            const int waitMs = int(std::clamp<qint64>(deadline.remainingTime(), 1, 50));
            const int ready = ::poll(&fd, 1, waitMs);
            if (ready > 0) {
                if (!PQconsumeInput(conn))
                    return; // a lost connection shows on the next query
                if (drainNotifications())
                    return;
            }
        }
        if (!conn)
            pause(settings.pollInterval);
    }

    // Hands a batch to the handler and commits the checkpoint `next` (the last position the
    // batch covers). Ok(false): the handler failed (retry the batch later).
    Result<bool> deliver(const QList<RecordedEvent> &events, qint64 next)
    {
        const qint64 from = position.load();
        QSqlDatabase d = db();
        const QString update = QStringLiteral("UPDATE %1.subscriptions SET position = ?, handled = "
                                              "handled + ?, updated_at = now() "
                                              "WHERE name = ? AND position = ?")
                                   .arg(s);
        auto bindUpdate = [&](QSqlQuery &q) {
            q.prepare(update);
            q.addBindValue(next);
            q.addBindValue(qint64(events.size()));
            q.addBindValue(settings.name);
            q.addBindValue(from);
        };
        if (delivery == Delivery::AtLeastOnce) {
            if (!events.isEmpty()) {
                auto r = handler(events);
                if (!r) {
                    setError(r.error());
                    qCWarning(lcToolkit).noquote()
                        << "subscription" << settings.name << ": the handler failed at position"
                        << events.first().position.value << ":" << r.error().toString();
                    return false;
                }
            }
            QSqlQuery q(d);
            bindUpdate(q);
            if (!q.exec())
                return sqlError(q, QStringLiteral("write checkpoint"));
            if (q.numRowsAffected() != 1)
                return StoreError(StoreError::Kind::Other,
                                  QStringLiteral("the checkpoint of \"%1\" moved under the lock")
                                      .arg(settings.name));
        } else {
            if (!d.transaction())
                return StoreError::fromSql(d.lastError(), QStringLiteral("BEGIN"));
            if (!events.isEmpty()) {
                auto r = txHandler(events, d);
                if (!r) {
                    d.rollback();
                    setError(r.error());
                    qCWarning(lcToolkit).noquote()
                        << "subscription" << settings.name << ": the handler failed at position"
                        << events.first().position.value << ":" << r.error().toString();
                    if (pgConnectionBad(d))
                        return r.error();
                    return false;
                }
            }
            {
                QSqlQuery q(d);
                bindUpdate(q);
                if (!q.exec()) {
                    StoreError err = sqlError(q, QStringLiteral("write checkpoint"));
                    d.rollback();
                    return err;
                }
                if (q.numRowsAffected() != 1) {
                    d.rollback();
                    return StoreError(StoreError::Kind::Other,
                                      QStringLiteral("the checkpoint of \"%1\" moved under the "
                                                     "lock")
                                          .arg(settings.name));
                }
            }
            if (!d.commit()) {
                StoreError err = StoreError::fromSql(d.lastError(), QStringLiteral("COMMIT"));
                d.rollback();
                if (pgConnectionBad(d))
                    err = StoreError(StoreError::Kind::ConnectionLost, err.message(),
                                     err.sqlState());
                return err;
            }
        }
        position = next;
        handled += events.size();
        return true;
    }

    // The loop of run() and catchUp(). Returns the events handled.
    Result<qint64> loop(bool untilCaughtUp)
    {
        if (settings.name.isEmpty())
            return StoreError(StoreError::Kind::InvalidInput,
                              QStringLiteral("a subscription needs a name"));
        if (settings.batchSize < 1 || settings.batchSize > 100000)
            return StoreError(StoreError::Kind::InvalidInput,
                              QStringLiteral("a subscription's batch size is between 1 and "
                                             "100000"));
        const qint64 handledBefore = handled.load();
        auto locked = acquire(!untilCaughtUp && settings.waitForLock, !untilCaughtUp);
        if (!locked) {
            closeSession();
            return locked.error();
        }
        qCInfo(lcToolkit).noquote()
            << "subscription" << settings.name << "runs from position" << position.load() + 1;
        while (locked.value() && !stopRequested.load()) {
            auto page = store.readAll(GlobalPosition(position.load() + 1), settings.batchSize,
                                      settings.filter);
            Result<bool> delivered = true;
            if (!page) {
                delivered = page.error();
            } else if (page->events.isEmpty() && page->next.value <= position.load() + 1) {
                live = true;
                if (untilCaughtUp)
                    break;
                waitForEvents();
                // A cheap step in case no writer or sequencer is running any more.
                if (auto step = store.sequenceStep(); !step)
                    setError(step.error());
                continue;
            } else {
                live = page->next.value > page->head.value;
                delivered = deliver(page->events, page->next.value - 1);
            }
            if (delivered && delivered.value())
                continue;
            if (!delivered) {
                const StoreError err = delivered.error();
                setError(err);
                if (untilCaughtUp) {
                    closeSession();
                    return err;
                }
                if (err.kind() == StoreError::Kind::ConnectionLost || pgConnectionBad(db())
                    || err.kind() == StoreError::Kind::Other) {
                    // Start over: a new session, the lock again, the committed checkpoint.
                    qCWarning(lcToolkit).noquote()
                        << "subscription" << settings.name << ":" << err.toString() << "; resuming";
                    live = false;
                    closeSession();
                    pause(settings.reconnectDelay);
                    locked = acquire(settings.waitForLock, true);
                    if (!locked) {
                        closeSession();
                        return locked.error();
                    }
                    continue;
                }
            }
            pause(settings.retryDelay);
        }
        live = false;
        closeSession();
        return handled.load() - handledBefore;
    }
};

Subscription::Subscription(Store &store, Settings settings, Handler handler)
    : d(std::make_unique<Private>(store, std::move(settings), Delivery::AtLeastOnce))
{
    d->handler = std::move(handler);
}

Subscription::Subscription(Store &store, Settings settings, TransactionalHandler handler)
    : d(std::make_unique<Private>(store, std::move(settings), Delivery::ExactlyOnce))
{
    d->txHandler = std::move(handler);
}

Subscription::~Subscription()
{
    stop();
    wait(std::chrono::hours(1));
}

Result<Done> Subscription::run()
{
    d->stopRequested = false;
    auto r = d->loop(false);
    if (!r)
        return r.error();
    return Done {};
}

Result<qint64> Subscription::catchUp()
{
    d->stopRequested = false;
    return d->loop(true);
}

void Subscription::start()
{
    if (d->thread && d->thread->isRunning())
        return;
    d->stopRequested = false;
    d->thread.reset(QThread::create([this] {
        auto r = d->loop(false);
        if (!r) {
            d->setError(r.error());
            qCWarning(lcToolkit).noquote()
                << "subscription" << d->settings.name << "stopped:" << r.error().toString();
        }
        d->store.pool().closeIdleConnectionsOfThisThread();
    }));
    d->thread->setObjectName(QStringLiteral("subscription ") + d->settings.name);
    d->thread->start();
}

void Subscription::stop()
{
    d->stopRequested = true;
}

bool Subscription::wait(std::chrono::milliseconds timeout)
{
    if (!d->thread)
        return true;
    return d->thread->wait(QDeadlineTimer(timeout.count()));
}

const Subscription::Settings &Subscription::settings() const
{
    return d->settings;
}
Subscription::Delivery Subscription::delivery() const
{
    return d->delivery;
}
GlobalPosition Subscription::checkpoint() const
{
    return GlobalPosition(d->position.load());
}
bool Subscription::isLive() const
{
    return d->live.load();
}
bool Subscription::isActive() const
{
    return d->active.load();
}
qint64 Subscription::handledEvents() const
{
    return d->handled.load();
}

std::optional<StoreError> Subscription::lastError() const
{
    QMutexLocker lock(&d->errorMutex);
    return d->lastError;
}

Result<GlobalPosition> Subscription::storedCheckpoint(Store &store, const QString &name)
{
    auto lease = store.pool().acquire();
    if (!lease)
        return lease.error();
    QSqlQuery q(lease->db());
    q.prepare(QStringLiteral("SELECT position FROM %1.subscriptions WHERE name = ?")
                  .arg(quoteIdent(store.schema())));
    q.addBindValue(name);
    if (!q.exec())
        return StoreError::fromSql(q.lastError(), QStringLiteral("read checkpoint"));
    return GlobalPosition(q.next() ? q.value(0).toLongLong() : 0);
}

Result<Done> Subscription::resetCheckpoint(Store &store, const QString &name,
                                           GlobalPosition lastHandled)
{
    if (name.isEmpty() || lastHandled.value < 0)
        return StoreError(StoreError::Kind::InvalidInput,
                          QStringLiteral("a checkpoint needs a name and a position >= 0"));
    auto lease = store.pool().acquire();
    if (!lease)
        return lease.error();
    QSqlQuery q(lease->db());
    q.prepare(QStringLiteral("INSERT INTO %1.subscriptions (name, position) VALUES (?, ?) "
                             "ON CONFLICT (name) DO UPDATE SET position = excluded.position, "
                             "updated_at = now()")
                  .arg(quoteIdent(store.schema())));
    q.addBindValue(name);
    q.addBindValue(lastHandled.value);
    if (!q.exec())
        return StoreError::fromSql(q.lastError(), QStringLiteral("reset checkpoint"));
    return Done {};
}

} // namespace eventium::toolkit
