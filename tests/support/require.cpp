#include "require.h"

#include "requirefailure.h"

#include <QCoreApplication>
#include <QTest>
#include <QThread>

namespace eventium::test {

void failTest(const QString &message, const char *file, int line)
{
    const char *function = QTest::currentTestFunction();
    const bool testThread = QCoreApplication::instance()
        && QThread::currentThread() == QCoreApplication::instance()->thread();
    if (!function || !testThread)
        qFatal("%s (%s:%d)", qPrintable(message), file, line);
    QTest::qFail(qPrintable(message), file, line);
    throw RequireFailure(function, QTest::currentDataTag());
}

} // namespace eventium::test
