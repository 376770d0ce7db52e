// Helper program for tst_multiprocess. Two roles:
//
//   eventium_mp_worker writer <conninfo> <schema> <writer-id> <events> <streams> <seed> <log>
//     Appends `events` events in batches of 1-5 to random streams "mp-<k>"; one batch in five
//     goes to two streams at once (appendMulti, one transaction). About a third of the
//     batches use exact expected versions (retried on conflict), the rest any(). Every
//     event's data says {"w": writer, "b": batch, "i": index, "n": batch size}. After each
//     acknowledged append one line is written and flushed to the log (an append whose
//     connection was lost is sent again with the same ids, for up to 60 s):
//       <batch> <stream>/<first-version>/<last-version>/<id>,<id>,... [<stream>/...]
//     and "done <number of version conflicts>" at the end. Any error ends it with exit code 2.
//     Its connections are named "<schema>-writer-<writer-id>".
//
//   eventium_mp_worker hot <conninfo> <schema> <events> <streams> <seed>
//     Appends `events` single events with any() to random streams "hot-<k>" through
//     Store::append, as fast as it can. Any error ends it with exit code 2.
//
//   eventium_mp_worker follower <conninfo> <schema> <out> [<from>]
//     Follows the global sequence from position 1 (or <from>) with eventium::Follower, its
//     connections named "<schema>-<out's base name>", and writes
//     "<position> <event-id>" for every delivered event, flushed after every batch. It stops
//     cleanly when the file <out>.stop appears, writing "stopped <last-position>".
#include <eventium/follower.h>
#include <eventium/store.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QStringList>
#include <QTextStream>
#include <QTimer>

#include <cstdio>

using namespace eventium;

namespace {

int fail(const QString &message)
{
    std::fprintf(stderr, "eventium_mp_worker: %s\n", qPrintable(message));
    return 2;
}

Result<ConnectionOptions> parseOptions(const QString &text)
{
    return ConnectionOptions::parse(text);
}

int runWriter(const QStringList &args)
{
    if (args.size() != 9)
        return fail(QStringLiteral("writer needs 7 arguments"));
    auto options = parseOptions(args.at(2));
    if (!options)
        return fail(options.error().toString());
    const QString schema = args.at(3);
    const int writer = args.at(4).toInt();
    const int total = args.at(5).toInt();
    const int streams = args.at(6).toInt();
    QRandomGenerator rng(args.at(7).toUInt());
    QFile log(args.at(8));
    if (!log.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text))
        return fail(QStringLiteral("cannot open %1").arg(log.fileName()));

    StoreSettings settings;
    settings.schema = schema;
    settings.poolSize = 2;
    // A name the test can find this writer's connections by (to terminate them).
    options.value().applicationName = schema + QStringLiteral("-writer-%1").arg(writer);
    Store store(options.value(), settings);

    QHash<QString, qint64> known; // the version this writer last saw per stream
    int written = 0;
    int batch = 0;
    qint64 conflicts = 0;
    while (written < total) {
        ++batch;
        const int n = qMin(total - written, 1 + int(rng.bounded(5)));
        // One stream, or (one batch in five, when n >= 2) two streams in one transaction.
        const int parts = n >= 2 && rng.bounded(5) == 0 ? 2 : 1;
        QList<StreamAppend> appends;
        const int first = int(rng.bounded(streams));
        const int second = (first + 1 + int(rng.bounded(streams - 1))) % streams; // another one
        for (int p = 0; p < parts; ++p) {
            StreamAppend a;
            a.stream = StreamName(QStringLiteral("mp-%1").arg(p == 0 ? first : second));
            appends.append(a);
        }
        for (int i = 0; i < n; ++i) {
            NewEvent e;
            e.type = QStringLiteral("MpEvent");
            e.id = QUuid::createUuid();
            e.data = QStringLiteral("{\"w\": %1, \"b\": %2, \"i\": %3, \"n\": %4}")
                         .arg(writer)
                         .arg(batch)
                         .arg(i)
                         .arg(n)
                         .toUtf8();
            appends[i < n / parts ? 0 : parts - 1].events.append(e);
        }
        const bool exact = rng.bounded(3) == 0;
        QList<AppendResult> results;
        QElapsedTimer lostSince;
        for (int attempt = 0;; ++attempt) {
            for (StreamAppend &a : appends) {
                a.expected = exact && attempt < 20
                    ? ExpectedVersion::exact(known.value(a.stream.value(), 0))
                    : ExpectedVersion::any();
            }
            bool conflict = false;
            // The test terminates this writer's connections every 300 ms, and on a busy
            // machine a reconnect can take that long, so the store's own single retry may meet
            // the next termination too. Like an application would, try again with the same
            // event ids (an idempotent retry), for up to 60 s (a count of tries would depend on
            // the machine's speed: under ThreadSanitizer ten tries in a row can all be cut off).
            auto lost = [&lostSince](const StoreError &e) {
                if (e.kind() != StoreError::Kind::ConnectionLost)
                    return false;
                if (!lostSince.isValid())
                    lostSince.start();
                return lostSince.elapsed() < 60000;
            };
            if (parts == 1) {
                auto r = store.append(appends.first().stream, appends.first().expected,
                                      appends.first().events);
                if (!r && lost(r.error()))
                    continue;
                if (!r)
                    return fail(QStringLiteral("append failed: %1").arg(r.error().toString()));
                conflict = r->isConflict();
                results = {r.value()};
            } else {
                auto r = store.appendMulti(appends);
                if (!r && lost(r.error()))
                    continue;
                if (!r)
                    return fail(
                        QStringLiteral("multi-stream append failed: %1").arg(r.error().toString()));
                conflict = !r->committed;
                results = r->results;
            }
            if (!conflict)
                break;
            ++conflicts;
            for (const AppendResult &res : results) {
                if (res.isConflict())
                    known.insert(res.stream, qMax<qint64>(0, res.actualVersion));
            }
        }
        QStringList fields {QString::number(batch)};
        for (const AppendResult &res : results) {
            known.insert(res.stream, res.lastVersion.value);
            QStringList ids;
            for (const QUuid &id : res.eventIds)
                ids.append(id.toString(QUuid::WithoutBraces));
            fields.append(QStringLiteral("%1/%2/%3/%4")
                              .arg(res.stream)
                              .arg(res.firstVersion.value)
                              .arg(res.lastVersion.value)
                              .arg(ids.join(QLatin1Char(','))));
        }
        const QByteArray line = fields.join(QLatin1Char(' ')).toUtf8() + '\n';
        if (log.write(line) != line.size() || !log.flush())
            return fail(QStringLiteral("cannot write the log"));
        written += n;
    }
    log.write("done " + QByteArray::number(conflicts) + '\n');
    log.flush();
    return 0;
}

