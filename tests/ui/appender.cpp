// Appends events through the store API, from a process of its own:
//   eventium-ui-test-appender CONNINFO SCHEMA STREAM COUNT [DELAY_MS]
#include <eventium/store.h>

#include <QCoreApplication>
#include <QTextStream>
#include <QThread>

using namespace eventium;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 5) {
        QTextStream(stderr)
            << "usage: eventium-ui-test-appender CONNINFO SCHEMA STREAM COUNT [DELAY_MS]\n";
        return 2;
    }
    auto options = ConnectionOptions::parse(args.at(1));
    if (!options) {
        QTextStream(stderr) << options.error().toString() << "\n";
        return 2;
    }
    StoreSettings settings;
    settings.schema = args.at(2);
    Store store(options.value(), settings);
    const int count = args.at(4).toInt();
    const int delayMs = args.size() > 5 ? args.at(5).toInt() : 0;
    for (int i = 1; i <= count; ++i) {
        NewEvent e;
        e.type = QStringLiteral("ExternalTick");
        e.data = QStringLiteral("{\"n\": %1, \"from\": \"appender\"}").arg(i).toUtf8();
        auto r = store.append(StreamName(args.at(3)), ExpectedVersion::any(), {e});
        if (!r || !r->succeeded()) {
            QTextStream(stderr) << "append failed: "
                                << (r ? QStringLiteral("conflict") : r.error().toString()) << "\n";
            return 1;
        }
        if (delayMs > 0)
            QThread::msleep(static_cast<unsigned long>(delayMs));
    }
    auto head = store.sequenceNow();
    if (!head) {
        QTextStream(stderr) << head.error().toString() << "\n";
        return 1;
    }
    QTextStream(stdout) << "head " << head->value << "\n";
    return 0;
}
