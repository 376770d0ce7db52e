// Appends three events to a stream, reads them back, and keeps a snapshot of the stream with
// the toolkit. Uses DATABASE_URL when set; otherwise a private PostgreSQL (the embedded
// default), or a throw-away one with --temporary.
#include <eventium/embeddedpostgres.h>
#include <eventium/store.h>
#include <eventium/toolkit/snapshotstore.h>

#include <QCoreApplication>
#include <QTextStream>

#include <memory>

using namespace eventium;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTextStream out(stdout), err(stderr);

    std::unique_ptr<EmbeddedPostgres> server;
    ConnectionOptions options;
    if (const QString url = qEnvironmentVariable("DATABASE_URL"); !url.isEmpty()) {
        auto parsed = ConnectionOptions::parse(url);
        if (!parsed) {
            err << parsed.error().toString() << Qt::endl;
            return 2;
        }
        options = parsed.value();
    } else {
        const bool temporary = app.arguments().contains(QStringLiteral("--temporary"));
        server = std::make_unique<EmbeddedPostgres>(
            temporary ? EmbeddedPostgres::temporarySettings() : EmbeddedPostgres::Settings {});
        if (auto started = server->start(); !started) {
            err << started.error().toString() << Qt::endl;
            return 5;
        }
        options = server->connectionOptions();
    }

    Store store(options);
    if (auto migrated = store.migrate(); !migrated) {
        err << migrated.error().toString() << Qt::endl;
        return 1;
    }

    const StreamName stream(QStringLiteral("example-")
                            + QString::number(QCoreApplication::applicationPid()));
    auto appended = store.append(stream, ExpectedVersion::noStream(),
                                 {{QStringLiteral("Greeted"), R"({"who": "world"})", {}, {}},
                                  {QStringLiteral("Waved"), R"({"hand": "left"})", {}, {}},
                                  {QStringLiteral("Left"), "{}", R"({"reason": "done"})", {}}});
    if (!appended) {
        err << appended.error().toString() << Qt::endl;
        return 1;
    }
    if (appended->isConflict()) {
        err << "stream already exists at version " << appended->actualVersion << Qt::endl;
        return 3;
    }

    auto events = store.readStream(stream, StreamVersion(1));
    if (!events) {
        err << events.error().toString() << Qt::endl;
        return 1;
    }
    for (const RecordedEvent &e : events.value())
        out << stream.value() << '@' << e.version.value << ' ' << e.type << ' ' << e.data
            << Qt::endl;
    out << "read back " << events->size() << " events" << Qt::endl;

    // The toolkit: a snapshot of what was read, saved and loaded again.
    toolkit::SnapshotStore snapshots(store);
    const RecordedEvent &last = events->back();
    toolkit::Snapshot snapshot {stream.value(),
                                QStringLiteral("event-count"),
                                last.version,
                                last.id,
                                1,
                                QByteArray::number(events->size()),
                                {}};
    if (auto saved = snapshots.save(snapshot); !saved) {
        err << saved.error().toString() << Qt::endl;
        return 1;
    }
    auto loaded = snapshots.load(stream.value(), QStringLiteral("event-count"));
    if (!loaded || !loaded->has_value()) {
        err << "the snapshot was not kept" << Qt::endl;
        return 1;
    }
    out << "snapshot at version " << (*loaded)->version.value << ": " << (*loaded)->state
        << Qt::endl;
    return 0;
}
