#include "connectiontester.h"

#include "storeworker.h"

#include <QCoreApplication>
#include <QPointer>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QUuid>

namespace eventium::ui {

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
        const QString name
            = QStringLiteral("eventium-test-") + QUuid::createUuid().toString(QUuid::Id128);
        bool ok = false;
        QString message;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
            opts.applyTo(db);
            if (!db.open()) {
                // libpq's own words ("... failed: Connection refused", "timeout expired").
                QString why = db.lastError().databaseText().trimmed();
                if (why.isEmpty())
                    why = db.lastError().text().trimmed();
                message = QObject::tr("Could not connect: %1").arg(why);
            } else {
                QSqlQuery q(db);
                if (q.exec(QStringLiteral("SELECT current_setting('server_version'), current_user, "
                                          "current_database()"))
                    && q.next()) {
                    ok = true;
                    message = QObject::tr("Connected: PostgreSQL %1 as %2, database %3")
                                  .arg(q.value(0).toString(), q.value(1).toString(),
                                       q.value(2).toString());
                } else {
                    message = StoreError::fromSql(q.lastError(), QStringLiteral("test query"))
                                  .toString();
                }
                q.finish();
                db.close();
            }
        }
        QSqlDatabase::removeDatabase(name);
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
