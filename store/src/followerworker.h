#pragma once

#include "connectionpool.h"
#include "eventium/follower.h"
#include "eventium/store.h"
#include "pg/connection.h"

#include <QObject>
#include <QSocketNotifier>
#include <QTimer>

#include <atomic>
#include <memory>

namespace eventium {

// Lives in the follower's thread: owns the store handle, the LISTEN connection and timers.
class FollowerWorker : public QObject
{
    Q_OBJECT
public:
    FollowerWorker(ConnectionOptions options, Follower::Settings settings, Follower *owner);
    ~FollowerWorker() override;

    void begin();
    void shutdown();

private:
    void onWake();
    void onNotification();
    bool ensureListening();
    void dropListener();
    void pump();
    // After a (re)connection: whether the server is a standby, and whether the history
    // delivered so far is still there. False when the pump cannot go on (an error was
    // reported, or the history was rewritten and the follower stopped).
    bool checkServer();
    // Checks the history delivered so far against the server's (Store::checkHistory()), and
    // keeps checking while a standby is behind it (m_verifyPending). False when the pump
    // cannot go on: the check failed (reported), or the history was rewritten and the
    // follower stopped (errorOccurred with HistoryRewritten).
    bool verifyHistory();
    void readFailed(const StoreError &error);
    // Polling without LISTEN: the next read, sooner after events arrived.
    void schedulePoll(bool delivered);

    ConnectionOptions m_options;
    Follower::Settings m_settings;
    Follower *m_owner;
    std::unique_ptr<Store> m_store;
    // The LISTEN connection: one of its own, watched by a socket notifier.
    std::unique_ptr<ConnectionPool> m_listenPool;
    pg::Connection m_listener;
    std::unique_ptr<QSocketNotifier> m_notifier;
    bool m_listening = false;
    bool m_connected = false;
    bool m_pumping = false;
    bool m_again = false;
    bool m_standby = false;
    // The history delivered so far is still to be checked against the server's (a standby
    // behind it cannot tell yet).
    bool m_verifyPending = false;
    QTimer m_poll;
    QTimer m_retry;
    QTimer m_fastPoll; // polling without LISTEN
    std::chrono::milliseconds m_fastInterval {1};
};

} // namespace eventium
