// postgres-event-store-bench: measures the store against the limits of PostgreSQL itself
// (raw libpq), against the table-lock design and against an advisory lock with a bigserial
// position (Message DB's design), in the same run, on the same server.

#include "benchconfig.h"
#include "benchrunner.h"
#include "chartrenderer.h"
#include "machineinfo.h"
#include "pgconnection.h"
#include "report.h"

#include <eventium/connectionoptions.h>
#include <eventium/embeddedpostgres.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QGuiApplication>
#ifdef EVENTIUM_BENCH_UI
#include <QApplication>
#endif
#include <QLoggingCategory>
#include <QTextStream>

#include <cstring>
#include <memory>
#include <optional>

using namespace bench;

namespace {

[[maybe_unused]] bool wantsChart(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--chart") == 0 || std::strncmp(argv[i], "--chart=", 8) == 0)
            return true;
    }
    return false;
}

// The chart is drawn with QPainter on a QImage, which needs a QGuiApplication, and ui_stall
// drives the browser's widgets, which need a QApplication; nothing is shown, so the offscreen
// platform is enough.
std::unique_ptr<QCoreApplication> makeApplication(int &argc, char **argv)
{
#ifdef EVENTIUM_BENCH_UI
    const bool gui = true;
#else
    const bool gui = wantsChart(argc, argv);
#endif
    if (!gui)
        return std::make_unique<QCoreApplication>(argc, argv);
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
#ifdef EVENTIUM_BENCH_UI
    return std::make_unique<QApplication>(argc, argv);
#else
    return std::make_unique<QGuiApplication>(argc, argv);
#endif
}

} // namespace

