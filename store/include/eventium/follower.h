#pragma once

#include "eventium/connectionoptions.h"
#include "eventium/error.h"
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
        // Run sequencer steps when woken or polling.
        bool sequence = true;
    };

    Follower(ConnectionOptions options, Settings settings, QObject *parent = nullptr);
    ~Follower() override; // stops and joins the thread

    // Starts (or, after stop(), resumes from nextPosition()) delivering.
    void start();
    void stop();
    // The next position to be delivered; kept after stop(), so it can serve as a checkpoint.
    GlobalPosition nextPosition() const;
    bool isLive() const;

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
    friend class FollowerWorker;
};

} // namespace eventium

Q_DECLARE_METATYPE(eventium::RecordedEvent)
Q_DECLARE_METATYPE(eventium::GlobalPosition)
Q_DECLARE_METATYPE(eventium::StoreError)
