#include "cli.h"
#include "exitcode.h"

#include <QCoreApplication>
#include <QStringDecoder>

#include <cstdio>
#include <cstring>

namespace {

// Arguments that are not UTF-8 would reach the store with their bad bytes replaced by U+FFFD
// (two different bad names landing in one stream): refuse them, as stdin refuses them.
bool argumentsAreUtf8(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        const QString decoded
            = utf8.decode(QByteArrayView(argv[i], qsizetype(std::strlen(argv[i]))));
        if (utf8.hasError() || decoded.isNull()) {
            std::fprintf(stderr,
                         "eventium: argument %d is not valid UTF-8; give stream names, "
                         "types and JSON as UTF-8\n",
                         i);
            return false;
        }
    }
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    if (!argumentsAreUtf8(argc, argv))
        return eventium::cli::ExitBadInput;
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("eventium"));
    QCoreApplication::setApplicationVersion(QStringLiteral(EVENTIUM_VERSION));
    eventium::cli::Cli cli;
    return cli.run(QCoreApplication::arguments());
}
