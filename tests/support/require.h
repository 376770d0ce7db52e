#pragma once

#include <eventium/result.h>

#include <QString>

#include <utility>

namespace eventium::test {

// Fails the current test function with `message` at file:line and leaves it by throwing
// RequireFailure (see runTests()). Outside a test function, or on another thread than the
// test's, there is nothing to fail: the program stops with the message, as qFatal does.
[[noreturn]] void failTest(const QString &message, const char *file, int line);

template<typename T>
T requireOk(Result<T> result, const char *expression, const char *file, int line)
{
    if (!result)
        failTest(QStringLiteral("%1 failed: %2")
                     .arg(QString::fromUtf8(expression), result.error().toString()),
                 file, line);
    return std::move(result).value();
}

} // namespace eventium::test

// The value of a Result; when it holds an error, the current test function fails with the
// expression and the error, and the program goes on with the next test function.
#define REQUIRE_OK(expr) eventium::test::requireOk((expr), #expr, __FILE__, __LINE__)
