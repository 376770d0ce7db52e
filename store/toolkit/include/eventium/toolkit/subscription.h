#pragma once

#include "eventium/result.h"
#include "eventium/store.h"

#include <QDateTime>
#include <QSqlDatabase>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

namespace eventium::toolkit {

// Where a subscription stands (Subscription::list()).
struct SubscriptionStatus
{
    QString name;
    GlobalPosition checkpoint; // the last position it has handled (0: none yet)
    GlobalPosition head; // the store's head in the same snapshot
    // Behind the head in events: head - checkpoint (positions of events readers no longer
    // see, or that the subscription's filter skips, count too).
    qint64 lagEvents = 0;
    // Behind in time: how long ago the oldest event it has not handled (the first numbered
    // one after its checkpoint) was created, measured against the server's clock now; 0 when
    // it is caught up. Waiting handlers and a stopped runner both make it grow.
    std::chrono::milliseconds lagTime {0};
    // A runner holds it right now (its advisory lock is granted to some session).
    bool held = false;
    QString owner; // host:pid of the last runner that took it
    qint64 handled = 0; // events handed to its handlers so far
    QDateTime created;
    QDateTime updated; // the last time its checkpoint was written (or moved)
};

// The answer of Subscription::moveCheckpoint(): expected refusals are outcomes, not errors.
struct CheckpointMove
{
    enum class Status {
        Moved,
        NotFound, // no subscription has this name
        Held, // a runner holds it: nothing changed
        BeyondHead, // the position is past the store's head: nothing changed
    };
    Status status = Status::NotFound;
    GlobalPosition from; // the checkpoint before (Moved, Held, BeyondHead)
    GlobalPosition to; // the checkpoint asked for (the head, resolved, for GlobalPosition::end())
    GlobalPosition head; // the head when it was checked
};

// A named, durable subscription to the global sequence: it delivers every event (or every
// event matching a filter) to a handler in position order, first what is stored (catch-up),
// then new events as they are numbered (live), and remembers how far it got in a checkpoint
// row in PostgreSQL (table `subscriptions`, migration 0002). After a crash, a restart of the
// process or of the server it resumes after its checkpoint.
//
// Delivery
// * At least once (a Handler): the checkpoint is written after the handler succeeded, so a
//   crash between the two delivers that batch again. Handlers must be idempotent.
// * Exactly once (a TransactionalHandler): for handlers whose effects live in the same
//   database. The handler gets the subscription's connection with a transaction open; its
//   writes and the checkpoint are committed together, so a batch is applied exactly once or
//   not at all. The handler must use only that connection (QSqlQuery(db)), must not commit or
//   roll back, and must not keep queries alive after it returns.
// A handler that fails (returns an error) gets the same batch again after retryDelay; the
// subscription never skips an event.
//
// One runner per name
// Only one session in the whole cluster runs a given subscription: the runner holds a
// session-level advisory lock, pg_try_advisory_lock(hashtext('eventium.subscription:' ||
// <schema>), <subscriptions.subscription_id>), on its own connection for as long as it runs.
// The lock is the fencing token: the checkpoint (and, exactly once, the handler's writes) go
// through that same connection, so when the connection is lost the lock and any uncommitted
// work are gone together, and the next holder starts from the committed checkpoint. A crashed
// process releases the lock when the server notices the connection is gone; no lease expiry
// and no clock is involved. A second runner either waits for the lock (waitForLock, the
// default: a hot standby that takes over when the first dies) or fails at once. (Two schemas
// whose names hash alike only share lock space: they may wait for each other, never corrupt
// each other.)
//
// The runner reads the events through the Store (its pool, the calling thread's
// connections) and listens for the store's NOTIFY wake-ups on its own connection; a
// notification is only a hint to read again, and it polls every pollInterval regardless.
//
// Poolers: the lock and LISTEN need that connection to be one server session for the
// runner's whole life: connect directly or through a pooler in session mode. Behind a pooler
// in transaction mode (the store's poolerMode() is PoolerMode::Transaction, configured or
// found out) run() and catchUp() refuse with InvalidInput. list() and moveCheckpoint() work
// through any pooler (moveCheckpoint() takes the lock for its transaction only).
class Subscription
{
public:
    using Handler = std::function<Result<Done>(const QList<RecordedEvent> &events)>;
    using TransactionalHandler
        = std::function<Result<Done>(const QList<RecordedEvent> &events, QSqlDatabase &db)>;

