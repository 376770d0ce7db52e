#include "cli.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("eventium"));
    QCoreApplication::setApplicationVersion(QStringLiteral(EVENTIUM_VERSION));
    eventium::cli::Cli cli;
    return cli.run(QCoreApplication::arguments());
}
