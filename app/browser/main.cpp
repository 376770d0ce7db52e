// eventium-browser: the desktop event browser.
#include "mainwindow.h"
#include "screenshotdriver.h"
#include "storeworker.h"

#include <eventium/connectionoptions.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QTextStream>

using eventium::ui::ConnectionTarget;
using eventium::ui::MainWindow;

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Eventium"));
    QApplication::setApplicationName(QStringLiteral("Eventium Browser"));
    QApplication::setApplicationVersion(QStringLiteral(EVENTIUM_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Browse an Eventium event store."));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption db(
        QStringLiteral("db"),
        QStringLiteral("Connect to CONNINFO (libpq string or postgres:// URL). Default: "
                       "$DATABASE_URL, else the embedded PostgreSQL."),
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
    parser.addOptions({db, schema, sample, screenshot});
    parser.process(app);

    MainWindow::Options options;
    options.target.schema = parser.value(schema);
    QString conninfo = parser.value(db);
    if (conninfo.isEmpty())
        conninfo = qEnvironmentVariable("DATABASE_URL");
    if (conninfo.isEmpty()) {
        options.target.embedded = true;
    } else {
        auto parsed = eventium::ConnectionOptions::parse(conninfo);
        if (!parsed) {
            QTextStream(stderr) << "eventium-browser: " << parsed.error().toString() << "\n";
            return 2;
        }
        options.target.options = parsed.value();
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
