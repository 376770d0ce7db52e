// A test program whose middle test function fails a REQUIRE_OK, for tst_require, which runs
// it as a child process. Not a test of its own: it fails on purpose.
#include "require.h"
#include "testmain.h"

#include <QTest>

using namespace eventium;

namespace {

Result<int> answer()
{
    return 42;
}

Result<int> refusal()
{
    return StoreError(StoreError::Kind::Timeout, QStringLiteral("deliberately refused"));
}

// A helper a level below the test function, as the tests' helpers are.
int valueOf(Result<int> (*call)())
{
    return REQUIRE_OK(call());
}

} // namespace

class RequireProbe : public QObject
{
    Q_OBJECT

private slots:
    void passes() { QCOMPARE(REQUIRE_OK(answer()), 42); }

    void failsARequire()
    {
        QCOMPARE(valueOf(&answer), 42);
        valueOf(&refusal);
        qInfo("after the failed REQUIRE_OK");
    }

    void goesOn() { QCOMPARE(REQUIRE_OK(answer()), 42); }
};

EVENTIUM_TEST_MAIN(RequireProbe)
#include "requireprobe.moc"