    enum class Delivery { AtLeastOnce, ExactlyOnce };

    struct Settings
    {
        QString name; // required; unique within the store's schema
        GlobalFilter filter; // only these events reach the handler
        GlobalPosition startFrom {1}; // where a subscription without a checkpoint starts
        int batchSize = 100; // events per handler call, at most
        std::chrono::milliseconds pollInterval {500};
        std::chrono::milliseconds retryDelay {500}; // after a failed handler or read
        std::chrono::milliseconds reconnectDelay {250};
        // Wait (checking every lockRetryInterval) while another session runs this
        // subscription; false: run() and catchUp() fail at once instead.
        bool waitForLock = true;
        std::chrono::milliseconds lockRetryInterval {1000};
    };

    // At-least-once delivery.
    Subscription(Store &store, Settings settings, Handler handler);
    // Exactly-once delivery for handlers writing to the store's database.
    Subscription(Store &store, Settings settings, TransactionalHandler handler);
    ~Subscription(); // stops and waits
    Subscription(const Subscription &) = delete;
    Subscription &operator=(const Subscription &) = delete;

    // Runs on the calling thread until stop(): takes the lock (waiting, with waitForLock),
    // catches up, then delivers live events. Connection losses are survived (reconnect, take
    // the lock again, reload the checkpoint); returns an error only for invalid settings, a
    // missing schema, or a lock held elsewhere without waitForLock — and HistoryRewritten when,
    // back after a lost connection, the server no longer has what this runner handled
    // (Store::checkHistory(): a failover to a standby that had not received every commit). It
    // stops then rather than hand the handler other events at positions it has handled.
    Result<Done> run();
    // Takes the lock, delivers everything numbered up to now, releases the lock. Returns the
    // number of events handed to the handler. Fails rather than waits when another session
    // holds the lock, and on the first error.
    Result<qint64> catchUp();

    // Runs run() in a thread of its own.
    void start();
    // Asks run() to return soon; thread safe. The batch being handled is finished first.
    void stop();
    // Waits for the thread of start() to finish; true when it has (or none runs).
    bool wait(std::chrono::milliseconds timeout = std::chrono::seconds(30));

    const Settings &settings() const;
    Delivery delivery() const;
    // The last position handled and committed by this runner (0 when none yet).
    GlobalPosition checkpoint() const;
    // Caught up and waiting for new events.
    bool isLive() const;
    // Holds the subscription's lock right now.
    bool isActive() const;
    // Events handed to the handler (and committed) by this object.
    qint64 handledEvents() const;
    // The last error met while running (a handler failure, a lost connection), if any.
    std::optional<StoreError> lastError() const;

    // The stored checkpoint: the last handled position (0: none, or no such subscription).
    static Result<GlobalPosition> storedCheckpoint(Store &store, const QString &name);
    // Sets the stored checkpoint, e.g. to replay from the start (0). Do not do this while the
    // subscription runs: the runner would not notice until it reconnects.
    static Result<Done> resetCheckpoint(Store &store, const QString &name,
                                        GlobalPosition lastHandled);

    // Every subscription of the store, by name, with its checkpoint, its lag behind the head
    // (in events and in time), whether a runner holds it now (the runner's advisory lock in
    // pg_locks), its owner and when its checkpoint was last written. One statement, so the
    // head and the checkpoints are of one snapshot.
    static Result<QList<SubscriptionStatus>> list(Store &store);
    // Moves a stored checkpoint, forwards (skip events) or back (replay them): `to` is the last
    // position counted as handled (0: all again), GlobalPosition::end() the head. Safe beside
    // runners: the move takes the subscription's lock for its transaction, so it is refused
    // (Held) while a runner holds it, and a runner that starts meanwhile waits for the lock
    // and then begins from the moved checkpoint. A position past the head is refused
    // (BeyondHead), one below 0 is InvalidInput, an unknown name is NotFound.
    static Result<CheckpointMove> moveCheckpoint(Store &store, const QString &name,
                                                 GlobalPosition to);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace eventium::toolkit
