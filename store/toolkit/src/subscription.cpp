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

namespace {

// The first key of a subscription's advisory lock: pg_try_advisory_lock(hashtext(<this>),
// <subscriptions.subscription_id>). In pg_locks such a lock (two int4 keys) is a row with
// locktype 'advisory', classid the first key as an oid (its 32 bits unsigned: hashtext() is
// often negative), objid the second, and objsubid 2.
QString lockNamespace(const Store &store)
{
    return QStringLiteral("eventium.subscription:") + store.schema();
}

QDateTime fromMillis(const pg::Rows &rows, int row, int column)
{
    if (rows.isNull(row, column))
        return {};
    return QDateTime::fromMSecsSinceEpoch(rows.int64(row, column), Qt::UTC);
}

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

    // The session: a connection of its own (from a pool of one) holding the lock and
    // listening; the checkpoint and, exactly once, the handler's writes go through it.
    std::unique_ptr<ConnectionPool> sessionPool;
    pg::Connection session;
    bool sessionOpen = false;
    int subscriptionId = 0;
    // What this runner handled and committed, to check the server's history against when it
    // comes back after a lost connection.
    HistoryMark seen;

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

    QString lockNamespace() const { return toolkit::lockNamespace(store); }

    // The lock and LISTEN live in a server session of the runner's own, which a pooler in
    // transaction mode does not give (the next statement may run in another session, and the
    // lock would stay behind in one the pooler hands to others): refused, whether the store
    // was told so or its pools (or the session's) found out.
    std::optional<StoreError> sessionRefused() const
    {
        if (store.poolerMode() != PoolerMode::Transaction && sessionPool->namedStatements())
            return std::nullopt;
        return StoreError(StoreError::Kind::InvalidInput,
                          QStringLiteral("subscription \"%1\" needs a server session of its own "
                                         "(a session advisory lock and LISTEN), which a "
                                         "transaction-mode pooler does not give: run it on a "
                                         "store that connects directly or through a "
                                         "session-mode pooler")
                              .arg(settings.name));
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
        if (auto refused = sessionRefused())
            return *refused;
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
        // Back after a lost connection: is what this runner handled still the server's
        // history? After a failover to a standby that had not received every commit it is
        // not, and going on would hand the handler other events at positions it has handled.
        if (seen.readTo.value > 0) {
            auto history = store.checkHistory(seen);
            if (!history)
                return history.error();
            if (history->outcome == HistoryCheck::Outcome::Rewritten)
                return StoreError(StoreError::Kind::HistoryRewritten,
                                  QStringLiteral("subscription \"%1\" stops: %2")
                                      .arg(settings.name, history->explanation));
        }
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
        if (!events.isEmpty()) {
            seen.lastPosition = events.constLast().position;
            seen.lastEventId = events.constLast().id;
        }
        seen.readTo = GlobalPosition(next);
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
        if (auto refused = sessionRefused())
            return *refused;
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

Result<QList<SubscriptionStatus>> Subscription::list(Store &store)
{
    const QString &s = StoreAccess::schema(store);
    // Held: the runner's session lock (see lockNamespace()) granted in this database.
    // Lag in time: the creation time of the first numbered event after the checkpoint.
    auto r = StoreAccess::read(
        store,
        QStringLiteral(
            "SELECT s.name, s.position, h.head, s.handled, s.owner, "
            "floor(extract(epoch FROM s.created_at) * 1000)::int8, "
            "floor(extract(epoch FROM s.updated_at) * 1000)::int8, "
            "EXISTS (SELECT 1 FROM pg_catalog.pg_locks l "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 "
            "AND l.database = (SELECT oid FROM pg_catalog.pg_database "
            "WHERE datname = current_database()) "
            "AND l.classid = hashtext($1)::oid AND l.objid = s.subscription_id::oid), "
            "CASE WHEN s.position < h.head THEN (SELECT greatest(0, floor(extract(epoch FROM "
            "clock_timestamp() - e.created_at) * 1000))::int8 "
            "FROM %1.global_events g JOIN %1.events e ON e.id = g.event_row "
            "WHERE g.position > s.position AND g.position <= h.head "
            "ORDER BY g.position LIMIT 1) END "
            "FROM %1.subscriptions s CROSS JOIN (SELECT last_position AS head FROM %1.sequencer) h "
            "ORDER BY s.name")
            .arg(s),
        {pg::param(lockNamespace(store))}, QStringLiteral("list subscriptions"));
    if (!r)
        return StoreAccess::explain(store, r.error());
    QList<SubscriptionStatus> out;
    out.reserve(r->rows());
    for (int i = 0; i < r->rows(); ++i) {
        SubscriptionStatus st;
        st.name = r->string(i, 0);
        st.checkpoint = GlobalPosition(r->int64(i, 1));
        st.head = GlobalPosition(r->int64(i, 2));
        st.lagEvents = qMax<qint64>(0, st.head.value - st.checkpoint.value);
        st.handled = r->int64(i, 3);
        st.owner = r->string(i, 4);
        st.created = fromMillis(r.value(), i, 5);
        st.updated = fromMillis(r.value(), i, 6);
        st.held = r->boolean(i, 7);
        st.lagTime = std::chrono::milliseconds(r->isNull(i, 8) ? 0 : r->int64(i, 8));
        out.append(st);
    }
    return out;
}

Result<CheckpointMove> Subscription::moveCheckpoint(Store &store, const QString &name,
                                                    GlobalPosition to)
{
    if (name.isEmpty())
        return StoreError(StoreError::Kind::InvalidInput,
                          QStringLiteral("moving a checkpoint needs a subscription's name"));
    if (to.value < 0)
        return StoreError(StoreError::Kind::InvalidInput,
                          QStringLiteral("a checkpoint is a position of 0 (nothing handled) or "
                                         "more, not %1")
                              .arg(to.value));
    const QString &s = StoreAccess::schema(store);
    auto connection = StoreAccess::connect(store);
    if (!connection)
        return connection.error();
    pg::Connection &c = connection.value();
    pg::Transaction tx(c);
    if (auto r = tx.begin(); !r)
        return r.error();
    CheckpointMove move;
    move.to = to;
    auto id = c.exec(
        QStringLiteral("SELECT subscription_id, position FROM %1.subscriptions WHERE name = $1")
            .arg(s),
        {pg::param(name)}, QStringLiteral("find subscription"));
    if (!id)
        return StoreAccess::explain(store, id.error());
    if (id->rows() == 0)
        return move; // NotFound
    const qint64 subscriptionId = id->int64(0, 0);
    move.from = GlobalPosition(id->int64(0, 1));
    // The runner's lock, for this transaction: refused while a runner holds it, and a runner
    // starting now waits until the move is committed, then reads the moved checkpoint.
    auto locked = c.exec(QStringLiteral("SELECT pg_try_advisory_xact_lock(hashtext($1), $2)"),
                         {pg::param(lockNamespace(store)), pg::param(subscriptionId)},
                         QStringLiteral("subscription lock"));
    if (!locked)
        return locked.error();
    if (!locked->boolean(0, 0)) {
        move.status = CheckpointMove::Status::Held;
        return move;
    }
    // Under the lock, nobody else writes the checkpoint: read it (and the head) again.
    auto current = c.exec(
        QStringLiteral("SELECT s.position, q.last_position FROM %1.subscriptions s "
                       "CROSS JOIN %1.sequencer q WHERE s.subscription_id = $1 FOR UPDATE OF s")
            .arg(s),
        {pg::param(subscriptionId)}, QStringLiteral("read checkpoint"));
    if (!current)
        return current.error();
    if (current->rows() == 0)
        return move; // removed meanwhile: NotFound
    move.from = GlobalPosition(current->int64(0, 0));
    move.head = GlobalPosition(current->int64(0, 1));
    if (to == GlobalPosition::end())
        move.to = move.head;
    if (move.to > move.head) {
        move.status = CheckpointMove::Status::BeyondHead;
        return move;
    }
    auto updated = c.exec(QStringLiteral("UPDATE %1.subscriptions SET position = $1, "
                                         "updated_at = now() WHERE subscription_id = $2")
                              .arg(s),
                          {pg::param(move.to.value), pg::param(subscriptionId)},
                          QStringLiteral("move checkpoint"));
    if (!updated)
        return updated.error();
    if (auto r = tx.commit(); !r)
        return r.error();
    move.status = CheckpointMove::Status::Moved;
    qCInfo(lcToolkit).noquote() << "subscription" << name << ": checkpoint moved from"
                                << move.from.value << "to" << move.to.value;
    return move;
}

} // namespace eventium::toolkit