int main(int argc, char **argv)
{
    std::unique_ptr<QCoreApplication> app = makeApplication(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("postgres-event-store-bench"));
    // The store logs every applied migration; keep the report readable.
    QLoggingCategory::setFilterRules(
        QStringLiteral("eventium.*.info=false\neventium.store.info=false"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Measures the Eventium store against plain PostgreSQL (raw), the "
                       "table-lock design (lock) and an advisory lock with a bigserial position "
                       "(peer, Message DB's design)."));
    parser.addHelpOption();
    const QCommandLineOption dbOption(
        QStringLiteral("db"),
        QStringLiteral(
            "Use this server (libpq string or postgres:// URL) instead of a private durable one."),
        QStringLiteral("conninfo"));
    const QCommandLineOption jsonOption(QStringLiteral("json"),
                                        QStringLiteral("Write the results as JSON."),
                                        QStringLiteral("file"));
    const QCommandLineOption chartOption(
        QStringLiteral("chart"),
        QStringLiteral(
            "Write a chart (PNG): bars per scenario, or with --scale a line chart of the curve."),
        QStringLiteral("file"));
    const QCommandLineOption quickOption(QStringLiteral("quick"),
                                         QStringLiteral("Smaller sizes and fewer rounds."));
    const QCommandLineOption smokeOption(
        QStringLiteral("smoke"),
        QStringLiteral(
            "Tiny sizes, every scenario, a few seconds; exits non-zero when anything fails."));
    const QCommandLineOption scenarioOption(
        QStringLiteral("scenario"),
        QStringLiteral("Run only this scenario (repeatable): %1.")
            .arg(BenchConfig::scenarioNames().join(QStringLiteral(", "))),
        QStringLiteral("name"));
    const QCommandLineOption roundsOption(QStringLiteral("rounds"),
                                          QStringLiteral("Rounds of the append scenarios."),
                                          QStringLiteral("n"));
    const QCommandLineOption keepOption(
        QStringLiteral("keep"),
        QStringLiteral(
            "Leave the bench schemas in the database given with --db (for EXPLAIN ANALYZE)."));
    const QCommandLineOption scaleOption(
        QStringLiteral("scale"),
        QStringLiteral(
            "Instead of the suite, how cost grows with the store: append_8w, read_global and "
            "read_stream, ours and raw, at each size of --scale-sizes (default "
            "100000,1000000,10000000; with --smoke 2000,10000), the read data set loaded "
            "afresh on the server for each size (100,000 events loaded in about 3 s in a smoke "
            "run; 10,000,000 should take roughly 5 to 15 minutes, index builds outgrowing "
            "memory, and about 15 GB of disk). --json gets a \"scale\" section, --chart draws a "
            "line chart of the curve."));
    const QCommandLineOption scaleSizesOption(
        QStringLiteral("scale-sizes"),
        QStringLiteral("The sizes of --scale, comma-separated numbers of events (whole streams "
                       "of 1,000); implies --scale."),
        QStringLiteral("n,n,..."));
    const QCommandLineOption untunedOption(
        QStringLiteral("untuned"),
        QStringLiteral("Run the private server with PostgreSQL's default memory and WAL settings "
                       "instead of the embedded default's (EmbeddedPostgres::tunedSettings)."));
    const QCommandLineOption noFsyncOption(
        QStringLiteral("no-fsync"),
        QStringLiteral("Run the private server with fsync off, so that commits cost no flush and "
                       "the CPU path of each variant shows bare (not for the published figures)."));
    parser.addOptions({dbOption, jsonOption, chartOption, quickOption, smokeOption, scenarioOption,
                       roundsOption, keepOption, scaleOption, scaleSizesOption, untunedOption,
                       noFsyncOption});
    parser.process(*app);

    QTextStream out(stdout);
    QTextStream err(stderr);
    const BenchConfig::Mode mode = parser.isSet(smokeOption) ? BenchConfig::Mode::Smoke
        : parser.isSet(quickOption)                          ? BenchConfig::Mode::Quick
                                                             : BenchConfig::Mode::Full;
    BenchConfig config = BenchConfig::forMode(mode);
    if (parser.isSet(roundsOption))
        config.rounds = std::max(1, parser.value(roundsOption).toInt());
    const bool scale = parser.isSet(scaleOption) || parser.isSet(scaleSizesOption);
    if (parser.isSet(scaleSizesOption)) {
        config.scaleSizes.clear();
        for (const QString &part :
             parser.value(scaleSizesOption).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            bool ok = false;
            const qint64 size = part.trimmed().toLongLong(&ok);
            if (!ok || size < config.streamLength) {
                err << "invalid --scale-sizes: " << part << " (a number of events, at least "
                    << config.streamLength << ")" << Qt::endl;
                return 2;
            }
            config.scaleSizes.append(size);
        }
    }
    if (scale && parser.isSet(scenarioOption)) {
        err << "--scale runs its own scenarios; --scenario does not go with it" << Qt::endl;
        return 2;
    }
    QStringList scenarios = parser.values(scenarioOption);
    for (const QString &s : scenarios) {
        if (!BenchConfig::scenarioNames().contains(s)) {
            err << "unknown scenario " << s
                << "; known: " << BenchConfig::scenarioNames().join(QStringLiteral(", "))
                << Qt::endl;
            return 2;
        }
    }
    if (scenarios.isEmpty())
        scenarios = BenchConfig::scenarioNames();

    QElapsedTimer total;
    total.start();
    std::unique_ptr<eventium::EmbeddedPostgres> server;
    eventium::ConnectionOptions options;
    QString serverText;
    if (parser.isSet(dbOption)) {
        auto parsed = eventium::ConnectionOptions::parse(parser.value(dbOption));
        if (!parsed) {
            err << "invalid --db: " << parsed.error().toString() << Qt::endl;
            return 2;
        }
        options = parsed.value();
        serverText = QStringLiteral("given server %1").arg(options.toDisplayString());
    } else {
        eventium::EmbeddedPostgres::Settings settings
            = eventium::EmbeddedPostgres::temporarySettings();
        // Commit cost is part of what is measured: fsync stays on, unless this is a smoke run
        // or the CPU path alone is asked for.
        settings.durable = mode != BenchConfig::Mode::Smoke && !parser.isSet(noFsyncOption);
        // As the embedded default runs, unless asked for PostgreSQL's defaults.
        settings.tuned = !parser.isSet(untunedOption);
        // For the WAL figures: the time spent writing and flushing WAL, and the sequencer's
        // calls (pg_stat_user_functions).
        settings.serverSettings << QStringLiteral("track_wal_io_timing = on")
                                << QStringLiteral("track_functions = 'all'");
        server = std::make_unique<eventium::EmbeddedPostgres>(settings);
        err << "starting a private PostgreSQL server in "
            << QDir::toNativeSeparators(settings.dataDir) << Qt::endl;
        if (auto r = server->start(); !r) {
            err << "cannot start the server: " << r.error().toString() << Qt::endl;
            return 1;
        }
        options = server->connectionOptions();
        serverText = QStringLiteral("private server, %1, %2")
                         .arg(settings.durable ? QStringLiteral("durable (fsync on)")
                                               : QStringLiteral("fsync off"),
                              settings.tuned
                                  ? QStringLiteral("the embedded default's settings")
                                  : QStringLiteral("PostgreSQL's default settings (--untuned)"));
    }

    MachineInfo machine;
    {
        PgConnection probe(options.toConnInfo());
        if (!probe.isOk()) {
            err << "cannot connect: " << probe.errorMessage() << Qt::endl;
            return 1;
        }
        machine = MachineInfo::collect(&probe);
        machine.server = serverText;
    }
    const QString runName = config.modeName() + (scale ? QStringLiteral(" --scale") : QString());
    out << "postgres-event-store-bench (" << runName << " run)\n" << machine.toText() << Qt::endl;

    BenchRunner runner(config, options);
    runner.setServer(server.get());
    QString error;
    if (!runner.setUp(&error)) {
        err << "setup failed: " << error << Qt::endl;
        return 1;
    }
    QList<ScenarioResult> results;
    QList<ScalePoint> scalePoints;
    bool failed = false;
    for (const qint64 size : scale ? config.scaleSizes : QList<qint64>()) {
        err << "scale, " << size << " events:" << Qt::endl;
        QElapsedTimer timer;
        timer.start();
        const ScalePoint point = runner.runScale(size);
        for (const ScenarioResult &r : point.results) {
            failed = failed || !r.error.isEmpty();
            err << "  => " << Report::tableRow(r) << Qt::endl;
        }
        err << "  (" << timer.elapsed() / 1000.0 << " s)" << Qt::endl;
        scalePoints.append(point);
    }
    for (const QString &scenario : scale ? QStringList() : scenarios) {
        err << scenario << ":" << Qt::endl;
        QElapsedTimer timer;
        timer.start();
        const QList<ScenarioResult> rows = runner.run(scenario);
        for (const ScenarioResult &r : rows) {
            failed = failed || !r.error.isEmpty();
            err << "  => " << Report::tableRow(r) << Qt::endl;
        }
        err << "  (" << timer.elapsed() / 1000.0 << " s)" << Qt::endl;
        results += rows;
    }
    if (!(parser.isSet(keepOption) && parser.isSet(dbOption)))
        runner.tearDown();

    if (scale)
        out << '\n' << Report::scaleTable(scalePoints);
    else
        out << '\n' << Report::table(results);
    out << "Total time: " << QString::number(total.elapsed() / 1000.0, 'f', 1) << " s" << Qt::endl;
    if (parser.isSet(jsonOption)) {
        if (!Report::writeJson(parser.value(jsonOption), results, scalePoints, &error)) {
            err << "cannot write the JSON: " << error << Qt::endl;
            failed = true;
        }
    }
    if (parser.isSet(chartOption)) {
        const QString subtitle = QStringLiteral("%1, %2 cores, %3; %4 run, median of rounds")
                                     .arg(machine.cpuModel)
                                     .arg(machine.cores)
                                     .arg(machine.postgresVersion, runName);
        const bool saved = scale
            ? ChartRenderer::saveScale(scalePoints, subtitle, parser.value(chartOption), &error)
            : ChartRenderer::save(results, subtitle, parser.value(chartOption), &error);
        if (!saved) {
            err << error << Qt::endl;
            failed = true;
        }
    }
    return failed ? 1 : 0;
}
