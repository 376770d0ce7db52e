#pragma once

#include "eventium/connectionoptions.h"
#include "eventium/error.h"
#include "eventium/store.h"
#include "eventium/types.h"

#include <QObject>

#include <atomic>
#include <chrono>
#include <memory>

class QThread;

namespace eventium {

class FollowerWorker;

// Delivers the global sequence in order from a position: first what is stored (catch-up),
// then new events as they are numbered (live). It runs in a thread of its own with its own
// connection; LISTEN/NOTIFY only wakes it, and it always re-reads from the next position,
// so it never skips or repeats. It polls as a fallback, runs sequencer steps itself (so it
// makes progress even when the writers have died), and after losing the connection it
// reconnects, resubscribes and carries on where it was.
//
// On a hot standby (pg_is_in_recovery(): a read-only server replaying a primary's WAL) it
// neither LISTENs nor runs sequencer steps, which a standby refuses; it watches the replayed
// head with a short adaptive poll instead (Settings::standbyPollInterval). It tells whether it
// is on one again after every reconnect, so it goes on across a failover (a multi-host
// connection string) from a standby to the promoted server.
//
// It checks that the history it has delivered is still there: after every reconnect, the last
// event it delivered must still be at its position, and a primary's head must not be behind it.
// When commits were lost (a failover to a standby that had not received them) it stops with
// StoreError::Kind::HistoryRewritten (errorOccurred, then isStopped()) instead of waiting for
// positions that will hold other events, or delivering those.
//
// Signals are emitted from the follower's thread; connect with Qt::QueuedConnection (the
// default across threads) to receive them in yours.
class Follower : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        QString schema = QStringLiteral("eventium");
        GlobalPosition from {1};
        GlobalFilter filter;
        int batchSize = 1000;
        std::chrono::milliseconds pollInterval {500};
        std::chrono::milliseconds reconnectDelay {250};
        // Run sequencer steps when woken or polling (never on a standby).
        bool sequence = true;
        // Wait for new positions with LISTEN. False: poll instead, as the follower does by
        // itself on a hot standby (which cannot LISTEN).
        bool listen = true;
        // How the connection reaches PostgreSQL. Transaction (a pooler in transaction mode,
        // where a LISTEN does not last beyond its transaction): unnamed statements, and
        // polling instead of LISTEN.
        PoolerMode pooler = PoolerMode::Direct;
        // Polling without LISTEN: the first read after events arrived is this soon, and the
        // wait doubles while nothing new comes, up to standbyPollInterval.
        std::chrono::milliseconds standbyPollMin {1};
        std::chrono::milliseconds standbyPollInterval {5};
    };

    Follower(ConnectionOptions options, Settings settings, QObject *parent = nullptr);
    ~Follower() override; // stops and joins the thread

    // Starts (or, after stop(), resumes from nextPosition()) delivering.
    void start();
    void stop();
    // The next position to be delivered; kept after stop(), so it can serve as a checkpoint.
    GlobalPosition nextPosition() const;
    bool isLive() const;
    // It stopped by itself: the history it delivered was rewritten (errorOccurred said so).
    bool isStopped() const;
    // Whether it reads from a hot standby (as of its last connection).
    bool isOnStandby() const;

signals:
    // A batch of events in position order (filtered events are skipped).
    void eventsReceived(const QList<eventium::RecordedEvent> &events);
    // Everything up to `head` has been delivered.
    void caughtUp(eventium::GlobalPosition head);
    void connectionChanged(bool connected, const QString &message);
    void errorOccurred(const eventium::StoreError &error);

private:
    ConnectionOptions m_options;
    Settings m_settings;
    std::unique_ptr<QThread> m_thread;
    FollowerWorker *m_worker = nullptr;
    std::atomic<qint64> m_next {1};
    std::atomic<bool> m_live {false};
    std::atomic<bool> m_stopped {false};
    std::atomic<bool> m_standby {false};
    // What was delivered, kept across stop() and start() to check the server's history
    // against: the last event (position 0: none yet) and the end of the positions read
    // (delivered or filtered out). Used by the running worker only.
    GlobalPosition m_lastPosition {0};
    QUuid m_lastId;
    qint64 m_readTo = 0;
    friend class FollowerWorker;
};

} // namespace eventium

Q_DECLARE_METATYPE(eventium::RecordedEvent)
Q_DECLARE_METATYPE(eventium::GlobalPosition)
Q_DECLARE_METATYPE(eventium::StoreError)
