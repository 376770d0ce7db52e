#include "eventium/toolkit/subscription.h"

#include "eventium/toolkit/logging.h"
#include "pg/sql.h"
#include "storeaccess.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QMutex>
#include <QSysInfo>
#include <QThread>

#include <algorithm>
#include <atomic>

namespace eventium::toolkit {

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

    // The session: a connection of its own (from a pool of one) holding the lock and
    // listening; the checkpoint and, exactly once, the handler's writes go through it.
    std::unique_ptr<ConnectionPool> sessionPool;
    pg::Connection session;
    bool sessionOpen = false;
    int subscriptionId = 0;

    Private(Store &st, Settings se, Delivery d)
        : store(st)
        , settings(std::move(se))
        , delivery(d)
        , s(StoreAccess::schema(st))
    {
        ConnectionPool::Settings ps;
        ps.maxConnections = 1;
        ps.acquireTimeout = std::chrono::seconds(30);
        sessionPool = std::make_unique<ConnectionPool>(st.connectionOptions(), ps);
    }

    void setError(const StoreError &e)
    {
        QMutexLocker lock(&errorMutex);
        lastError = e;
    }

    // Sleeps up to `ms`, returning early when stopped.
    void pause(std::chrono::milliseconds ms)
    {
        QDeadlineTimer deadline(ms.count());
        while (!stopRequested.load() && !deadline.hasExpired())
            QThread::msleep(quint64(std::clamp<qint64>(deadline.remainingTime(), 1, 50)));
    }

    QString lockNamespace() const
    {
        return QStringLiteral("eventium.subscription:") + store.schema();
    }

    void closeSession()
    {
        const bool held = active.exchange(false);
        if (!sessionOpen)
            return;
        // Release the lock before returning: closing the connection releases it too, but only
        // once the server has noticed, which may be a moment later.
        if (held && !session.isDead())
            (void)session.exec(QStringLiteral("SELECT pg_advisory_unlock(hashtext($1), $2)"),
                               {pg::param(lockNamespace()), pg::param(subscriptionId)},
                               QStringLiteral("subscription unlock"));
        session.discardOnRelease();
        session.release();
        sessionOpen = false;
    }

