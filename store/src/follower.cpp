#include "eventium/follower.h"

#include "followerworker.h"

#include <QThread>

Q_LOGGING_CATEGORY(lcFollower, "eventium.follower")

namespace eventium {

Follower::Follower(ConnectionOptions options, Settings settings, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_settings(std::move(settings))
{
    qRegisterMetaType<eventium::RecordedEvent>();
    qRegisterMetaType<QList<eventium::RecordedEvent>>();
    qRegisterMetaType<eventium::GlobalPosition>();
    qRegisterMetaType<eventium::StoreError>();
    m_next = qMax<qint64>(1, m_settings.from.value);
    m_thread = std::make_unique<QThread>();
    m_thread->setObjectName(QStringLiteral("eventium-follower"));
}

Follower::~Follower()
{
    stop();
}

void Follower::start()
{
    if (m_worker)
        return;
    Settings s = m_settings;
    s.from = GlobalPosition(m_next.load());
    m_worker = new FollowerWorker(m_options, s, this);
    m_worker->moveToThread(m_thread.get());
    QObject::connect(m_thread.get(), &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread->start();
    QMetaObject::invokeMethod(m_worker, &FollowerWorker::begin, Qt::QueuedConnection);
}

void Follower::stop()
{
    if (!m_worker)
        return;
    QMetaObject::invokeMethod(m_worker, &FollowerWorker::shutdown, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    m_worker = nullptr; // deleted by deleteLater when the thread finished
    m_live = false;
}

GlobalPosition Follower::nextPosition() const
{
    return GlobalPosition(m_next.load());
}

bool Follower::isLive() const
{
    return m_live.load();
}

FollowerWorker::FollowerWorker(ConnectionOptions options, Follower::Settings settings,
                               Follower *owner)
    : m_options(std::move(options))
    , m_settings(std::move(settings))
    , m_owner(owner)
    , m_poll(this)
    , m_retry(this)
{
    m_poll.setInterval(m_settings.pollInterval);
    m_retry.setSingleShot(true);
    m_retry.setInterval(m_settings.reconnectDelay);
    connect(&m_poll, &QTimer::timeout, this, &FollowerWorker::onWake);
    connect(&m_retry, &QTimer::timeout, this, &FollowerWorker::onWake);
}

FollowerWorker::~FollowerWorker()
{
    shutdown();
}

void FollowerWorker::begin()
{
    StoreSettings s;
    s.schema = m_settings.schema;
    s.poolSize = 2;
    s.runSequencer = false;
    s.acquireTimeout = std::chrono::milliseconds(5000);
    m_store = std::make_unique<Store>(m_options, s);
    ConnectionPool::Settings ps;
    ps.maxConnections = 1;
    ps.acquireTimeout = std::chrono::milliseconds(5000);
    m_listenPool = std::make_unique<ConnectionPool>(m_options, ps);
    m_poll.start();
    onWake();
}

void FollowerWorker::shutdown()
{
    m_poll.stop();
    m_retry.stop();
    dropListener();
    m_listenPool.reset();
    m_store.reset();
}

bool FollowerWorker::ensureListening()
{
    if (m_listening) {
        if (!m_listener.isDead())
            return true;
        dropListener();
    }
    if (!m_listenPool)
        return false;
    auto lease = m_listenPool->acquire();
    if (!lease) {
        emit m_owner->errorOccurred(lease.error());
        return false;
    }
    m_listener = pg::Connection(std::move(lease.value()));
    m_listening = true;
    if (auto r = m_listener.listen(m_store->notificationChannel()); !r) {
        qCWarning(lcFollower).noquote() << "cannot LISTEN:" << r.error().toString();
        dropListener();
        return false;
    }
    m_notifier = std::make_unique<QSocketNotifier>(m_listener.socket(), QSocketNotifier::Read);
    connect(m_notifier.get(), &QSocketNotifier::activated, this, &FollowerWorker::onNotification);
    return true;
}

void FollowerWorker::dropListener()
{
    m_notifier.reset();
    if (m_listening) {
        m_listener.discardOnRelease();
        m_listener.release();
    }
    m_listening = false;
}

void FollowerWorker::onNotification()
{
    // Take the notifications off the connection (they are only a hint to read again); a lost
    // connection is dropped here and opened again by the next pump.
    auto taken = m_listener.takeNotifications();
    if (!taken)
        dropListener();
    onWake();
}

void FollowerWorker::onWake()
{
    if (!m_store)
        return;
    if (m_pumping) {
        m_again = true;
        return;
    }
    m_pumping = true;
    do {
        m_again = false;
        pump();
    } while (m_again && m_store);
    m_pumping = false;
}

void FollowerWorker::pump()
{
    // Listen first, then read: a notification that arrives meanwhile only causes a re-read.
    const bool listening = ensureListening();
    if (m_settings.sequence) {
        auto step = m_store->sequenceStep();
        if (!step && step.error().kind() != StoreError::Kind::ConnectionLost)
            qCDebug(lcFollower).noquote() << "sequencer step:" << step.error().toString();
    }
    while (true) {
        auto page = m_store->readAll(GlobalPosition(m_owner->m_next.load()), m_settings.batchSize,
                                     m_settings.filter);
        if (!page) {
            m_owner->m_live = false;
            if (m_connected) {
                m_connected = false;
                emit m_owner->connectionChanged(false, page.error().toString());
            }
            emit m_owner->errorOccurred(page.error());
            if (page.error().kind() == StoreError::Kind::ConnectionLost)
                dropListener();
            m_retry.start();
            return;
        }
        if (!m_connected) {
            m_connected = true;
            emit m_owner->connectionChanged(true, QString());
        }
        // Emit first, then advance: nextPosition() never runs ahead of what was delivered.
        if (!page->events.isEmpty())
            emit m_owner->eventsReceived(page->events);
        m_owner->m_next = page->next.value;
        if (page->next.value > page->head.value) {
            m_owner->m_live = listening;
            emit m_owner->caughtUp(page->head);
            break;
        }
    }
    if (!listening)
        m_retry.start();
}

} // namespace eventium
