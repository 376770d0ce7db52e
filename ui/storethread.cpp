#include "storethread.h"

#include "storeworker.h"

#include <QThread>

namespace eventium::ui {

StoreThread::StoreThread(const QString &threadName)
    : QObject(nullptr)
    , m_thread(std::make_unique<QThread>())
{
    m_thread->setObjectName(threadName);
    moveToThread(m_thread.get());
}

StoreThread::~StoreThread()
{
    shutdown();
}

void StoreThread::start()
{
    if (!m_thread->isRunning())
        m_thread->start();
}

void StoreThread::shutdown()
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

void StoreThread::closeStore()
{
    m_store.reset(); // closes its connection on this thread
    storeClosed();
}

void StoreThread::open(const ConnectionOptions &options, const QString &schema,
                       const std::optional<ConnectionOptions> &readOptions)
{
    QMetaObject::invokeMethod(
        this,
        [this, options, schema, readOptions] {
            closeStore();
            StoreSettings settings;
            settings.schema = schema;
            settings.poolSize = 1;
            settings.acquireTimeout = std::chrono::milliseconds(5000);
            settings.runSequencer = false;
            settings.readConnection = readOptions;
            m_store = std::make_unique<Store>(options, settings);
        },
        Qt::QueuedConnection);
}

void StoreThread::close()
{
    if (!m_thread->isRunning())
        return; // shut down already: nothing is open
    QMetaObject::invokeMethod(
        this, [this] { closeStore(); }, Qt::QueuedConnection);
}

quint64 StoreThread::post(std::function<void(quint64 token, Store &store)> work)
{
    const quint64 token = StoreWorker::nextToken();
    QMetaObject::invokeMethod(
        this,
        [this, token, work = std::move(work)] {
            if (!m_store) {
                emit failed(
                    token,
                    StoreError(StoreError::Kind::ConnectionLost, QStringLiteral("not connected")));
                return;
            }
            work(token, *m_store);
        },
        Qt::QueuedConnection);
    return token;
}

void StoreThread::fail(quint64 token, const StoreError &error)
{
    if (error.kind() == StoreError::Kind::ConnectionLost)
        emit connectionLost(error);
    emit failed(token, error);
}

} // namespace eventium::ui
