#include "logcapture.h"

#include <QLoggingCategory>
#include <QMutex>

namespace eventium::test {

namespace {

QMutex mutex;
QStringList logged;
QtMessageHandler previous = nullptr;

void capture(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    {
        QMutexLocker locker(&mutex);
        logged << message;
    }
    if (previous && type >= QtWarningMsg)
        previous(type, context, message);
}

} // namespace

LogCapture::LogCapture()
{
    {
        QMutexLocker locker(&mutex);
        logged.clear();
    }
    previous = qInstallMessageHandler(capture);
    QLoggingCategory::setFilterRules(QStringLiteral("eventium.*.debug=true"));
}

LogCapture::~LogCapture()
{
    qInstallMessageHandler(previous);
    QLoggingCategory::setFilterRules(QString());
}

QStringList LogCapture::lines() const
{
    QMutexLocker locker(&mutex);
    return logged;
}

} // namespace eventium::test
