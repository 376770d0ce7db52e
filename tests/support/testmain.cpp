#include "testmain.h"

#include "requirefailure.h"

#include <QMetaMethod>
#include <QObject>
#include <QStringList>

#include <algorithm>
#include <cstdio>

namespace eventium::test {

namespace {

// The test functions in the order QTest runs them, by QTest's own rule: private slots
// without parameters returning nothing, other than the _data, init and cleanup functions.
QStringList testFunctions(const QObject &test)
{
    QStringList out;
    const QMetaObject *meta = test.metaObject();
    for (int i = 0; i < meta->methodCount(); ++i) {
        const QMetaMethod method = meta->method(i);
        if (method.methodType() != QMetaMethod::Slot || method.access() != QMetaMethod::Private
            || method.parameterCount() != 0
            || method.returnMetaType() != QMetaType::fromType<void>())
            continue;
        const QByteArray name = method.name();
        if (name.endsWith("_data") || name == "initTestCase" || name == "cleanupTestCase"
            || name == "init" || name == "cleanup")
            continue;
        const QString function = QString::fromLatin1(name);
        if (!out.contains(function))
            out << function;
    }
    return out;
}

} // namespace

int runTests(QObject &test, int argc, char **argv)
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    // The command line's test functions ("name" or "name:data tag"), and everything else
    // (options and their values), which every run gets again.
    const QStringList functions = testFunctions(test);
    QStringList selected;
    QStringList options;
    for (const QString &argument : arguments.mid(1)) {
        if (functions.contains(argument.section(QLatin1Char(':'), 0, 0)))
            selected << argument;
        else
            options << argument;
    }
    if (selected.isEmpty())
        selected = functions;

    int failed = 0;
    QStringList run = arguments;
    while (true) {
        try {
            return std::min(failed + QTest::qExec(&test, run), 127);
        } catch (const RequireFailure &failure) {
            ++failed;
            QByteArray function = failure.function();
            if (function.endsWith("_data"))
                function.chop(5);
            const auto at = std::find_if(selected.cbegin(), selected.cend(), [&](const QString &s) {
                const QString tag = s.section(QLatin1Char(':'), 1);
                return s.section(QLatin1Char(':'), 0, 0) == QLatin1String(function)
                    && (tag.isEmpty() || tag == QLatin1String(failure.dataTag()));
            });
            // Outside the test functions (initTestCase, cleanupTestCase): nothing to go on with.
            if (at == selected.cend())
                return std::min(failed, 127);
            selected = selected.mid(at - selected.cbegin() + 1);
            if (selected.isEmpty())
                return std::min(failed, 127);
            std::printf("REQUIRE_OK ended %s%s%s; going on with the test functions after it\n",
                        function.constData(), failure.dataTag().isEmpty() ? "" : ":",
                        failure.dataTag().constData());
            std::fflush(stdout);
            run = QStringList {arguments.first()} + options + selected;
        }
    }
}

} // namespace eventium::test
