#include "testdatabase.h"

#include "testconnection.h"

#include <eventium/embeddedpostgres.h>

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QMutex>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

#include <cstdlib>

namespace eventium::test {

namespace {

QMutex g_mutex;
std::unique_ptr<EmbeddedPostgres> g_server;
std::optional<ConnectionOptions> g_options;
QString g_error;

void stopServer()
{
    g_server.reset();
}

} // namespace

bool TestDatabase::ensure(QString *error)
{
    QMutexLocker lock(&g_mutex);
    if (g_options)
        return true;
    if (!g_error.isEmpty()) {
        if (error)
            *error = g_error;
        return false;
    }
    const QString configured = qEnvironmentVariable("EVENTIUM_TEST_DATABASE");
    if (!configured.isEmpty()) {
        auto parsed = ConnectionOptions::parse(configured);
        if (!parsed) {
            g_error = parsed.error().toString();
        } else {
            g_options = parsed.value();
            return true;
        }
    } else {
        g_server = std::make_unique<EmbeddedPostgres>(EmbeddedPostgres::temporarySettings());
        auto started = g_server->start();
        if (!started) {
            g_error = started.error().toString();
            g_server.reset();
        } else {
            g_options = g_server->connectionOptions();
            std::atexit(stopServer);
            return true;
        }
    }
    if (error)
        *error = g_error;
    return false;
}

ConnectionOptions TestDatabase::options()
{
    QMutexLocker lock(&g_mutex);
    return g_options.value_or(ConnectionOptions {});
}

bool TestDatabase::isEmbedded()
{
    QMutexLocker lock(&g_mutex);
    return g_server != nullptr;
}

QString TestDatabase::uniqueSchema(const QString &prefix)
{
    return prefix + QLatin1Char('_') + QUuid::createUuid().toString(QUuid::Id128).left(16);
}

std::unique_ptr<Store> TestDatabase::freshStore(StoreSettings settings, QString *error)
{
    QString why;
    if (!ensure(&why)) {
        if (error)
            *error = why;
        return nullptr;
    }
    if (settings.schema == QLatin1String("eventium"))
        settings.schema = uniqueSchema();
    if (settings.pooler == PoolerMode::Direct) {
        if (auto mode = parsePoolerMode(qEnvironmentVariable("EVENTIUM_TEST_POOLER")))
            settings.pooler = *mode;
    }
    auto store = std::make_unique<Store>(options(), settings);
    auto migrated = store->migrate();
    if (!migrated) {
        if (error)
            *error = migrated.error().toString();
        return nullptr;
    }
    return store;
}

bool TestDatabase::execAdmin(const QString &sql, QString *error)
{
    TestConnection connection;
    if (!connection.isOpen()) {
        if (error)
            *error = connection.error();
        return false;
    }
    QSqlQuery q(connection.db());
    const bool ok = q.exec(sql);
    if (!ok && error)
        *error = q.lastError().text();
    return ok;
}

bool TestDatabase::restartServer(QString *error, std::chrono::milliseconds down)
{
    QMutexLocker lock(&g_mutex);
    if (!g_server) {
        if (error)
            *error = QStringLiteral("not the embedded server");
        return false;
    }
    if (auto r = g_server->stop(); !r) {
        if (error)
            *error = r.error().toString();
        return false;
    }
    if (down.count() > 0) {
        // Down for a while, with this thread's event loop running (windows keep working).
        QDeadlineTimer until(down);
        while (!until.hasExpired())
            QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    }
    if (auto r = g_server->start(); !r) {
        if (error)
            *error = r.error().toString();
        return false;
    }
    return true;
}

} // namespace eventium::test
