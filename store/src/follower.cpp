#include "eventium/follower.h"

#include "followerworker.h"
#include "threadhandover.h"

#include <QThread>

#include <condition_variable>
#include <mutex>

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
    detail::emitAcrossThreads([this] {
        QMetaObject::invokeMethod(m_worker, &FollowerWorker::begin, Qt::QueuedConnection);
    });
}

void Follower::stop()
{
    if (!m_worker)
        return;
    if (QThread::currentThread() == m_thread.get()) {
        // From a slot connected directly to a signal, on the follower's own thread: waiting
        // for that thread to shut down would wait forever.
        qCWarning(lcFollower) << "Follower::stop() called on the follower's own thread; call it "
                                 "from the thread that owns the Follower (connect queued)";
        return;
    }
    // Queued, then waited for (what BlockingQueuedConnection does), so that the hand-over can
    // be made visible to ThreadSanitizer (threadhandover.h) without being held while waiting.
    std::mutex mutex;
    std::condition_variable condition;
    bool shutDown = false;
    detail::emitAcrossThreads([&] {
        QMetaObject::invokeMethod(
            m_worker,
            [&, worker = m_worker] {
                worker->shutdown();
                std::lock_guard lock(mutex);
                shutDown = true;
                condition.notify_one();
            },
            Qt::QueuedConnection);
    });
    {
        std::unique_lock lock(mutex);
        condition.wait(lock, [&] { return shutDown; });
    }
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

bool Follower::isStopped() const
{
    return m_stopped.load();
}

bool Follower::isOnStandby() const
{
    return m_standby.load();
}

FollowerWorker::FollowerWorker(ConnectionOptions options, Follower::Settings settings,
                               Follower *owner)
    : m_options(std::move(options))
    , m_settings(std::move(settings))
    , m_owner(owner)
    , m_poll(this)
    , m_retry(this)
    , m_fastPoll(this)
{
    m_poll.setInterval(m_settings.pollInterval);
    m_retry.setSingleShot(true);
    m_retry.setInterval(m_settings.reconnectDelay);
    m_fastPoll.setSingleShot(true);
    m_fastPoll.setTimerType(Qt::PreciseTimer);
    connect(&m_poll, &QTimer::timeout, this, &FollowerWorker::onWake);
    connect(&m_retry, &QTimer::timeout, this, &FollowerWorker::onWake);
    connect(&m_fastPoll, &QTimer::timeout, this, &FollowerWorker::onWake);
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
    s.pooler = m_settings.pooler;
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
    m_fastPoll.stop();
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
        detail::emitAcrossThreads([&] { emit m_owner->errorOccurred(lease.error()); });
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
    if (!m_store || m_owner->m_stopped)
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
    if (!m_connected && !checkServer())
        return;
    // Listen first, then read: a notification that arrives meanwhile only causes a re-read.
    // A standby can neither LISTEN nor number events.
    const bool polling
        = m_standby || !m_settings.listen || m_settings.pooler == PoolerMode::Transaction;
    const bool listening = !polling && ensureListening();
    if (m_settings.sequence && !m_standby) {
        auto step = m_store->sequenceStep();
        if (!step && step.error().kind() != StoreError::Kind::ConnectionLost)
            qCDebug(lcFollower).noquote() << "sequencer step:" << step.error().toString();
    }
    bool delivered = false;
    while (true) {
        auto page = m_store->readAll(GlobalPosition(m_owner->m_next.load()), m_settings.batchSize,
                                     m_settings.filter);
        if (!page) {
            readFailed(page.error());
            return;
        }
        if (!m_connected) {
            m_connected = true;
            detail::emitAcrossThreads([&] { emit m_owner->connectionChanged(true, QString()); });
        }
        if (m_verifyPending && page->head.value >= m_owner->m_readTo) {
            // A standby that was behind the last event delivered has caught up with it.
            if (!verifyHistory())
                return;
            if (m_verifyPending)
                break;
            continue; // read the page again: the check may have taken a while
        }
        // Emit first, then advance: nextPosition() never runs ahead of what was delivered.
        if (!page->events.isEmpty()) {
            m_owner->m_lastPosition = page->events.constLast().position;
            m_owner->m_lastId = page->events.constLast().id;
            delivered = true;
            detail::emitAcrossThreads([&] { emit m_owner->eventsReceived(page->events); });
        }
        m_owner->m_next = page->next.value;
        m_owner->m_readTo = std::max(m_owner->m_readTo, page->next.value - 1);
        if (page->next.value > page->head.value) {
            m_owner->m_live = listening || polling;
            detail::emitAcrossThreads([&] { emit m_owner->caughtUp(page->head); });
            break;
        }
    }
    if (polling)
        schedulePoll(delivered);
    else if (!listening)
        m_retry.start();
}

bool FollowerWorker::checkServer()
{
    auto replication = m_store->replication();
    if (!replication) {
        readFailed(replication.error());
        return false;
    }
    if (replication->standby != m_standby)
        qCDebug(lcFollower) << "reading from a" << (replication->standby ? "standby" : "primary");
    m_standby = replication->standby;
    m_owner->m_standby = m_standby;
    if (m_standby)
        dropListener();
    return m_owner->m_readTo == 0 || verifyHistory();
}

bool FollowerWorker::verifyHistory()
{
    HistoryMark seen;
    seen.lastPosition = m_owner->m_lastPosition;
    seen.lastEventId = m_owner->m_lastId;
    seen.readTo = GlobalPosition(m_owner->m_readTo);
    auto check = m_store->checkHistory(seen);
    if (!check) {
        readFailed(check.error());
        return false;
    }
    if (check->outcome == HistoryCheck::Outcome::Rewritten) {
        m_owner->m_live = false;
        m_owner->m_stopped = true;
        qCWarning(lcFollower).noquote() << check->explanation;
        detail::emitAcrossThreads([&] {
            emit m_owner->errorOccurred(
                StoreError(StoreError::Kind::HistoryRewritten, check->explanation));
        });
        return false;
    }
    m_verifyPending = check->outcome == HistoryCheck::Outcome::NotYet;
    return true;
}

void FollowerWorker::readFailed(const StoreError &error)
{
    m_owner->m_live = false;
    if (m_connected) {
        m_connected = false;
        detail::emitAcrossThreads(
            [&] { emit m_owner->connectionChanged(false, error.toString()); });
    }
    detail::emitAcrossThreads([&] { emit m_owner->errorOccurred(error); });
    if (error.kind() == StoreError::Kind::ConnectionLost)
        dropListener();
    m_retry.start();
}

void FollowerWorker::schedulePoll(bool delivered)
{
    using std::chrono::milliseconds;
    m_fastInterval = delivered
        ? m_settings.standbyPollMin
        : std::min<milliseconds>(m_fastInterval * 2, m_settings.standbyPollInterval);
    m_fastPoll.start(m_fastInterval);
}

} // namespace eventium
