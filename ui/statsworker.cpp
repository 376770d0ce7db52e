#include "statsworker.h"

#include "storeworker.h"

#include <QThread>

namespace eventium::ui {

StatsWorker::StatsWorker()
    : QObject(nullptr)
{
    m_thread = std::make_unique<QThread>();
    m_thread->setObjectName(QStringLiteral("eventium-ui-stats"));
    moveToThread(m_thread.get());
}

StatsWorker::~StatsWorker()
{
    shutdown();
}

void StatsWorker::start()
{
    if (!m_thread->isRunning())
        m_thread->start();
}

void StatsWorker::shutdown()
{
    if (!m_thread || !m_thread->isRunning())
        return;
    QThread *home = QThread::currentThread();
    QMetaObject::invokeMethod(
        this,
        [this, home] {
            closeStore();
            QThread *own = thread();
            moveToThread(home);
            own->quit();
        },
        Qt::QueuedConnection);
    m_thread->wait();
}

void StatsWorker::closeStore()
{
    m_store.reset(); // closes its connection on this thread
}

void StatsWorker::open(const ConnectionOptions &options, const QString &schema)
{
    QMetaObject::invokeMethod(
        this,
        [this, options, schema] {
            closeStore();
            StoreSettings settings;
            settings.schema = schema;
            settings.poolSize = 1;
            settings.acquireTimeout = std::chrono::milliseconds(5000);
            settings.runSequencer = false;
            m_store = std::make_unique<Store>(options, settings);
        },
        Qt::QueuedConnection);
}

void StatsWorker::close()
{
    if (!m_thread->isRunning())
        return; // shut down already: nothing is open
    QMetaObject::invokeMethod(
        this, [this] { closeStore(); }, Qt::QueuedConnection);
}

quint64 StatsWorker::fetchStats()
{
    const quint64 token = StoreWorker::nextToken();
    QMetaObject::invokeMethod(
        this,
        [this, token] {
            if (!m_store) {
                emit failed(
                    token,
                    StoreError(StoreError::Kind::ConnectionLost, QStringLiteral("not connected")));
                return;
            }
            auto stats = m_store->stats();
            if (!stats) {
                if (stats.error().kind() == StoreError::Kind::ConnectionLost)
                    emit connectionLost(stats.error());
                emit failed(token, stats.error());
                return;
            }
            emit statsReady(token, stats.value());
        },
        Qt::QueuedConnection);
    return token;
}

quint64 StatsWorker::listSubscriptions()
{
    const quint64 token = StoreWorker::nextToken();
    QMetaObject::invokeMethod(
        this,
        [this, token] {
            if (!m_store) {
                emit failed(
                    token,
                    StoreError(StoreError::Kind::ConnectionLost, QStringLiteral("not connected")));
                return;
            }
            auto listed = toolkit::Subscription::list(*m_store);
            if (!listed) {
                if (listed.error().kind() == StoreError::Kind::ConnectionLost)
                    emit connectionLost(listed.error());
                emit failed(token, listed.error());
                return;
            }
            emit subscriptionsListed(token, listed.value());
        },
        Qt::QueuedConnection);
    return token;
}

} // namespace eventium::ui
