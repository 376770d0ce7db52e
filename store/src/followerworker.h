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
    QTimer m_poll;
    QTimer m_retry;
};

} // namespace eventium
