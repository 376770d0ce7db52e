// eventium-browser: the desktop event browser.
#include "mainwindow.h"
#include "screenshotdriver.h"
#include "storeworker.h"

#include <eventium/connectionoptions.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QTextStream>

#include <cstring>

using eventium::ui::ConnectionTarget;
using eventium::ui::MainWindow;

namespace {

void describe(QCommandLineParser &parser, const QList<QCommandLineOption> &options)
{
    parser.setApplicationDescription(QStringLiteral("Browse an Eventium event store."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions(options);
}

void name()
{
    QCoreApplication::setOrganizationName(QStringLiteral("Eventium"));
    QCoreApplication::setApplicationName(QStringLiteral("Eventium Browser"));
    QCoreApplication::setApplicationVersion(QStringLiteral(EVENTIUM_VERSION));
}

bool asksForHelpOrVersion(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        for (const char *flag : {"-h", "--help", "-?", "--help-all", "-v", "--version"}) {
            if (std::strcmp(argv[i], flag) == 0)
                return true;
        }
    }
    return false;
}

} // namespace

int main(int argc, char *argv[])
{
    QCommandLineOption db(
        QStringLiteral("db"),
        QStringLiteral("Connect to CONNINFO (libpq string or postgres:// URL). Default: "
                       "$DATABASE_URL, else the embedded PostgreSQL."),
        QStringLiteral("CONNINFO"));
    QCommandLineOption readDb(
        QStringLiteral("read-db"),
        QStringLiteral("Read from CONNINFO (a hot standby, say): pages, searches, the live feed "
                       "and statistics; writes go to --db. Default: $DATABASE_READ_URL when the "
                       "connection comes from $DATABASE_URL, else reads go to --db too."),
        QStringLiteral("CONNINFO"));
    QCommandLineOption schema(QStringLiteral("schema"),
                              QStringLiteral("The store's schema (default eventium)."),
                              QStringLiteral("NAME"), QStringLiteral("eventium"));
    QCommandLineOption sample(QStringLiteral("sample"),
                              QStringLiteral("Fill an empty store with sample data."));
    QCommandLineOption screenshot(
        QStringLiteral("screenshot"),
        QStringLiteral("Save a PNG of the window after loading, then exit."),
        QStringLiteral("FILE"));
    const QList<QCommandLineOption> all {db, readDb, schema, sample, screenshot};

    // --help and --version answer without a display: no QApplication, no platform plugin.
    if (asksForHelpOrVersion(argc, argv)) {
        QCoreApplication core(argc, argv);
        name();
        QCommandLineParser parser;
        describe(parser, all);
        parser.process(core); // prints and exits
        return 0;
    }

    QApplication app(argc, argv);
    name();
    QCommandLineParser parser;
    describe(parser, all);
    parser.process(app);

    MainWindow::Options options;
    options.target.schema = parser.value(schema);
    QString conninfo = parser.value(db);
    // $DATABASE_READ_URL goes with $DATABASE_URL: a --db names a server whose standby the
    // environment knows nothing of.
    QString readConninfo = parser.value(readDb);
    if (conninfo.isEmpty()) {
        conninfo = qEnvironmentVariable("DATABASE_URL");
        if (readConninfo.isEmpty() && !conninfo.isEmpty())
            readConninfo = qEnvironmentVariable("DATABASE_READ_URL");
    }
    if (conninfo.isEmpty()) {
        if (!readConninfo.isEmpty()) {
            QTextStream(stderr) << "eventium-browser: --read-db needs --db (or $DATABASE_URL)\n";
            return 2;
        }
        options.target.embedded = true;
    } else {
        auto parsed = eventium::ConnectionOptions::parse(conninfo);
        if (!parsed) {
            QTextStream(stderr) << "eventium-browser: " << parsed.error().toString() << "\n";
            return 2;
        }
        options.target.options = parsed.value();
        if (!readConninfo.isEmpty()) {
            auto read = eventium::ConnectionOptions::parse(readConninfo);
            if (!read) {
                QTextStream(stderr)
                    << "eventium-browser: read connection: " << read.error().toString() << "\n";
                return 2;
            }
            options.target.readOptions = read.value();
        }
    }
    const QString screenshotFile = parser.value(screenshot);
    // A picture of an empty store shows nothing: it gets sample data too.
    options.sample = parser.isSet(sample) || !screenshotFile.isEmpty();
    if (!screenshotFile.isEmpty())
        options.restoreState = false; // a reproducible picture

    MainWindow window(options);
    if (!screenshotFile.isEmpty())
        new eventium::browser::ScreenshotDriver(&window, screenshotFile); // owned by the window
    window.show();
    return app.exec();
}
