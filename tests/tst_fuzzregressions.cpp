// The fuzz targets' inputs in the normal suite: every input kept from fuzzing
// (tests/fuzz/regressions/<target>/) and every seed (tests/fuzz/corpus/<target>/) runs
// through the same entry code as the libFuzzer programs (tests/fuzz/fuzzentries.h), built
// with the normal compiler. Each must run without a crash and without a broken promise, and a
// file whose name starts with "accepted" or "refused" must be taken or refused by the parser
// accordingly. A target for which fuzzing never found a crash has no regressions folder: its
// seeds still run, and the test says so.
#include "fuzz/fuzzentries.h"
#include "support/testmain.h"

#include <QDir>
#include <QFile>
#include <QSqlDatabase>
#include <QTest>

using namespace eventium::fuzz;

namespace {

const char *const kAccepted = "accepted";
const char *const kRefused = "refused";

QString fuzzDir()
{
    return QFINDTESTDATA("fuzz/corpus").isEmpty()
        ? QString()
        : QFileInfo(QFINDTESTDATA("fuzz/corpus")).absolutePath();
}

QFileInfoList filesOf(const QString &kind, const char *target)
{
    return QDir(fuzzDir() + QLatin1Char('/') + kind + QLatin1Char('/') + QLatin1String(target))
        .entryInfoList(QDir::Files, QDir::Name);
}

} // namespace

class TestFuzzRegressions : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY2(!fuzzDir().isEmpty(), "tests/fuzz/corpus not found");
        // The connection options entry checks what applyTo() sets on a QPSQL connection.
        QVERIFY(QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL")));
    }

    // Every target has a dozen seeds, most with a documented outcome, both outcomes present.
    void seedsPerTarget()
    {
        for (const Target &target : targets()) {
            const QFileInfoList seeds = filesOf(QStringLiteral("corpus"), target.name);
            QVERIFY2(seeds.size() >= 12, target.name);
            qsizetype accepted = 0, refused = 0;
            for (const QFileInfo &seed : seeds) {
                accepted += seed.fileName().startsWith(QLatin1String(kAccepted));
                refused += seed.fileName().startsWith(QLatin1String(kRefused));
            }
            QVERIFY2(accepted >= 3 && refused >= 3, target.name);
            const qsizetype regressions
                = filesOf(QStringLiteral("regressions"), target.name).size();
            if (regressions == 0)
                qInfo("%s: fuzzing found no crash; its %lld seeds run through the entry instead",
                      target.name, qlonglong(seeds.size()));
            else
                qInfo("%s: %lld inputs kept from fuzzing, and %lld seeds", target.name,
                      qlonglong(regressions), qlonglong(seeds.size()));
        }
    }

    void runInputs_data()
    {
        QTest::addColumn<int>("target");
        QTest::addColumn<QString>("path");
        for (int t = 0; t < targets().size(); ++t) {
            for (const char *kind : {"regressions", "corpus"}) {
                for (const QFileInfo &file : filesOf(QLatin1String(kind), targets().at(t).name)) {
                    const QString tag = QStringLiteral("%1/%2/%3")
                                            .arg(QLatin1String(targets().at(t).name),
                                                 QLatin1String(kind), file.fileName());
                    QTest::newRow(qPrintable(tag)) << t << file.absoluteFilePath();
                }
            }
        }
    }

    void runInputs()
    {
        QFETCH(int, target);
        QFETCH(QString, path);
        QFile file(path);
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(path));
        const QByteArray input = file.readAll();

        const Outcome outcome = targets().at(target).entry(input);
        QVERIFY2(outcome.violation.isEmpty(), qPrintable(outcome.violation));
        const QString name = QFileInfo(path).fileName();
        if (name.startsWith(QLatin1String(kAccepted)))
            QVERIFY2(outcome.accepted, "documented as accepted, but refused");
        else if (name.startsWith(QLatin1String(kRefused)))
            QVERIFY2(!outcome.accepted, "documented as refused, but accepted");
    }
};

EVENTIUM_TEST_MAIN(TestFuzzRegressions)
#include "tst_fuzzregressions.moc"
