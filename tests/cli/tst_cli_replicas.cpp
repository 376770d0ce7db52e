// The command line on a primary and a hot standby: --read-db and $DATABASE_READ_URL send the
// reading commands to the standby, the writing ones never; `status` and `stats` say which
// server is which, and a standby's replay lag; passwords are never printed.
#include "support/replicaset.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

using eventium::ConnectionOptions;
using eventium::test::ReplicaSet;

namespace {

struct Run
{
    int code = -1;
    QByteArray out;
    QByteArray err;

    QList<QJsonObject> lines() const
    {
        QList<QJsonObject> objects;
        for (const QByteArray &line : out.split('\n')) {
            if (!line.trimmed().isEmpty())
                objects << QJsonDocument::fromJson(line).object();
        }
        return objects;
    }
    QString describe() const
    {
        return QStringLiteral("exit %1, stdout: %2, stderr: %3")
            .arg(code)
            .arg(QString::fromUtf8(out.left(800)), QString::fromUtf8(err.left(800)));
    }
};

QProcessEnvironment baseEnvironment()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DATABASE_URL"));
    env.remove(QStringLiteral("DATABASE_READ_URL"));
    env.remove(QStringLiteral("EVENTIUM_SCHEMA"));
    return env;
}

Run runCli(const QStringList &args, const QProcessEnvironment &env = baseEnvironment())
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(EVENTIUM_CLI_PATH), args);
    Run r;
    if (!p.waitForStarted(10000)) {
        r.err = p.errorString().toUtf8();
        return r;
    }
    p.closeWriteChannel();
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished(5000);
    }
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    return r;
}

} // namespace

#define CHECK_EXIT(run, expected)                                                                  \
    do {                                                                                           \
        const Run &r_ = (run);                                                                     \
        QVERIFY2(r_.code == (expected), qPrintable(r_.describe()));                                \
    } while (false)

class TestCliReplicas : public QObject
{
    Q_OBJECT

    std::unique_ptr<ReplicaSet> m_set;

    QString primary() const { return m_set->primaryOptions().toConnInfo(); }
    // The standby with a password it does not need (its socket is trusted): one that must
    // never be printed.
    QString standby() const
    {
        ConnectionOptions o = m_set->standbyOptions();
        o.password = QStringLiteral("hunter2-secret");
        o.connectTimeout = 5;
        return o.toConnInfo();
    }
    QStringList both() const
    {
        return {QStringLiteral("--db"),      primary(),
                QStringLiteral("--read-db"), standby(),
                QStringLiteral("--schema"),  QStringLiteral("replicas")};
    }
    void replay()
    {
        QString why;
        QVERIFY2(m_set->waitForReplay(&why), qPrintable(why));
    }

private slots:
    void initTestCase()
    {
        m_set = std::make_unique<ReplicaSet>(false);
        QString why;
        QVERIFY2(m_set->start(&why), qPrintable(why));
    }

    void help()
    {
        Run r = runCli({QStringLiteral("--help")});
        CHECK_EXIT(r, 0);
        QVERIFY(r.out.contains("--read-db"));
        QVERIFY(r.out.contains("DATABASE_READ_URL"));
        QVERIFY(r.out.contains("  status "));
        r = runCli({QStringLiteral("status"), QStringLiteral("--help")});
        CHECK_EXIT(r, 0);
        QVERIFY(r.out.startsWith("Usage: eventium status"));
        QVERIFY(r.out.contains("replayLagMs"));
    }

