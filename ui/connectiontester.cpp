#include "connectiontester.h"

#include "storeworker.h"

#include <QCoreApplication>
#include <QPointer>
#include <QThread>

namespace eventium::ui {

namespace {

// A connection that could not be made shows libpq's own words ("... failed: Connection
// refused", "timeout expired"); anything else the store's error with its kind.
QString failureText(const StoreError &error)
{
    if (error.kind() == StoreError::Kind::ConnectionLost)
        return QObject::tr("Could not connect: %1").arg(error.message());
    return error.toString();
}

} // namespace

ConnectionTester::ConnectionTester(QObject *parent)
    : QObject(parent)
{
}

ConnectionTester::~ConnectionTester()
{
    // A test in progress finishes on its own (bounded by connect_timeout); its answer is
    // dropped because this object is gone.
    for (QThread *t : std::as_const(m_threads)) {
        if (t->isRunning()) {
            QObject::connect(t, &QThread::finished, t, &QObject::deleteLater);
            t->setParent(nullptr);
        } else {
            delete t;
        }
    }
}

quint64 ConnectionTester::test(const ConnectionOptions &options)
{
    const quint64 token = StoreWorker::nextToken();
    QPointer<ConnectionTester> self(this);
    ConnectionOptions opts = options;
    if (opts.connectTimeout == 0)
        opts.connectTimeout = 10;
    QThread *thread = QThread::create([self, token, opts] {
        const auto info = Store::testConnection(opts);
        const bool ok = info.ok();
        const QString message = ok ? QObject::tr("Connected: PostgreSQL %1 as %2, database %3")
                                         .arg(info->serverVersion, info->user, info->database)
                                   : failureText(info.error());
        QMetaObject::invokeMethod(
            qApp,
            [self, token, ok, message] {
                if (self)
                    emit self->finished(token, ok, message);
            },
            Qt::QueuedConnection);
    });
    thread->setObjectName(QStringLiteral("eventium-connection-test"));
    m_threads.append(thread);
    connect(thread, &QThread::finished, this, [this, thread] {
        m_threads.removeOne(thread);
        thread->deleteLater();
    });
    thread->start();
    return token;
}

} // namespace eventium::ui
