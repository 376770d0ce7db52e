#pragma once

#include <QByteArray>

#include <utility>

namespace eventium::test {

// Thrown by a check that failed in the middle of a test function (REQUIRE_OK and the
// fixture's SQL helpers) after the failure has been recorded with QTest::qFail: it leaves the
// test function from any depth. runTests() catches it and goes on with the next test function.
// Not a std::exception, so that no handler for those in the code under test swallows it.
class RequireFailure
{
public:
    RequireFailure(QByteArray function, QByteArray dataTag)
        : m_function(std::move(function))
        , m_dataTag(std::move(dataTag))
    {
    }

    // The test function (and its data row, if any) that failed.
    const QByteArray &function() const { return m_function; }
    const QByteArray &dataTag() const { return m_dataTag; }

private:
    QByteArray m_function;
    QByteArray m_dataTag;
};

} // namespace eventium::test