    // Opens the session, makes sure the checkpoint row exists and takes the lock.
    // Ok(true): locked; Ok(false): another session holds it.
    Result<bool> openSession()
    {
        closeSession();
        auto lease = sessionPool->acquire();
        if (!lease)
            return lease.error();
        session = pg::Connection(std::move(lease.value()));
        sessionOpen = true;
        auto created = session.exec(
            QStringLiteral("INSERT INTO %1.subscriptions (name, position) VALUES ($1, $2) "
                           "ON CONFLICT (name) DO NOTHING")
                .arg(s),
            {pg::param(settings.name), pg::param(qMax<qint64>(0, settings.startFrom.value - 1))},
            QStringLiteral("create subscription"));
        if (!created)
            return StoreAccess::explain(store, created.error());
        auto id = session.exec(
            QStringLiteral("SELECT subscription_id FROM %1.subscriptions WHERE name = $1").arg(s),
            {pg::param(settings.name)}, QStringLiteral("read subscription"));
        if (!id)
            return id.error();
        subscriptionId = int(id->int64(0, 0));
        auto locked = session.exec(QStringLiteral("SELECT pg_try_advisory_lock(hashtext($1), $2)"),
                                   {pg::param(lockNamespace()), pg::param(subscriptionId)},
                                   QStringLiteral("subscription lock"));
        if (!locked)
            return locked.error();
        if (!locked->boolean(0, 0))
            return false;
        active = true;
        // Holding the lock: the stored checkpoint is the truth now.
        auto checkpoint = session.exec(
            QStringLiteral("UPDATE %1.subscriptions SET owner = $1, updated_at = now() "
                           "WHERE name = $2 RETURNING position")
                .arg(s),
            {pg::param(QStringLiteral("%1:%2")
                           .arg(QSysInfo::machineHostName())
                           .arg(QCoreApplication::applicationPid())),
             pg::param(settings.name)},
            QStringLiteral("read checkpoint"));
        if (!checkpoint)
            return checkpoint.error();
        position = checkpoint->int64(0, 0);
        if (auto listening = session.listen(store.notificationChannel()); !listening)
            return listening.error();
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

    // Waits for a notification, the poll interval, or stop(). A lost connection shows on the
    // next statement.
    void waitForEvents()
    {
        if (!sessionOpen
            || !session.waitForNotification(QDeadlineTimer(settings.pollInterval.count()),
                                            stopRequested))
            pause(std::chrono::milliseconds(1));
    }

    // Hands a batch to the handler and commits the checkpoint `next` (the last position the
    // batch covers). Ok(false): the handler failed (retry the batch later).
    Result<bool> deliver(const QList<RecordedEvent> &events, qint64 next)
    {
        const qint64 from = position.load();
        auto writeCheckpoint = [&]() -> Result<Done> {
            auto r = session.exec(QStringLiteral("UPDATE %1.subscriptions SET position = $1, "
                                                 "handled = handled + $2, updated_at = now() "
                                                 "WHERE name = $3 AND position = $4")
                                      .arg(s),
                                  {pg::param(next), pg::param(qint64(events.size())),
                                   pg::param(settings.name), pg::param(from)},
                                  QStringLiteral("write checkpoint"));
            if (!r)
                return r.error();
            if (r->affectedRows() != 1)
                return StoreError(StoreError::Kind::Other,
                                  QStringLiteral("the checkpoint of \"%1\" moved under the lock")
                                      .arg(settings.name));
            return Done {};
        };
        auto handlerFailed = [&](const StoreError &e) {
            setError(e);
            qCWarning(lcToolkit).noquote()
                << "subscription" << settings.name << ": the handler failed at position"
                << events.first().position.value << ":" << e.toString();
        };
        if (delivery == Delivery::AtLeastOnce) {
            if (!events.isEmpty()) {
                if (auto r = handler(events); !r) {
                    handlerFailed(r.error());
                    return false;
                }
            }
            if (auto r = writeCheckpoint(); !r)
                return r.error();
        } else {
            pg::Transaction tx(session);
            if (auto r = tx.begin(); !r)
                return r.error();
            if (!events.isEmpty()) {
                if (auto r = txHandler(events, session.db()); !r) {
                    tx.rollback();
                    handlerFailed(r.error());
                    if (session.isDead())
                        return StoreError(StoreError::Kind::ConnectionLost, r.error().message(),
                                          r.error().sqlState());
                    return false;
                }
            }
            if (auto r = writeCheckpoint(); !r)
                return r.error();
            if (auto r = tx.commit(); !r)
                return r.error();
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
                if (err.kind() == StoreError::Kind::ConnectionLost || session.isDead()
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
    auto r
        = StoreAccess::read(store,
                            QStringLiteral("SELECT position FROM %1.subscriptions WHERE name = $1")
                                .arg(StoreAccess::schema(store)),
                            {pg::param(name)}, QStringLiteral("read checkpoint"));
    if (!r)
        return r.error();
    return GlobalPosition(r->rows() > 0 ? r->int64(0, 0) : 0);
}

Result<Done> Subscription::resetCheckpoint(Store &store, const QString &name,
                                           GlobalPosition lastHandled)
{
    if (name.isEmpty() || lastHandled.value < 0)
        return StoreError(StoreError::Kind::InvalidInput,
                          QStringLiteral("a checkpoint needs a name and a position >= 0"));
    auto r = StoreAccess::read(
        store,
        QStringLiteral("INSERT INTO %1.subscriptions (name, position) VALUES ($1, $2) "
                       "ON CONFLICT (name) DO UPDATE SET position = excluded.position, "
                       "updated_at = now()")
            .arg(StoreAccess::schema(store)),
        {pg::param(name), pg::param(lastHandled.value)}, QStringLiteral("reset checkpoint"));
    if (!r)
        return r.error();
    return Done {};
}

} // namespace eventium::toolkit
