// A failed REQUIRE_OK fails its own test function and the program goes on with the next one:
// proven on a probe program (support/requireprobe.cpp) whose middle test function fails one.
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

namespace {

struct ProbeRun
{
    int exitCode = -1;
    QProcess::ExitStatus exitStatus = QProcess::CrashExit;
    QString output; // stdout and stderr
};

ProbeRun runProbe(const QStringList &arguments)
{
    QProcess probe;
    probe.setProcessChannelMode(QProcess::MergedChannels);
    probe.start(QStringLiteral(EVENTIUM_REQUIRE_PROBE), arguments);
    ProbeRun run;
    if (!probe.waitForFinished(60000))
        return run;
    run.exitCode = probe.exitCode();
    run.exitStatus = probe.exitStatus();
    run.output = QString::fromLocal8Bit(probe.readAll());
    return run;
}

// The failed test functions over every run's totals.
int failedInTotals(const QString &output)
{
    int failed = 0;
    static const QRegularExpression totals(QStringLiteral("^Totals: \\d+ passed, (\\d+) failed"),
                                           QRegularExpression::MultilineOption);
    for (auto it = totals.globalMatch(output); it.hasNext();)
        failed += it.next().captured(1).toInt();
    return failed;
}

} // namespace

class TestRequire : public QObject
{
    Q_OBJECT

private slots:
    void failsOnlyItsTestFunction()
    {
        const ProbeRun run = runProbe({});
        QVERIFY2(run.exitStatus == QProcess::NormalExit, qPrintable(run.output));
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.output.contains(QLatin1String("PASS   : RequireProbe::passes()")),
                 qPrintable(run.output));
        // The failure names the expression and the error.
        QVERIFY2(run.output.contains(
                     QLatin1String("FAIL!  : RequireProbe::failsARequire() call() failed: timeout: "
                                   "deliberately refused")),
                 qPrintable(run.output));
        QVERIFY2(!run.output.contains(QLatin1String("after the failed REQUIRE_OK")),
                 qPrintable(run.output));
        QCOMPARE(failedInTotals(run.output), 1);
        // The next test function still ran, and passed.
        QVERIFY2(run.output.contains(QLatin1String("PASS   : RequireProbe::goesOn()")),
                 qPrintable(run.output));
        QVERIFY2(run.output.contains(QLatin1String("PASS   : RequireProbe::cleanupTestCase()")),
                 qPrintable(run.output));
    }

    void keepsTheCommandLinesSelection()
    {
        const ProbeRun run = runProbe({QStringLiteral("failsARequire"), QStringLiteral("goesOn")});
        QVERIFY2(run.exitStatus == QProcess::NormalExit, qPrintable(run.output));
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(!run.output.contains(QLatin1String("RequireProbe::passes()")),
                 qPrintable(run.output));
        QCOMPARE(failedInTotals(run.output), 1);
        QVERIFY2(run.output.contains(QLatin1String("PASS   : RequireProbe::goesOn()")),
                 qPrintable(run.output));
    }
};

QTEST_GUILESS_MAIN(TestRequire)
#include "tst_require.moc"
