#pragma once

#include "eventium/result.h"
#include "eventium/store.h"

#include <QSqlDatabase>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

namespace eventium::toolkit {

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
    // missing schema, or a lock held elsewhere without waitForLock.
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

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace eventium::toolkit
