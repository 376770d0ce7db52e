// Runs one named subscription until killed; the subscription tests start and SIGKILL it.
//
//   toolkit_subscriber <schema> <name> at-least-once|exactly-once <batch size> <delay ms>
//
// The connection comes from EVENTIUM_TEST_CONNINFO. At least once, each delivered position is
// inserted into <schema>.received (no unique key: duplicates show) on a connection of the
// helper's own; exactly once into <schema>.applied (unique on subscription and position)
// inside the subscription's transaction. The delay is spent inside the handler (inside the
// transaction, exactly once), so a kill often lands in the middle of a batch.
#include <eventium/store.h>
#include <eventium/toolkit/subscription.h>

#include <QCoreApplication>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <QThread>

#include <cstdio>

using namespace eventium;

namespace {

QString positions(const QList<RecordedEvent> &events)
{
    QStringList out;
    for (const RecordedEvent &e : events)
        out << QString::number(e.position.value);
    return QLatin1Char('{') + out.join(QLatin1Char(',')) + QLatin1Char('}');
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() != 6) {
        std::fprintf(stderr,
                     "usage: toolkit_subscriber <schema> <name> at-least-once|exactly-once "
                     "<batch size> <delay ms>\n");
        return 2;
    }
    auto options = ConnectionOptions::parse(qEnvironmentVariable("EVENTIUM_TEST_CONNINFO"));
    if (!options) {
        std::fprintf(stderr, "%s\n", qPrintable(options.error().toString()));
        return 2;
    }
    StoreSettings storeSettings;
    storeSettings.schema = args.at(1);
    storeSettings.poolSize = 4;
    Store store(options.value(), storeSettings);
    const QString table = QLatin1Char('"') + args.at(1) + QStringLiteral("\".");
    const QString name = args.at(2);
    const bool exactlyOnce = args.at(3) == QStringLiteral("exactly-once");
    const unsigned long delay = args.at(5).toULong();

    toolkit::Subscription::Settings settings;
    settings.name = name;
    settings.batchSize = args.at(4).toInt();
    settings.pollInterval = std::chrono::milliseconds(100);
    settings.lockRetryInterval = std::chrono::milliseconds(100);
    settings.retryDelay = std::chrono::milliseconds(100);

    std::unique_ptr<toolkit::Subscription> sub;
    if (exactlyOnce) {
        sub = std::make_unique<toolkit::Subscription>(
            store, settings,
            [&](const QList<RecordedEvent> &events, QSqlDatabase &db) -> Result<Done> {
                QSqlQuery q(db);
                q.prepare(QStringLiteral("INSERT INTO %1applied (subscription, position) "
                                         "SELECT ?, unnest(?::bigint[])")
                              .arg(table));
                q.addBindValue(name);
                q.addBindValue(positions(events));
                if (!q.exec()) {
                    std::fprintf(stderr, "insert failed: %s\n", qPrintable(q.lastError().text()));
                    return StoreError::fromSql(q.lastError(), QStringLiteral("insert"));
                }
                QThread::msleep(delay);
                return Done {};
            });
    } else {
        // Outside the subscription's transaction: through a connection of its own (the
        // handler runs on this thread, in run()).
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"),
                                                    QStringLiteral("toolkit-subscriber"));
        options->applyTo(db);
        if (!db.open()) {
            std::fprintf(stderr, "%s\n", qPrintable(db.lastError().text()));
            return 2;
        }
        sub = std::make_unique<toolkit::Subscription>(
            store, settings, [&, db](const QList<RecordedEvent> &events) -> Result<Done> {
                QSqlQuery q(db);
                q.prepare(QStringLiteral("INSERT INTO %1received (subscription, position) "
                                         "SELECT ?, unnest(?::bigint[])")
                              .arg(table));
                q.addBindValue(name);
                q.addBindValue(positions(events));
                if (!q.exec())
                    return StoreError::fromSql(q.lastError(), QStringLiteral("insert"));
                QThread::msleep(delay);
                return Done {};
            });
    }
    std::printf("running\n");
    std::fflush(stdout);
    auto r = sub->run();
    if (!r) {
        std::fprintf(stderr, "subscription failed: %s\n", qPrintable(r.error().toString()));
        return 1;
    }
    return 0;
}
