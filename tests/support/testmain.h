#pragma once

#include <QCoreApplication>
#include <QTest>

class QObject;

namespace eventium::test {

// Runs the test functions of `test` the way QTest::qExec does, and goes on after a test
// function that a failed REQUIRE_OK left (QTest 6.4 reports an exception thrown from a test
// function and then rethrows it, ending the run): the run starts again with the test
// functions after that one, in the order QTest runs them or the command line names them. That
// test function's later data rows, and its cleanup(), are not run; each run prints its own
// totals. Returns the number of failed test functions (at most 127), as qExec does.
int runTests(QObject &test, int argc, char **argv);

} // namespace eventium::test

// QTEST_GUILESS_MAIN with runTests().
#define EVENTIUM_TEST_MAIN(TestObject)                                                             \
    int main(int argc, char *argv[])                                                               \
    {                                                                                              \
        QCoreApplication app(argc, argv);                                                          \
        app.setAttribute(Qt::AA_Use96Dpi, true);                                                   \
        TestObject tc;                                                                             \
        QTEST_SET_MAIN_SOURCE_PATH                                                                 \
        return eventium::test::runTests(tc, argc, argv);                                           \
    }