int runHot(const QStringList &args)
{
    if (args.size() != 7)
        return fail(QStringLiteral("hot needs 5 arguments"));
    auto options = parseOptions(args.at(2));
    if (!options)
        return fail(options.error().toString());
    StoreSettings settings;
    settings.schema = args.at(3);
    settings.poolSize = 1;
    settings.runSequencer = false;
    const int total = args.at(4).toInt();
    const int streams = args.at(5).toInt();
    QRandomGenerator rng(args.at(6).toUInt());
    Store store(options.value(), settings);
    QList<NewEvent> one(1);
    one[0].type = QStringLiteral("Hot");
    one[0].data = QByteArrayLiteral("{}");
    for (int i = 0; i < total; ++i) {
        one[0].id = QUuid();
        auto r = store.append(StreamName(QStringLiteral("hot-%1").arg(rng.bounded(streams))),
                              ExpectedVersion::any(), one);
        if (!r || !r->succeeded())
            return fail(r ? QStringLiteral("conflict on any()") : r.error().toString());
    }
    return 0;
}

int runFollower(QCoreApplication &app, const QStringList &args)
{
    if (args.size() != 5 && args.size() != 6)
        return fail(QStringLiteral("follower needs 3 or 4 arguments"));
    auto options = parseOptions(args.at(2));
    if (!options)
        return fail(options.error().toString());
    QFile out(args.at(4));
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text))
        return fail(QStringLiteral("cannot open %1").arg(out.fileName()));
    const QString stopFile = out.fileName() + QStringLiteral(".stop");

    Follower::Settings settings;
    settings.schema = args.at(3);
    settings.from = GlobalPosition(args.size() == 6 ? args.at(5).toLongLong() : 1);
    options.value().applicationName
        = settings.schema + QLatin1Char('-') + QFileInfo(out.fileName()).baseName();
    settings.pollInterval = std::chrono::milliseconds(200);
    Follower follower(options.value(), settings);
    qint64 last = 0;
    QObject::connect(&follower, &Follower::eventsReceived, &app,
                     [&out, &last](const QList<RecordedEvent> &events) {
                         QByteArray chunk;
                         for (const RecordedEvent &e : events) {
                             chunk += QByteArray::number(e.position.value) + ' '
                                 + e.id.toString(QUuid::WithoutBraces).toLatin1() + '\n';
                             last = e.position.value;
                         }
                         out.write(chunk);
                         out.flush();
                     });
    // Errors are expected (the test terminates connections): counted, not printed.
    qint64 errors = 0;
    QObject::connect(&follower, &Follower::errorOccurred, &app,
                     [&errors](const StoreError &) { ++errors; });
    QTimer stopPoll;
    stopPoll.setInterval(50);
    QObject::connect(&stopPoll, &QTimer::timeout, &app, [&] {
        if (!QFile::exists(stopFile))
            return;
        stopPoll.stop();
        follower.stop();
        // Deliveries already queued to this thread still count.
        QCoreApplication::processEvents();
        out.write("stopped " + QByteArray::number(last) + '\n');
        out.flush();
        if (errors > 0)
            std::fprintf(stderr, "follower %s: recovered from %lld errors\n",
                         qPrintable(QFileInfo(out.fileName()).baseName()), errors);
        app.quit();
    });
    stopPoll.start();
    follower.start();
    return app.exec();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    // The test terminates connections under these processes on purpose: the store's
    // warnings about it would only be noise. Failures end the process with a message.
    QLoggingCategory::setFilterRules(QStringLiteral("eventium.*.warning=false\n"
                                                    "eventium.*.info=false"));
    const QStringList args = app.arguments();
    if (args.size() >= 2 && args.at(1) == QLatin1String("writer"))
        return runWriter(args);
    if (args.size() >= 2 && args.at(1) == QLatin1String("hot"))
        return runHot(args);
    if (args.size() >= 2 && args.at(1) == QLatin1String("follower"))
        return runFollower(app, args);
    return fail(QStringLiteral("usage: eventium_mp_worker writer|hot|follower ..."));
}
