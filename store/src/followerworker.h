#pragma once

#include "eventium/follower.h"
#include "eventium/store.h"

#include <QObject>
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
    void onNotification(const QString &name);
    bool ensureListening();
    void dropListener();
    void pump();

    ConnectionOptions m_options;
    Follower::Settings m_settings;
    Follower *m_owner;
    std::unique_ptr<Store> m_store;
    QString m_listenName;
    bool m_listening = false;
    bool m_connected = false;
    bool m_pumping = false;
    bool m_again = false;
    QTimer m_poll;
    QTimer m_retry;
};

} // namespace eventium