    // Writing commands use the write connection, whatever --read-db says; reading commands
    // read the standby (after it has replayed).
    void writesOnThePrimaryReadsOnTheStandby()
    {
        Run r = runCli(both() + QStringList {QStringLiteral("migrate")});
        CHECK_EXIT(r, 0);
        for (int i = 0; i < 3; ++i) {
            r = runCli(both()
                       + QStringList {QStringLiteral("append"), QStringLiteral("account-1"),
                                      QStringLiteral("--type"), QStringLiteral("Deposited"),
                                      QStringLiteral("--data"),
                                      QStringLiteral("{\"amount\": %1}").arg(i + 1)});
            CHECK_EXIT(r, 0);
        }
        replay();
        r = runCli(both() + QStringList {QStringLiteral("read"), QStringLiteral("account-1")});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.lines().size(), 3);
        r = runCli(both() + QStringList {QStringLiteral("streams")});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.lines().size(), 1);
        r = runCli(both() + QStringList {QStringLiteral("tail")});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.lines().size(), 3);
        r = runCli(both()
                   + QStringList {QStringLiteral("search"), QStringLiteral("--where"),
                                  QStringLiteral("amount > 1")});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.lines().size(), 2);
        QVERIFY(!r.out.contains("hunter2") && !r.err.contains("hunter2"));
    }

    void statusShowsRolesAndLag()
    {
        Run r = runCli(both() + QStringList {QStringLiteral("status")});
        CHECK_EXIT(r, 0);
        const auto lines = r.lines();
        QCOMPARE(lines.size(), 2);
        QCOMPARE(lines.at(0).value(QStringLiteral("connection")).toString(),
                 QStringLiteral("write"));
        QCOMPARE(lines.at(0).value(QStringLiteral("role")).toString(), QStringLiteral("primary"));
        QVERIFY(!lines.at(0).contains(QStringLiteral("replayLagMs")));
        QCOMPARE(lines.at(1).value(QStringLiteral("connection")).toString(),
                 QStringLiteral("read"));
        QCOMPARE(lines.at(1).value(QStringLiteral("role")).toString(), QStringLiteral("standby"));
        QVERIFY(lines.at(1).value(QStringLiteral("replayLagMs")).isDouble());
        QVERIFY(lines.at(1).value(QStringLiteral("replayLagMs")).toDouble() >= 0);
        QVERIFY(lines.at(1).contains(QStringLiteral("replayBytesBehind")));
        QCOMPARE(lines.at(1).value(QStringLiteral("schemaVersion")).toInt(),
                 lines.at(0).value(QStringLiteral("schemaVersion")).toInt());
        // The password is masked in what is shown of the read connection.
        QVERIFY(!r.out.contains("hunter2") && !r.err.contains("hunter2"));
        QVERIFY(lines.at(1)
                    .value(QStringLiteral("server"))
                    .toString()
                    .contains(QLatin1String("password=********")));

        // --verbose says it on stderr too.
        r = runCli(both() + QStringList {QStringLiteral("status"), QStringLiteral("--verbose")});
        CHECK_EXIT(r, 0);
        QVERIFY2(r.err.contains("read: standby, replay lag "), qPrintable(r.describe()));
        QVERIFY2(r.err.contains("write: primary"), qPrintable(r.describe()));
        QVERIFY(!r.err.contains("hunter2"));

        // Stats say what they were read from.
        r = runCli(both() + QStringList {QStringLiteral("stats")});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.lines().first().value(QStringLiteral("role")).toString(),
                 QStringLiteral("standby"));
        QCOMPARE(r.lines().first().value(QStringLiteral("headPosition")).toInt(), 3);

        // Without a read connection: one line, for both.
        r = runCli({QStringLiteral("--db"), primary(), QStringLiteral("--schema"),
                    QStringLiteral("replicas"), QStringLiteral("status")});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.lines().size(), 1);
        QCOMPARE(r.lines().first().value(QStringLiteral("connection")).toString(),
                 QStringLiteral("read+write"));
        QCOMPARE(r.lines().first().value(QStringLiteral("role")).toString(),
                 QStringLiteral("primary"));
    }

    // $DATABASE_READ_URL goes with $DATABASE_URL, not with a --db of another server.
    void environment()
    {
        QProcessEnvironment env = baseEnvironment();
        env.insert(QStringLiteral("DATABASE_URL"), primary());
        env.insert(QStringLiteral("DATABASE_READ_URL"), standby());
        env.insert(QStringLiteral("EVENTIUM_SCHEMA"), QStringLiteral("replicas"));
        Run r = runCli({QStringLiteral("status")}, env);
        CHECK_EXIT(r, 0);
        QCOMPARE(r.lines().size(), 2);
        QCOMPARE(r.lines().at(1).value(QStringLiteral("role")).toString(),
                 QStringLiteral("standby"));
        r = runCli({QStringLiteral("--db"), primary(), QStringLiteral("status")}, env);
        CHECK_EXIT(r, 0);
        QCOMPARE(r.lines().size(), 1);
        QCOMPARE(r.lines().first().value(QStringLiteral("role")).toString(),
                 QStringLiteral("primary"));
        env.insert(QStringLiteral("DATABASE_READ_URL"), QStringLiteral("postgres://[oops"));
        r = runCli({QStringLiteral("status")}, env);
        CHECK_EXIT(r, 2);
        QVERIFY2(r.err.contains("DATABASE_READ_URL"), qPrintable(r.describe()));
    }

    // Without the standby, reading commands cannot connect (exit 5) and writing ones go on.
    void readsNeedTheStandbyWritesDoNot()
    {
        QString why;
        QVERIFY2(m_set->stopStandby(&why), qPrintable(why));
        Run r = runCli(both()
                       + QStringList {QStringLiteral("append"), QStringLiteral("account-2"),
                                      QStringLiteral("--type"), QStringLiteral("Opened"),
                                      QStringLiteral("--data"), QStringLiteral("{}")});
        CHECK_EXIT(r, 0);
        r = runCli(both() + QStringList {QStringLiteral("read"), QStringLiteral("account-2")});
        CHECK_EXIT(r, 5);
        QVERIFY(!r.err.contains("hunter2"));
        r = runCli(both() + QStringList {QStringLiteral("status")});
        CHECK_EXIT(r, 5);
        // Reading from the primary still works.
        r = runCli({QStringLiteral("--db"), primary(), QStringLiteral("--schema"),
                    QStringLiteral("replicas"), QStringLiteral("read"),
                    QStringLiteral("account-2")});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.lines().size(), 1);
        QVERIFY2(m_set->startStandby(&why), qPrintable(why));
        replay();
        r = runCli(both() + QStringList {QStringLiteral("read"), QStringLiteral("account-2")});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.lines().size(), 1);
    }

    void cleanupTestCase() { m_set.reset(); }
};

QTEST_GUILESS_MAIN(TestCliReplicas)
#include "tst_cli_replicas.moc"
