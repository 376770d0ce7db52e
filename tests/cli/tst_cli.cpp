// The `eventium` command line, run as a real process with QProcess against the test database.
#include "support/pgbouncer.h"
#include "support/testdatabase.h"

#include <eventium/store.h>
#include <eventium/toolkit/subscription.h>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>
#include <QUuid>

#include <csignal>
#include <functional>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

using eventium::test::TestDatabase;

namespace {

struct Run
{
    int code = -1;
    QByteArray out;
    QByteArray err;
    bool finished = false;

    QList<QJsonObject> lines() const
    {
        QList<QJsonObject> objects;
        for (const QByteArray &line : out.split('\n')) {
            if (line.trimmed().isEmpty())
                continue;
            objects << QJsonDocument::fromJson(line).object();
        }
        return objects;
    }
    QJsonObject object() const { return QJsonDocument::fromJson(out).object(); }
    QString describe() const
    {
        return QStringLiteral("exit %1, stdout: %2, stderr: %3")
            .arg(code)
            .arg(QString::fromUtf8(out.left(600)), QString::fromUtf8(err.left(600)));
    }
};

QProcessEnvironment baseEnvironment()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DATABASE_URL"));
    env.remove(QStringLiteral("EVENTIUM_SCHEMA"));
    return env;
}

Run runCli(const QStringList &args, const QByteArray &input = {},
           const QProcessEnvironment &env = baseEnvironment(), int timeoutMs = 60000)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(EVENTIUM_CLI_PATH), args);
    Run r;
    if (!p.waitForStarted(10000)) {
        r.err = p.errorString().toUtf8();
        return r;
    }
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
    r.finished = p.waitForFinished(timeoutMs);
    if (!r.finished) {
        p.kill();
        p.waitForFinished(5000);
    }
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    return r;
}

// A directory the server may live in; when root, reachable by the `postgres` user that
// runs the server (as EmbeddedPostgres::temporarySettings() arranges it).
QString makeDataParent()
{
    QByteArray templ = QFile::encodeName(QDir::tempPath() + QStringLiteral("/eventium-cli-XXXXXX"));
    if (::mkdtemp(templ.data()) == nullptr)
        return {};
    if (::geteuid() == 0) {
        if (struct passwd *pw = ::getpwnam("postgres"))
            (void)::chown(templ.constData(), pw->pw_uid, pw->pw_gid);
    }
    ::chmod(templ.constData(), 0755);
    return QFile::decodeName(templ);
}

} // namespace

#define CHECK_EXIT(run, expected)                                                                  \
    do {                                                                                           \
        const Run &r_ = (run);                                                                     \
        QVERIFY2(r_.code == (expected), qPrintable(r_.describe()));                                \
    } while (false)

class TestCli : public QObject
{
    Q_OBJECT

    QString m_schema;

    QStringList db() const
    {
        return {QStringLiteral("--db"), TestDatabase::options().toConnInfo(),
                QStringLiteral("--schema"), m_schema};
    }
    Run cli(const QStringList &args, const QByteArray &input = {}) const
    {
        return runCli(db() + args, input);
    }

    // Appends one event with options; returns its id.
    QString appendOne(const QString &stream, const QString &type, const QString &data)
    {
        const Run r = cli({QStringLiteral("append"), stream, QStringLiteral("--type"), type,
                           QStringLiteral("--data"), data});
        if (r.code != 0)
            qWarning() << "append failed:" << r.describe();
        return r.object().value(QStringLiteral("ids")).toArray().at(0).toString();
    }

private slots:
    void initTestCase()
    {
        EVENTIUM_REQUIRE_DB();
        QVERIFY2(QFileInfo(QStringLiteral(EVENTIUM_CLI_PATH)).isExecutable(), EVENTIUM_CLI_PATH);
    }

    void init() { m_schema = TestDatabase::uniqueSchema(QStringLiteral("cli")); }

    // ------------------------------------------------------------ help, version, usage

    void versionAndGlobalHelp()
    {
        Run r = runCli({QStringLiteral("--version")});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.out.trimmed(), QByteArray("eventium " EVENTIUM_VERSION));

        r = runCli({QStringLiteral("--help")});
        CHECK_EXIT(r, 0);
        for (const char *command :
             {"migrate", "append", "read", "streams", "tail", "stats", "sample", "embedded"})
            QVERIFY2(r.out.contains(QByteArray("  ") + command), command);
        QVERIFY(r.out.contains("--db"));
        QVERIFY(r.err.isEmpty());
    }

    void commandHelp_data()
    {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QString>("specific"); // something only this command's help says
        QTest::newRow("migrate") << "migrate"
                                 << "upgrades it";
        QTest::newRow("append") << "append"
                                << "--expected";
        QTest::newRow("read") << "read"
                              << "--at TIME";
        QTest::newRow("streams") << "streams"
                                 << "--order";
        QTest::newRow("tail") << "tail"
                              << "--follow";
        QTest::newRow("stats") << "stats"
                               << "oldestRunningXid";
        QTest::newRow("sample") << "sample"
                                << "--force";
        QTest::newRow("embedded") << "embedded"
                                  << "EVENTIUM_DATA_DIR";
        QTest::newRow("export") << "export"
                                << "--output FILE";
        QTest::newRow("import") << "import"
                                << "--ids M";
        QTest::newRow("diff") << "diff"
                              << "OTHER-EVENT-ID";
        QTest::newRow("state") << "state"
                               << "--version N";
        QTest::newRow("activity") << "activity"
                                  << "--per UNIT";
    }

    void commandHelp()
    {
        QFETCH(QString, command);
        QFETCH(QString, specific);
        const QByteArray usage = "Usage: eventium " + command.toUtf8();
        for (const QStringList &args : {QStringList {command, QStringLiteral("--help")},
                                        QStringList {command, QStringLiteral("-h")},
                                        QStringList {QStringLiteral("--help"), command},
                                        QStringList {QStringLiteral("help"), command}}) {
            // No database is needed for help: a dead --db must not matter.
            const Run r = runCli(
                QStringList {QStringLiteral("--db"), QStringLiteral("host=127.0.0.1 port=1")}
                + args);
            CHECK_EXIT(r, 0);
            QVERIFY2(r.out.startsWith(usage), qPrintable(r.describe()));
            QVERIFY2(r.out.contains(specific.toUtf8()), qPrintable(r.describe()));
        }
    }

    void usageErrorsExitTwo_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("no command") << QStringList {};
        QTest::newRow("unknown command") << QStringList {"frobnicate"};
        QTest::newRow("unknown global option") << QStringList {"--frob", "stats"};
        QTest::newRow("unknown command option") << QStringList {"read", "s", "--frob"};
        QTest::newRow("missing value") << QStringList {"read", "s", "--limit"};
        QTest::newRow("read without stream") << QStringList {"read"};
        QTest::newRow("bad limit") << QStringList {"read", "s", "--limit", "zero"};
        QTest::newRow("negative limit") << QStringList {"tail", "--limit", "-3"};
        QTest::newRow("bad expected")
            << QStringList {"append", "s", "--expected", "maybe", "--type", "T", "--data", "{}"};
        QTest::newRow("append without data") << QStringList {"append", "s", "--type", "T"};
        QTest::newRow("append stdin with type") << QStringList {"append", "s", "-", "--type", "T"};
        QTest::newRow("bad order") << QStringList {"streams", "--order", "size"};
        QTest::newRow("flag with value") << QStringList {"tail", "--follow=yes"};
        QTest::newRow("embedded without action") << QStringList {"embedded"};
        QTest::newRow("embedded bad action") << QStringList {"embedded", "restart"};
        QTest::newRow("sample too few") << QStringList {"sample", "--events", "3"};
        QTest::newRow("read at and from")
            << QStringList {"read", "s", "--at", "2026-11-30T14:03:00Z", "--from", "2"};
        QTest::newRow("tail at and from")
            << QStringList {"tail", "--from", "2", "--at", "2026-11-30T14:03:00Z"};
        QTest::newRow("read bad at") << QStringList {"read", "s", "--at", "noon"};
        QTest::newRow("tail bad at") << QStringList {"tail", "--at", "yesterday"};
        QTest::newRow("append bad ids") << QStringList {"append", "s", "-", "--ids", "old"};
        QTest::newRow("append ids without stdin")
            << QStringList {"append", "s", "--ids", "new", "--type", "T", "--data", "{}"};
        QTest::newRow("export argument") << QStringList {"export", "s"};
        QTest::newRow("export bad from") << QStringList {"export", "--from", "first"};
        QTest::newRow("export to before from")
            << QStringList {"export", "--from", "10", "--to", "3"};
        QTest::newRow("export stream and prefix")
            << QStringList {"export", "--stream", "s", "--prefix", "a"};
        QTest::newRow("export -o without file") << QStringList {"export", "-o"};
        QTest::newRow("export unknown short") << QStringList {"export", "-x"};
        QTest::newRow("import without file") << QStringList {"import"};
        QTest::newRow("import two files") << QStringList {"import", "a", "b"};
        QTest::newRow("import bad ids") << QStringList {"import", "-", "--ids", "fresh"};
        QTest::newRow("import expected exists")
            << QStringList {"import", "-", "--expected", "exists"};
        QTest::newRow("import bad expected") << QStringList {"import", "-", "--expected", "-1"};
        QTest::newRow("activity bad per") << QStringList {"activity", "--per", "week"};
        QTest::newRow("activity bad from") << QStringList {"activity", "--from", "monday"};
        QTest::newRow("activity to before from") << QStringList {
            "activity", "--from", "2026-11-30T14:03:00Z", "--to", "2026-11-30T14:00:00Z"};
        QTest::newRow("activity bad top") << QStringList {"activity", "--top", "0"};
        QTest::newRow("activity argument") << QStringList {"activity", "s"};
        QTest::newRow("bad pooler") << QStringList {"--pooler", "statement", "stats"};
        QTest::newRow("pooler without value") << QStringList {"stats", "--pooler"};
    }

    void usageErrorsExitTwo()
    {
        QFETCH(QStringList, args);
        const Run r = runCli(
            QStringList {QStringLiteral("--db"), QStringLiteral("host=127.0.0.1 port=1")} + args);
        CHECK_EXIT(r, 2);
        QVERIFY2(r.err.startsWith("eventium: "), qPrintable(r.describe()));
        QCOMPARE(r.err.count('\n'), 1); // one line
        QVERIFY(r.out.isEmpty());
    }

    // ------------------------------------------------------------ migrate

    void migrateCreatesAndIsIdempotent()
    {
        Run r = cli({QStringLiteral("migrate")});
        CHECK_EXIT(r, 0);
        const int version = r.object().value(QStringLiteral("version")).toInt();
        QVERIFY(version >= 1);
        QCOMPARE(r.object().value(QStringLiteral("schema")).toString(), m_schema);
        r = cli({QStringLiteral("migrate")});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.object().value(QStringLiteral("version")).toInt(), version);
    }

    // ------------------------------------------------------------ append and read

    void appendOneEventAndReadIt()
    {
        const QString id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        Run r = cli({QStringLiteral("append"), QStringLiteral("order-1"), QStringLiteral("--type"),
                     QStringLiteral("OrderPlaced"), QStringLiteral("--data"),
                     QStringLiteral("{\"total\": 12.5}"), QStringLiteral("--metadata"),
                     QStringLiteral("{\"user\": \"ann\"}"), QStringLiteral("--id"), id});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.out.count('\n'), 1);
        QJsonObject result = r.object();
        QCOMPARE(result.value(QStringLiteral("stream")).toString(), QStringLiteral("order-1"));
        QCOMPARE(result.value(QStringLiteral("firstVersion")).toInt(), 1);
        QCOMPARE(result.value(QStringLiteral("lastVersion")).toInt(), 1);
        QCOMPARE(result.value(QStringLiteral("ids")).toArray(), QJsonArray {id});
        QCOMPARE(result.value(QStringLiteral("status")).toString(), QStringLiteral("appended"));

        r = cli({QStringLiteral("read"), QStringLiteral("order-1")});
        CHECK_EXIT(r, 0);
        const QList<QJsonObject> events = r.lines();
        QCOMPARE(events.size(), 1);
        const QJsonObject e = events.first();
        QCOMPARE(e.value(QStringLiteral("position")).toInt(), 1); // numbered before append exited
        QCOMPARE(e.value(QStringLiteral("stream")).toString(), QStringLiteral("order-1"));
        QCOMPARE(e.value(QStringLiteral("version")).toInt(), 1);
        QCOMPARE(e.value(QStringLiteral("id")).toString(), id);
        QCOMPARE(e.value(QStringLiteral("type")).toString(), QStringLiteral("OrderPlaced"));
        // data and metadata are embedded JSON, not strings
        QVERIFY(e.value(QStringLiteral("data")).isObject());
        QCOMPARE(
            e.value(QStringLiteral("data")).toObject().value(QStringLiteral("total")).toDouble(),
            12.5);
        QCOMPARE(
            e.value(QStringLiteral("metadata")).toObject().value(QStringLiteral("user")).toString(),
            QStringLiteral("ann"));
        const QString created = e.value(QStringLiteral("created")).toString();
        QVERIFY2(created.endsWith(QLatin1Char('Z')), qPrintable(created));
        const QDateTime when = QDateTime::fromString(created, Qt::ISODateWithMs);
        QVERIFY(when.isValid());
        QVERIFY(qAbs(when.secsTo(QDateTime::currentDateTimeUtc())) < 300);

        // The same id again: an idempotent retry.
        r = cli({QStringLiteral("append"), QStringLiteral("order-1"), QStringLiteral("--type"),
                 QStringLiteral("OrderPlaced"), QStringLiteral("--data"),
                 QStringLiteral("{\"total\": 12.5}"), QStringLiteral("--id"), id});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.object().value(QStringLiteral("status")).toString(),
                 QStringLiteral("already-appended"));
        QCOMPARE(cli({QStringLiteral("read"), QStringLiteral("order-1")}).lines().size(), 1);
        // ... but not with an expectation that never held for it: a wrong expected version.
        r = cli({QStringLiteral("append"), QStringLiteral("order-1"), QStringLiteral("--type"),
                 QStringLiteral("OrderPlaced"), QStringLiteral("--data"),
                 QStringLiteral("{\"total\": 12.5}"), QStringLiteral("--id"), id,
                 QStringLiteral("--expected"), QStringLiteral("7")});
        CHECK_EXIT(r, 3);
        QCOMPARE(cli({QStringLiteral("read"), QStringLiteral("order-1")}).lines().size(), 1);
    }

    void schemaIsCreatedOnFirstUseAndSaidOnlyWhenVerbose()
    {
        Run r = cli({QStringLiteral("stats")});
        CHECK_EXIT(r, 0);
        QVERIFY2(r.err.isEmpty(), r.err.constData());
        QCOMPARE(r.object().value(QStringLiteral("events")).toInt(), 0);

        m_schema = TestDatabase::uniqueSchema(QStringLiteral("cli"));
        r = cli({QStringLiteral("--verbose"), QStringLiteral("append"), QStringLiteral("s"),
                 QStringLiteral("--type"), QStringLiteral("T"), QStringLiteral("--data"),
                 QStringLiteral("{}")});
        CHECK_EXIT(r, 0);
        QVERIFY2(r.err.contains("does not exist yet"), r.err.constData());
    }

    void schemaFromEnvironment()
    {
        QProcessEnvironment env = baseEnvironment();
        env.insert(QStringLiteral("EVENTIUM_SCHEMA"), m_schema);
        const QStringList dbOnly {QStringLiteral("--db"), TestDatabase::options().toConnInfo()};
        Run r = runCli(dbOnly
                           + QStringList {QStringLiteral("append"), QStringLiteral("envs"),
                                          QStringLiteral("--type"), QStringLiteral("T"),
                                          QStringLiteral("--data"), QStringLiteral("{}")},
                       {}, env);
        CHECK_EXIT(r, 0);
        QCOMPARE(cli({QStringLiteral("read"), QStringLiteral("envs")}).lines().size(), 1);
    }

    void wrongExpectedVersionExitsThree()
    {
        const QStringList ev {QStringLiteral("--type"), QStringLiteral("T"),
                              QStringLiteral("--data"), QStringLiteral("{}")};
        const QString s = QStringLiteral("acct");
        Run r = cli(QStringList {QStringLiteral("append"), s, QStringLiteral("--expected"),
                                 QStringLiteral("exists")}
                    + ev);
        CHECK_EXIT(r, 3);
        QVERIFY2(r.err.startsWith("eventium: ") && r.err.contains("does not exist"),
                 r.err.constData());
        QVERIFY(r.out.isEmpty());
        CHECK_EXIT(cli(QStringList {QStringLiteral("append"), s, QStringLiteral("--expected"),
                                    QStringLiteral("no-stream")}
                       + ev),
                   0);
        CHECK_EXIT(cli(QStringList {QStringLiteral("append"), s, QStringLiteral("--expected"),
                                    QStringLiteral("no-stream")}
                       + ev),
                   3);
        r = cli(QStringList {QStringLiteral("append"), s, QStringLiteral("--expected"),
                             QStringLiteral("5")}
                + ev);
        CHECK_EXIT(r, 3);
        QVERIFY2(r.err.contains("version 1"), r.err.constData());
        CHECK_EXIT(cli(QStringList {QStringLiteral("append"), s, QStringLiteral("--expected"),
                                    QStringLiteral("1")}
                       + ev),
                   0);
        CHECK_EXIT(cli(QStringList {QStringLiteral("append"), s, QStringLiteral("--expected"),
                                    QStringLiteral("exists")}
                       + ev),
                   0);
        // Nothing was written by the failures.
        QCOMPARE(cli({QStringLiteral("read"), s}).lines().size(), 3);
        // A batch from stdin honours --expected too.
        r = cli({QStringLiteral("append"), s, QStringLiteral("-"), QStringLiteral("--expected"),
                 QStringLiteral("2")},
                "{\"type\":\"T\",\"data\":{}}\n");
        CHECK_EXIT(r, 3);
    }

    void stdinBatchIsAtomic()
    {
        const QByteArray good = "{\"type\":\"A\",\"data\":{\"n\":1}}\n"
                                "\n"
                                "{\"type\":\"B\",\"data\":[1,2,3],\"metadata\":{\"by\":\"x\"}}\r\n"
                                "{\"data\":\"text\",\"type\":\"C\",\"metadata\":null,\"id\":"
                                "\"6f1c3a2e-1111-4222-8333-944455556666\"}\n";
        // One bad line: nothing written.
        Run r = cli({QStringLiteral("append"), QStringLiteral("batch"), QStringLiteral("-")},
                    good + "{\"type\":\"D\",\"data\":{oops}}\n");
        CHECK_EXIT(r, 4);
        QVERIFY2(r.err.contains("line 5"), r.err.constData());
        QVERIFY(cli({QStringLiteral("read"), QStringLiteral("batch")}).lines().isEmpty());
        QVERIFY(cli({QStringLiteral("streams")}).lines().isEmpty());
        // A line the store refuses (here: an empty type) fails the whole batch as well.
        r = cli({QStringLiteral("append"), QStringLiteral("batch"), QStringLiteral("-")},
                good + "{\"type\":\"\",\"data\":{}}\n");
        CHECK_EXIT(r, 4);
        QVERIFY(cli({QStringLiteral("read"), QStringLiteral("batch")}).lines().isEmpty());

        r = cli({QStringLiteral("append"), QStringLiteral("batch"), QStringLiteral("-")}, good);
        CHECK_EXIT(r, 0);
        QJsonObject result = r.object();
        QCOMPARE(result.value(QStringLiteral("firstVersion")).toInt(), 1);
        QCOMPARE(result.value(QStringLiteral("lastVersion")).toInt(), 3);
        QCOMPARE(result.value(QStringLiteral("ids")).toArray().size(), 3);
        QCOMPARE(result.value(QStringLiteral("ids")).toArray().at(2).toString(),
                 QStringLiteral("6f1c3a2e-1111-4222-8333-944455556666"));

        const QList<QJsonObject> events
            = cli({QStringLiteral("read"), QStringLiteral("batch")}).lines();
        QCOMPARE(events.size(), 3);
        QCOMPARE(events.at(0).value(QStringLiteral("type")).toString(), QStringLiteral("A"));
        QCOMPARE(events.at(1).value(QStringLiteral("data")).toArray(), (QJsonArray {1, 2, 3}));
        QCOMPARE(events.at(1)
                     .value(QStringLiteral("metadata"))
                     .toObject()
                     .value(QStringLiteral("by"))
                     .toString(),
                 QStringLiteral("x"));
        QCOMPARE(events.at(2).value(QStringLiteral("data")).toString(), QStringLiteral("text"));
        QVERIFY(events.at(2).value(QStringLiteral("metadata")).isNull());
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(events.at(i).value(QStringLiteral("version")).toInt(), i + 1);
            QCOMPARE(events.at(i).value(QStringLiteral("position")).toInt(), i + 1);
        }
        // `read` output can be piped back in (extra members are ignored); fresh ids needed.
        QByteArray piped;
        for (QJsonObject e : events) {
            e.remove(QStringLiteral("id"));
            piped += QJsonDocument(e).toJson(QJsonDocument::Compact) + '\n';
        }
        CHECK_EXIT(
            cli({QStringLiteral("append"), QStringLiteral("copy"), QStringLiteral("-")}, piped), 0);
        QCOMPARE(cli({QStringLiteral("read"), QStringLiteral("copy")}).lines().size(), 3);
    }

    void bigIntegersKeepTheirDigits()
    {
        const QByteArray big = "123456789012345678901234567890";
        const QByteArray i64 = "9223372036854775807";
        const QByteArray u64 = "18446744073709551617";
        const QByteArray data = "{\"big\": " + big + ", \"i64\": " + i64 + ", \"neg\": -" + u64
            + ", \"list\": [" + u64 + "]}";
        const QByteArray meta = "{\"trace\": " + big + "}";
        Run r = cli({QStringLiteral("append"), QStringLiteral("nums"), QStringLiteral("-")},
                    "{\"type\":\"N\",\"data\":" + data + ",\"metadata\":" + meta + "}\n");
        CHECK_EXIT(r, 0);
        r = cli({QStringLiteral("append"), QStringLiteral("nums"), QStringLiteral("--type"),
                 QStringLiteral("N"), QStringLiteral("--data"), QString::fromUtf8(data)});
        CHECK_EXIT(r, 0);

        for (const QStringList &args :
             {QStringList {QStringLiteral("read"), QStringLiteral("nums")},
              QStringList {QStringLiteral("tail")}}) {
            r = cli(args);
            CHECK_EXIT(r, 0);
            const QList<QByteArray> lines = r.out.trimmed().split('\n');
            QCOMPARE(lines.size(), 2);
            for (const QByteArray &line : lines) {
                QVERIFY2(line.contains("\"big\": " + big), line.constData());
                QVERIFY2(line.contains("\"i64\": " + i64), line.constData());
                QVERIFY2(line.contains("\"neg\": -" + u64), line.constData());
                QVERIFY2(line.contains("[" + u64 + "]"), line.constData());
                QVERIFY(!QJsonDocument::fromJson(line).isNull()); // still valid JSON
            }
            QVERIFY2(lines.first().contains("\"trace\": " + big), lines.first().constData());
        }
    }

    void badInputExitsFour_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("message");
        const QStringList stdinAppend {"append", "s", "-"};
        QTest::newRow("invalid --data")
            << QStringList {"append", "s", "--type", "T", "--data", "{nope"} << QByteArray()
            << QByteArray("JSON");
        QTest::newRow("invalid --metadata")
            << QStringList {"append", "s", "--type", "T", "--data", "{}", "--metadata", "[1,"}
            << QByteArray() << QByteArray("metadata");
        QTest::newRow("bad --id") << QStringList {"append", "s",  "--type", "T",
                                                  "--data", "{}", "--id",   "12"}
                                  << QByteArray() << QByteArray("UUID");
        QTest::newRow("bad stream name")
            << QStringList {"append", "a\tb", "--type", "T", "--data", "{}"} << QByteArray()
            << QByteArray("control");
        QTest::newRow("empty stream name")
            << QStringList {"read", ""} << QByteArray() << QByteArray("empty");
        QTest::newRow("bad schema name") << QStringList {"--schema", "Robert'); DROP", "stats"}
                                         << QByteArray() << QByteArray("schema");
        QTest::newRow("not JSON on stdin")
            << stdinAppend << QByteArray("hello\n") << QByteArray("line 1");
        QTest::newRow("not an object")
            << stdinAppend << QByteArray("[1]\n") << QByteArray("object");
        QTest::newRow("no type") << stdinAppend << QByteArray("{\"data\":{}}\n")
                                 << QByteArray("type");
        QTest::newRow("no data") << stdinAppend << QByteArray("{\"type\":\"T\"}\n")
                                 << QByteArray("data");
        QTest::newRow("bad id on stdin")
            << stdinAppend << QByteArray("{\"type\":\"T\",\"data\":{},\"id\":\"x\"}\n")
            << QByteArray("UUID");
        // The literal's own length (a NUL inside ends it for strlen), without the terminator.
        static constexpr char nul[] = "{\"type\":\"T\",\"data\":{\"a\":\"x\0y\"}}\n";
        QTest::newRow("NUL byte") << stdinAppend << QByteArray(nul, sizeof nul - 1)
                                  << QByteArray("NUL");
        QTest::newRow("escaped NUL")
            << stdinAppend << QByteArray("{\"type\":\"T\",\"data\":{\"a\":\"\\u0000\"}}\n")
            << QByteArray("u0000");
        QTest::newRow("empty stdin")
            << stdinAppend << QByteArray("\n\n") << QByteArray("no events");
        // One nesting limit (512) on every path, with the same message.
        const QByteArray deep = QByteArray(600, '[') + QByteArray(600, ']');
        QTest::newRow("deep --data")
            << QStringList {"append", "s", "--type", "T", "--data", QString::fromLatin1(deep)}
            << QByteArray() << QByteArray("deeper than 512");
        QTest::newRow("deep on stdin")
            << stdinAppend << ("{\"type\":\"T\",\"data\":" + deep + "}\n")
            << QByteArray("deeper than 512");
        const QByteArray deeper = QByteArray(5000, '[') + QByteArray(5000, ']');
        QTest::newRow("deeper on stdin")
            << stdinAppend << ("{\"type\":\"T\",\"data\":" + deeper + "}\n")
            << QByteArray("deeper than 512");
        QTest::newRow("C1 control in a stream name")
            << QStringList {"append", QStringLiteral("a\u0085b"), "--type", "T", "--data", "{}"}
            << QByteArray() << QByteArray("control");
        QTest::newRow("payload too large")
            << stdinAppend
            << ("{\"type\":\"T\",\"data\":{\"s\":\"" + QByteArray(9 * 1024 * 1024, 'x') + "\"}}\n")
            << QByteArray("too large");
    }

    void badInputExitsFour()
    {
        QFETCH(QStringList, args);
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, message);
        if (QTest::currentDataTag() == QByteArrayLiteral("NUL byte")) {
            QVERIFY(input.contains('\0'));
            QVERIFY(input.endsWith("}}\n"));
        }
        const Run r = cli(args, input);
        CHECK_EXIT(r, 4);
        QVERIFY2(r.err.startsWith("eventium: ") && r.err.contains(message),
                 qPrintable(r.describe()));
        QCOMPARE(r.err.count('\n'), 1);
        QVERIFY(r.out.isEmpty());
        QVERIFY(cli({QStringLiteral("streams")}).lines().isEmpty());
    }

    void readOptions()
    {
        QByteArray batch;
        for (int i = 1; i <= 5; ++i)
            batch += QStringLiteral("{\"type\":\"T\",\"data\":{\"i\":%1}}\n").arg(i).toUtf8();
        CHECK_EXIT(cli({QStringLiteral("append"), QStringLiteral("r"), QStringLiteral("-")}, batch),
                   0);
        auto versions = [this](const QStringList &args) {
            QList<int> out;
            const Run r = cli(QStringList {QStringLiteral("read"), QStringLiteral("r")} + args);
            if (r.code != 0)
                qWarning() << r.describe();
            for (const QJsonObject &e : r.lines())
                out << e.value(QStringLiteral("version")).toInt();
            return out;
        };
        QCOMPARE(versions({}), (QList<int> {1, 2, 3, 4, 5}));
        QCOMPARE(versions({QStringLiteral("--from"), QStringLiteral("2"), QStringLiteral("--limit"),
                           QStringLiteral("2")}),
                 (QList<int> {2, 3}));
        QCOMPARE(versions({QStringLiteral("--backward")}), (QList<int> {5, 4, 3, 2, 1}));
        QCOMPARE(versions({QStringLiteral("--backward"), QStringLiteral("--from=3"),
                           QStringLiteral("--limit=2")}),
                 (QList<int> {3, 2}));
        QCOMPARE(versions({QStringLiteral("--from"), QStringLiteral("9")}), QList<int> {});
        // "From the end" has its own spelling; backward from 0 is before the first event.
        QCOMPARE(versions({QStringLiteral("--backward"), QStringLiteral("--from"),
                           QStringLiteral("end"), QStringLiteral("--limit=2")}),
                 (QList<int> {5, 4}));
        QCOMPARE(
            versions({QStringLiteral("--backward"), QStringLiteral("--from"), QStringLiteral("0")}),
            QList<int> {});
        CHECK_EXIT(cli({QStringLiteral("read"), QStringLiteral("r"), QStringLiteral("--from"),
                        QStringLiteral("start")}),
                   2);
        const Run missing = cli({QStringLiteral("read"), QStringLiteral("no-such-stream")});
        CHECK_EXIT(missing, 0);
        QVERIFY(missing.out.isEmpty());

        // stream-info tells a missing stream from an empty read.
        Run info = cli({QStringLiteral("stream-info"), QStringLiteral("no-such-stream")});
        CHECK_EXIT(info, 0);
        QCOMPARE(info.object().value(QStringLiteral("exists")), QJsonValue(false));
        QCOMPARE(info.object().value(QStringLiteral("name")).toString(),
                 QStringLiteral("no-such-stream"));
        info = cli({QStringLiteral("stream-info"), QStringLiteral("r")});
        CHECK_EXIT(info, 0);
        QCOMPARE(info.object().value(QStringLiteral("exists")), QJsonValue(true));
        QCOMPARE(info.object().value(QStringLiteral("version")).toInt(), 5);
        QVERIFY(
            info.object().value(QStringLiteral("updated")).toString().endsWith(QLatin1Char('Z')));
        CHECK_EXIT(cli({QStringLiteral("stream-info")}), 2);
    }

    // Arguments that are not UTF-8 are refused (exit 4), not stored with U+FFFD in them.
    void argumentsMustBeUtf8()
    {
        const QString script = QStringLiteral(
            "exec \"$0\" --db \"$1\" --schema \"$2\" append \"$(printf 'c-\\377\\376')\" "
            "--type T --data '{}'");
        QProcess p;
        p.setProcessEnvironment(baseEnvironment());
        p.start(QStringLiteral("/bin/sh"),
                {QStringLiteral("-c"), script, QStringLiteral(EVENTIUM_CLI_PATH),
                 TestDatabase::options().toConnInfo(), m_schema});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 4);
        QVERIFY2(p.readAllStandardError().contains("not valid UTF-8"), "no message");
        const Run streams = cli({QStringLiteral("streams")});
        CHECK_EXIT(streams, 0);
        QVERIFY2(streams.out.isEmpty(), streams.out.constData());
    }

    void streamsCommand()
    {
        appendOne(QStringLiteral("b-1"), QStringLiteral("T"), QStringLiteral("{}"));
        appendOne(QStringLiteral("a-2"), QStringLiteral("T"), QStringLiteral("{}"));
        appendOne(QStringLiteral("a-1"), QStringLiteral("T"), QStringLiteral("{}"));
        appendOne(QStringLiteral("a-1"), QStringLiteral("T"), QStringLiteral("{}"));
        auto names = [this](const QStringList &args) {
            QStringList out;
            const Run r = cli(QStringList {QStringLiteral("streams")} + args);
            if (r.code != 0)
                qWarning() << r.describe();
            for (const QJsonObject &s : r.lines())
                out << s.value(QStringLiteral("name")).toString();
            return out;
        };
        QCOMPARE(names({}), (QStringList {"a-1", "a-2", "b-1"}));
        QCOMPARE(names({QStringLiteral("--prefix"), QStringLiteral("a-")}),
                 (QStringList {"a-1", "a-2"}));
        QCOMPARE(names({QStringLiteral("--limit"), QStringLiteral("2")}),
                 (QStringList {"a-1", "a-2"}));
        QCOMPARE(names({QStringLiteral("--order"), QStringLiteral("recent")}),
                 (QStringList {"a-1", "a-2", "b-1"}));
        QCOMPARE(names({QStringLiteral("--order"), QStringLiteral("recent"),
                        QStringLiteral("--limit"), QStringLiteral("1")}),
                 (QStringList {"a-1"}));
        appendOne(QStringLiteral("b-1"), QStringLiteral("T"), QStringLiteral("{}"));
        QCOMPARE(names({QStringLiteral("--order"), QStringLiteral("recent")}),
                 (QStringList {"b-1", "a-1", "a-2"}));

        const QJsonObject a1
            = cli({QStringLiteral("streams"), QStringLiteral("--limit"), QStringLiteral("1")})
                  .lines()
                  .value(0);
        QCOMPARE(a1.value(QStringLiteral("version")).toInt(), 2);
        QVERIFY(a1.value(QStringLiteral("created")).toString().endsWith(QLatin1Char('Z')));
        QVERIFY(a1.value(QStringLiteral("updated")).toString()
                >= a1.value(QStringLiteral("created")).toString());
    }

    // erase: the data goes, the event stays; again says so; unknown or bad ids exit 4.
    // diff: two events, or one and the previous of its type in its stream, path by path.
    void diffCommand()
    {
        const QString first = appendOne(QStringLiteral("cart-1"), QStringLiteral("Priced"),
                                        QStringLiteral("{\"amount\": 10, \"sku\": \"A\"}"));
        appendOne(QStringLiteral("cart-1"), QStringLiteral("Viewed"), QStringLiteral("{}"));
        const QString third
            = appendOne(QStringLiteral("cart-1"), QStringLiteral("Priced"),
                        QStringLiteral("{\"amount\": 12, \"tags\": [\"x\"], \"sku\": \"A\"}"));
        QVERIFY(!first.isEmpty() && !third.isEmpty());
        const auto describe = [](const Run &r) {
            QStringList out;
            for (const QJsonObject &o : r.lines())
                out << QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
            return out;
        };
        Run r = cli({QStringLiteral("diff"), third});
        CHECK_EXIT(r, 0);
        QCOMPARE(describe(r),
                 QStringList(
                     {QStringLiteral("{\"after\":12,\"before\":10,\"change\":\"changed\",\"part\":"
                                     "\"payload\",\"path\":\"$.amount\"}"),
                      QStringLiteral("{\"after\":[\"x\"],\"change\":\"added\",\"part\":\"payload\","
                                     "\"path\":\"$.tags\"}")}));
        // Two ids: the first is "before".
        r = cli({QStringLiteral("diff"), third, first});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.lines().size(), 2);
        QCOMPARE(r.lines().at(1).value(QStringLiteral("change")).toString(),
                 QStringLiteral("removed"));
        // The same event twice: nothing.
        r = cli({QStringLiteral("diff"), first, first});
        CHECK_EXIT(r, 0);
        QVERIFY(r.out.isEmpty());
        // The first of its type has nothing before it; unknown ids and bad arguments.
        r = cli({QStringLiteral("diff"), first});
        CHECK_EXIT(r, 4);
        QVERIFY2(r.err.contains("first \"Priced\" event"), qPrintable(r.describe()));
        CHECK_EXIT(
            cli({QStringLiteral("diff"), QUuid::createUuid().toString(QUuid::WithoutBraces)}), 4);
        CHECK_EXIT(cli({QStringLiteral("diff"), QStringLiteral("not-a-uuid")}), 4);
        CHECK_EXIT(cli({QStringLiteral("diff")}), 2);
        CHECK_EXIT(cli({QStringLiteral("diff"), first, first, first}), 2);
    }

    // related: the correlation in global order, then the causation tree with depth and cause;
    // the lines read back into append; limits, unknown ids and bad arguments.
    void relatedCommand()
    {
        const QString root = QUuid::createUuid().toString(QUuid::WithoutBraces);
        const QString child = QUuid::createUuid().toString(QUuid::WithoutBraces);
        const QByteArray input
            = QStringLiteral("{\"stream\": \"order-1\", \"id\": \"%1\", \"type\": \"Placed\", "
                             "\"data\": {}, \"metadata\": {\"correlationId\": \"p-1\"}}\n"
                             "{\"stream\": \"order-1\", \"type\": \"Noise\", \"data\": {}}\n")
                  .arg(root)
                  .toUtf8();
        CHECK_EXIT(cli({QStringLiteral("import"), QStringLiteral("-")}, input), 0);
        const QByteArray second
            = QStringLiteral("{\"id\": \"%1\", \"type\": \"Paid\", \"data\": {}, "
                             "\"metadata\": {\"$correlationId\": \"p-1\", \"causationId\": "
                             "\"%2\"}}\n")
                  .arg(child, root)
                  .toUtf8();
        CHECK_EXIT(cli({QStringLiteral("append"), QStringLiteral("payment-1"), QStringLiteral("-")},
                       second),
                   0);
        Run r = cli({QStringLiteral("related"), child});
        CHECK_EXIT(r, 0);
        const QList<QJsonObject> lines = r.lines();
        QCOMPARE(lines.size(), 4);
        QStringList shape;
        for (const QJsonObject &o : lines)
            shape << QStringLiteral("%1 %2 %3 %4")
                         .arg(o.value(QStringLiteral("relation")).toString(),
                              o.value(QStringLiteral("type")).toString(),
                              o.value(QStringLiteral("stream")).toString())
                         .arg(o.value(QStringLiteral("depth")).toInt(-1));
        QCOMPARE(shape,
                 QStringList({"correlation Placed order-1 -1", "correlation Paid payment-1 -1",
                              "causation Placed order-1 0", "causation Paid payment-1 1"}));
        QCOMPARE(lines.at(3).value(QStringLiteral("caused_by")).toString(), root);
        QVERIFY(!lines.at(2).contains(QStringLiteral("caused_by")));
        QVERIFY(lines.at(0).value(QStringLiteral("position")).toInteger()
                < lines.at(1).value(QStringLiteral("position")).toInteger());

        r = cli({QStringLiteral("related"), root, QStringLiteral("--tree")});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.lines().size(), 2);
        r = cli(
            {QStringLiteral("related"), QStringLiteral("--correlation"), QStringLiteral("p-1")});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.lines().size(), 2);
        // Cut at the limit, and said so.
        r = cli({QStringLiteral("related"), child, QStringLiteral("--limit"), QStringLiteral("1")});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.lines().size(), 2);
        QVERIFY2(r.err.contains("more than 1 events have the correlation id"),
                 qPrintable(r.describe()));
        QVERIFY2(r.err.contains("more than 1 events are in the causation tree"),
                 qPrintable(r.describe()));
        // Its lines read back in: the whole process copied to another stream with new ids.
        r = cli({QStringLiteral("related"), child, QStringLiteral("--tree")});
        CHECK_EXIT(cli({QStringLiteral("append"), QStringLiteral("copy-1"), QStringLiteral("-"),
                        QStringLiteral("--ids"), QStringLiteral("new")},
                       r.out),
                   0);

        CHECK_EXIT(
            cli({QStringLiteral("related"), QUuid::createUuid().toString(QUuid::WithoutBraces)}),
            4);
        CHECK_EXIT(cli({QStringLiteral("related"), QStringLiteral("not-a-uuid")}), 4);
        CHECK_EXIT(cli({QStringLiteral("related")}), 2);
        CHECK_EXIT(
            cli({QStringLiteral("related"), root, QStringLiteral("--limit"), QStringLiteral("0")}),
            2);
        CHECK_EXIT(cli({QStringLiteral("related"), root, QStringLiteral("--correlation"),
                        QStringLiteral("p-1")}),
                   2);
    }

    // The bank's account projection, by the stream's category.
    void stateCommand()
    {
        const QString stream = QStringLiteral("account-ann");
        appendOne(stream, QStringLiteral("AccountOpened"),
                  QStringLiteral("{\"accountId\":\"ann\",\"owner\":\"Ann\",\"currency\":\"EUR\"}"));
        appendOne(stream, QStringLiteral("MoneyDeposited"), QStringLiteral("{\"amount\":5000}"));
        appendOne(stream, QStringLiteral("Noted"), QStringLiteral("{\"text\":\"hi\"}"));
        appendOne(stream, QStringLiteral("MoneyWithdrawn"), QStringLiteral("{\"amount\":1200}"));

        Run r = cli({QStringLiteral("state"), stream});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.lines().size(), 1);
        QJsonObject o = r.object();
        QCOMPARE(o.value(QStringLiteral("stream")).toString(), stream);
        QCOMPARE(o.value(QStringLiteral("category")).toString(), QStringLiteral("account"));
        QCOMPARE(o.value(QStringLiteral("projection")).toString(), QStringLiteral("bank.account"));
        QCOMPARE(o.value(QStringLiteral("version")).toInt(), 4);
        QJsonObject state = o.value(QStringLiteral("state")).toObject();
        QCOMPARE(state.value(QStringLiteral("owner")).toString(), QStringLiteral("Ann"));
        QCOMPARE(state.value(QStringLiteral("balance")).toInt(), 3800);
        QCOMPARE(state.value(QStringLiteral("transactions")).toInt(), 2);

        r = cli(
            {QStringLiteral("state"), stream, QStringLiteral("--version"), QStringLiteral("2")});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.object().value(QStringLiteral("version")).toInt(), 2);
        QCOMPARE(r.object()
                     .value(QStringLiteral("state"))
                     .toObject()
                     .value(QStringLiteral("balance"))
                     .toInt(),
                 5000);
        r = cli(
            {QStringLiteral("state"), stream, QStringLiteral("--version"), QStringLiteral("1")});
        QCOMPARE(r.object()
                     .value(QStringLiteral("state"))
                     .toObject()
                     .value(QStringLiteral("balance"))
                     .toInt(),
                 0);

        // Past the end, no events, a category without projection, bad arguments.
        r = cli(
            {QStringLiteral("state"), stream, QStringLiteral("--version"), QStringLiteral("5")});
        CHECK_EXIT(r, 4);
        QVERIFY2(r.err.contains("ends at version 4"), qPrintable(r.describe()));
        r = cli({QStringLiteral("state"), QStringLiteral("account-nobody")});
        CHECK_EXIT(r, 4);
        QVERIFY2(r.err.contains("has no events"), qPrintable(r.describe()));
        appendOne(QStringLiteral("cart-1"), QStringLiteral("Added"), QStringLiteral("{}"));
        r = cli({QStringLiteral("state"), QStringLiteral("cart-1")});
        CHECK_EXIT(r, 7);
        QVERIFY2(r.err.contains("no projection registered for category \"cart\""),
                 qPrintable(r.describe()));
        QVERIFY(r.out.isEmpty());
        r = cli({QStringLiteral("state"), QStringLiteral("plain")});
        CHECK_EXIT(r, 7);
        QVERIFY2(r.err.contains("no category"), qPrintable(r.describe()));
        CHECK_EXIT(cli({QStringLiteral("state")}), 2);
        CHECK_EXIT(cli({QStringLiteral("state"), stream, QStringLiteral("--version"),
                        QStringLiteral("0")}),
                   2);
        // A payload the projection cannot read.
        appendOne(stream, QStringLiteral("MoneyDeposited"), QStringLiteral("{\"amount\":\"x\"}"));
        r = cli({QStringLiteral("state"), stream});
        CHECK_EXIT(r, 4);
        QVERIFY2(r.err.contains("does not decode"), qPrintable(r.describe()));
        QVERIFY(runCli({QStringLiteral("--help")}).out.contains("  state "));
    }

    void eraseCommand()
    {
        appendOne(QStringLiteral("person-1"), QStringLiteral("Noted"),
                  QStringLiteral("{\"email\": \"ann@example.org\"}"));
        const QString id = appendOne(QStringLiteral("person-1"), QStringLiteral("Noted"),
                                     QStringLiteral("{\"email\": \"ann@example.org\"}"));
        QVERIFY(!id.isEmpty());
        Run r = cli({QStringLiteral("erase"), id, QStringLiteral("--by"), QStringLiteral("dpo"),
                     QStringLiteral("--reason"), QStringLiteral("request 17")});
        CHECK_EXIT(r, 0);
        QJsonObject o = r.object();
        QCOMPARE(o.value(QStringLiteral("id")).toString(), id);
        QCOMPARE(o.value(QStringLiteral("status")).toString(), QStringLiteral("erased"));
        const QString when = o.value(QStringLiteral("erased")).toString();
        QVERIFY(when.endsWith(QLatin1Char('Z')));

        r = cli({QStringLiteral("read"), QStringLiteral("person-1")});
        CHECK_EXIT(r, 0);
        const QList<QJsonObject> lines = r.lines();
        QCOMPARE(lines.size(), 2);
        QVERIFY(!lines.at(0).contains(QStringLiteral("erased")));
        QCOMPARE(
            lines.at(0).value(QStringLiteral("data")).toObject().value(QStringLiteral("email")),
            QJsonValue(QStringLiteral("ann@example.org")));
        QCOMPARE(lines.at(1).value(QStringLiteral("id")).toString(), id);
        QCOMPARE(lines.at(1).value(QStringLiteral("version")).toInt(), 2);
        QCOMPARE(lines.at(1).value(QStringLiteral("data")).toObject(), QJsonObject());
        QCOMPARE(lines.at(1).value(QStringLiteral("erased")).toString(), when);

        r = cli({QStringLiteral("erase"), id});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.object().value(QStringLiteral("status")).toString(),
                 QStringLiteral("already erased"));
        QCOMPARE(r.object().value(QStringLiteral("erased")).toString(), when);
        r = cli({QStringLiteral("erase"), QUuid::createUuid().toString(QUuid::WithoutBraces)});
        CHECK_EXIT(r, 4);
        QVERIFY2(r.err.contains("no event has the id"), qPrintable(r.describe()));
        CHECK_EXIT(cli({QStringLiteral("erase"), QStringLiteral("not-a-uuid")}), 4);
        CHECK_EXIT(cli({QStringLiteral("erase")}), 2);
    }

    // delete, truncate, metadata, scavenge and what read, streams, stream-info and tail say
    // after them.
    void streamLifeCommands()
    {
        auto lines = [this](const QStringList &args) {
            Run r = cli(args);
            return r.code == 0 ? r.lines() : QList<QJsonObject>();
        };
        for (int i = 0; i < 5; ++i)
            appendOne(QStringLiteral("life-1"), QStringLiteral("T"), QStringLiteral("{}"));
        appendOne(QStringLiteral("life-2"), QStringLiteral("T"), QStringLiteral("{}"));

        Run r = cli({QStringLiteral("truncate"), QStringLiteral("life-1"),
                     QStringLiteral("--before"), QStringLiteral("4")});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.object().value(QStringLiteral("first_visible")).toInt(), 4);
        QCOMPARE(lines({QStringLiteral("read"), QStringLiteral("life-1")}).size(), 2);
        QCOMPARE(lines({QStringLiteral("stream-info"), QStringLiteral("life-1")})
                     .first()
                     .value(QStringLiteral("first_visible"))
                     .toInt(),
                 4);
        CHECK_EXIT(cli({QStringLiteral("truncate"), QStringLiteral("life-1")}), 2);
        CHECK_EXIT(cli({QStringLiteral("truncate"), QStringLiteral("life-1"),
                        QStringLiteral("--before"), QStringLiteral("0")}),
                   2);
        CHECK_EXIT(cli({QStringLiteral("truncate"), QStringLiteral("nope"),
                        QStringLiteral("--before"), QStringLiteral("2")}),
                   4);

        r = cli({QStringLiteral("metadata"), QStringLiteral("life-1"),
                 QStringLiteral("--max-count"), QStringLiteral("1"), QStringLiteral("--max-age"),
                 QStringLiteral("30d")});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.object().value(QStringLiteral("max_count")).toInt(), 1);
        QCOMPARE(r.object().value(QStringLiteral("max_age_seconds")).toInt(), 30 * 86400);
        QCOMPARE(lines({QStringLiteral("read"), QStringLiteral("life-1")}).size(), 1);
        r = cli({QStringLiteral("metadata"), QStringLiteral("life-1"),
                 QStringLiteral("--max-count"), QStringLiteral("none")});
        CHECK_EXIT(r, 0);
        QVERIFY(r.object().value(QStringLiteral("max_count")).isNull());
        QCOMPARE(r.object().value(QStringLiteral("max_age_seconds")).toInt(), 30 * 86400);
        // stream-info shows what is set, and nothing for what is not.
        const QJsonObject info
            = lines({QStringLiteral("stream-info"), QStringLiteral("life-1")}).value(0);
        QCOMPARE(info.value(QStringLiteral("max_age_seconds")).toInt(), 30 * 86400);
        QVERIFY2(!info.contains(QStringLiteral("max_count")),
                 qPrintable(QJsonDocument(info).toJson(QJsonDocument::Compact)));
        CHECK_EXIT(cli({QStringLiteral("metadata"), QStringLiteral("life-1"),
                        QStringLiteral("--max-age"), QStringLiteral("soon")}),
                   2);

        // Wrong expectation: exit 3, nothing deleted.
        r = cli({QStringLiteral("delete"), QStringLiteral("life-1"), QStringLiteral("--expected"),
                 QStringLiteral("2")});
        CHECK_EXIT(r, 3);
        QVERIFY2(r.err.contains("it is at version 5"), qPrintable(r.describe()));
        r = cli({QStringLiteral("delete"), QStringLiteral("life-1"), QStringLiteral("--expected"),
                 QStringLiteral("5")});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.object().value(QStringLiteral("status")).toString(), QStringLiteral("deleted"));
        QCOMPARE(lines({QStringLiteral("read"), QStringLiteral("life-1")}).size(), 0);
        QCOMPARE(lines({QStringLiteral("stream-info"), QStringLiteral("life-1")})
                     .first()
                     .value(QStringLiteral("deleted"))
                     .toString(),
                 QStringLiteral("soft"));
        const QList<QJsonObject> listed = lines({QStringLiteral("streams")});
        QCOMPARE(listed.size(), 1);
        QCOMPARE(listed.first().value(QStringLiteral("name")).toString(), QStringLiteral("life-2"));
        // tail skips what readers cannot see; positions stay.
        const QList<QJsonObject> tail = lines({QStringLiteral("tail")});
        QCOMPARE(tail.size(), 1);
        QCOMPARE(tail.first().value(QStringLiteral("position")).toInt(), 6);

        r = cli({QStringLiteral("scavenge"), QStringLiteral("--batch"), QStringLiteral("2")});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.object().value(QStringLiteral("removed")).toInt(), 5);
        QVERIFY(r.object().contains(QStringLiteral("seconds")));
        CHECK_EXIT(
            cli({QStringLiteral("scavenge"), QStringLiteral("--batch"), QStringLiteral("0")}), 2);

        // Back with the next append, versions going on.
        appendOne(QStringLiteral("life-1"), QStringLiteral("T"), QStringLiteral("{}"));
        const QList<QJsonObject> back = lines({QStringLiteral("read"), QStringLiteral("life-1")});
        QCOMPARE(back.size(), 1);
        QCOMPARE(back.first().value(QStringLiteral("version")).toInt(), 6);

        // For good: reads and appends exit 6.
        r = cli({QStringLiteral("delete"), QStringLiteral("life-2"), QStringLiteral("--hard")});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.object().value(QStringLiteral("mode")).toString(), QStringLiteral("hard"));
        CHECK_EXIT(cli({QStringLiteral("read"), QStringLiteral("life-2")}), 6);
        r = cli({QStringLiteral("append"), QStringLiteral("life-2"), QStringLiteral("--type"),
                 QStringLiteral("T"), QStringLiteral("--data"), QStringLiteral("{}")});
        CHECK_EXIT(r, 6);
        QVERIFY2(r.err.contains("deleted for good"), qPrintable(r.describe()));
        r = cli({QStringLiteral("delete"), QStringLiteral("never")});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.object().value(QStringLiteral("status")).toString(),
                 QStringLiteral("not found"));
        CHECK_EXIT(cli({QStringLiteral("delete")}), 2);
    }

    // A schema an older eventium made is brought up to date by the next command (as the
    // browser does), not met with a missing column.
    void olderSchemaIsMigrated()
    {
        appendOne(QStringLiteral("old-1"), QStringLiteral("T"), QStringLiteral("{}"));
        // Back to version 7: what migrations 8 and later added, gone (append_events() as 0004
        // left it is not needed: nothing appends before the migration runs again). A new
        // migration adds its undoing here.
        const QString s = m_schema;
        for (const QString &sql :
             {QStringLiteral("DROP INDEX \"%1\".events_correlation_idx, "
                             "\"%1\".events_causation_idx"),
              QStringLiteral("DROP FUNCTION \"%1\".delete_stream(text, bigint, boolean)"),
              QStringLiteral("DROP FUNCTION \"%1\".truncate_stream(text, bigint)"),
              QStringLiteral("DROP FUNCTION \"%1\".scavenge_stream(bigint, int)"),
              QStringLiteral("ALTER TABLE \"%1\".streams DROP COLUMN first_visible, DROP COLUMN "
                             "deleted_at, DROP COLUMN tombstoned_at, DROP COLUMN max_count, DROP "
                             "COLUMN max_age, DROP COLUMN scavenged_below"),
              QStringLiteral("DELETE FROM \"%1\".schema_migrations WHERE version >= 8")}) {
            QString error;
            QVERIFY2(TestDatabase::execAdmin(sql.arg(s), &error), qPrintable(error));
        }
        Run r = cli({QStringLiteral("streams")});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.lines().size(), 1);
        r = cli({QStringLiteral("migrate")});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.object().value(QStringLiteral("version")).toInt(),
                 eventium::Store::latestSchemaVersion());
        r = cli({QStringLiteral("delete"), QStringLiteral("old-1")});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.object().value(QStringLiteral("status")).toString(), QStringLiteral("deleted"));
    }

    // search: every condition at once or alone, served by PostgreSQL, in global order.
    void searchCommand()
    {
        appendOne(QStringLiteral("account-20954837"), QStringLiteral("Opened"),
                  QStringLiteral("{\"customerId\": 42, \"name\": \"Ann\"}"));
        appendOne(QStringLiteral("order-7"), QStringLiteral("OrderPlaced"),
                  QStringLiteral("{\"customerId\": 42, \"items\": [{\"sku\": \"A-1\"}]}"));
        appendOne(QStringLiteral("order-8"), QStringLiteral("OrderPlaced"),
                  QStringLiteral("{\"customerId\": 7, \"items\": [{\"sku\": \"A-1\"}], "
                                 "\"note\": \"Fragile GLASS\"}"));
        auto streams = [this](const QStringList &args) {
            QStringList out;
            const Run r = cli(QStringList {QStringLiteral("search")} + args);
            if (r.code != 0)
                return QStringList {QString::fromUtf8(r.describe().toUtf8())};
            for (const QJsonObject &e : r.lines())
                out << e.value(QStringLiteral("stream")).toString();
            return out;
        };
        QCOMPARE(streams({QStringLiteral("--where"), QStringLiteral("customerId = 42")}),
                 QStringList({QStringLiteral("account-20954837"), QStringLiteral("order-7")}));
        QCOMPARE(streams({QStringLiteral("--where"), QStringLiteral("$.items[*].sku == \"A-1\""),
                          QStringLiteral("--type"), QStringLiteral("OrderPlaced")}),
                 QStringList({QStringLiteral("order-7"), QStringLiteral("order-8")}));
        QCOMPARE(streams({QStringLiteral("--stream-contains"), QStringLiteral("20954837")}),
                 QStringList({QStringLiteral("account-20954837")}));
        QCOMPARE(streams({QStringLiteral("--text"), QStringLiteral("glass")}),
                 QStringList({QStringLiteral("order-8")}));
        QCOMPARE(streams({QStringLiteral("--contains"), QStringLiteral("{\"customerId\": 7}")}),
                 QStringList({QStringLiteral("order-8")}));
        QCOMPARE(streams({QStringLiteral("--where"), QStringLiteral("customerId = 42"),
                          QStringLiteral("--limit"), QStringLiteral("1")}),
                 QStringList({QStringLiteral("account-20954837")}));
        QCOMPARE(streams({QStringLiteral("--where"), QStringLiteral("customerId = 42"),
                          QStringLiteral("--since"), QStringLiteral("2000-01-01T00:00:00Z"),
                          QStringLiteral("--until"), QStringLiteral("2000-01-02T00:00:00Z")}),
                 QStringList());

        // One stream (exactly: order-7, not order-77), in version order; --from is a version.
        appendOne(QStringLiteral("order-7"), QStringLiteral("OrderShipped"),
                  QStringLiteral("{\"customerId\": 42}"));
        appendOne(QStringLiteral("order-77"), QStringLiteral("OrderPlaced"),
                  QStringLiteral("{\"customerId\": 42}"));
        auto versions = [this](const QStringList &args) {
            QStringList out;
            const Run r = cli(QStringList {QStringLiteral("search")} + args);
            if (r.code != 0)
                return QStringList {QString::fromUtf8(r.describe().toUtf8())};
            for (const QJsonObject &e : r.lines())
                out << QStringLiteral("%1@%2")
                           .arg(e.value(QStringLiteral("stream")).toString())
                           .arg(e.value(QStringLiteral("version")).toInt());
            return out;
        };
        QCOMPARE(versions({QStringLiteral("--stream"), QStringLiteral("order-7"),
                           QStringLiteral("--where"), QStringLiteral("customerId = 42")}),
                 QStringList({QStringLiteral("order-7@1"), QStringLiteral("order-7@2")}));
        QCOMPARE(versions({QStringLiteral("--stream"), QStringLiteral("order-7"),
                           QStringLiteral("--where"), QStringLiteral("customerId = 42"),
                           QStringLiteral("--from"), QStringLiteral("2")}),
                 QStringList({QStringLiteral("order-7@2")}));
        QCOMPARE(versions({QStringLiteral("--stream"), QStringLiteral("order-7"),
                           QStringLiteral("--type"), QStringLiteral("OrderShipped")}),
                 QStringList({QStringLiteral("order-7@2")}));
        QCOMPARE(versions({QStringLiteral("--stream"), QStringLiteral("order-7"),
                           QStringLiteral("--limit"), QStringLiteral("1")}),
                 QStringList({QStringLiteral("order-7@1")}));
        QCOMPARE(versions({QStringLiteral("--stream"), QStringLiteral("nope"),
                           QStringLiteral("--text"), QStringLiteral("x")}),
                 QStringList());
        CHECK_EXIT(
            cli({QStringLiteral("search"), QStringLiteral("--stream"), QStringLiteral("order-7"),
                 QStringLiteral("--stream-contains"), QStringLiteral("7")}),
            2);
        CHECK_EXIT(cli({QStringLiteral("search"), QStringLiteral("--stream"), QString()}), 4);

        // The types that exist, from the type index.
        Run types = cli({QStringLiteral("types")});
        CHECK_EXIT(types, 0);
        QCOMPARE(types.out, QByteArray("\"Opened\"\n\"OrderPlaced\"\n\"OrderShipped\"\n"));
        CHECK_EXIT(cli({QStringLiteral("types"), QStringLiteral("--limit"), QStringLiteral("0")}),
                   2);

        // Bad input: usage (2) or bad input (4), with a message.
        CHECK_EXIT(cli({QStringLiteral("search")}), 2);
        CHECK_EXIT(
            cli({QStringLiteral("search"), QStringLiteral("--since"), QStringLiteral("noon")}), 2);
        Run r = cli(
            {QStringLiteral("search"), QStringLiteral("--where"), QStringLiteral("customerId")});
        CHECK_EXIT(r, 4);
        QVERIFY2(r.err.contains("--where"), qPrintable(r.describe()));
        r = cli(
            {QStringLiteral("search"), QStringLiteral("--where"), QStringLiteral("$.a ==== 1")});
        CHECK_EXIT(r, 4);
        QVERIFY2(r.err.contains("JSON path"), qPrintable(r.describe()));
        CHECK_EXIT(
            cli({QStringLiteral("search"), QStringLiteral("--contains"), QStringLiteral("{x")}), 4);
    }

    // Through PgBouncer in transaction mode (one server connection for every client), told
    // by --pooler or EVENTIUM_POOLER.
    void throughPgBouncerInTransactionMode()
    {
        eventium::test::PgBouncer bouncer({.mode = eventium::test::PgBouncer::PoolMode::Transaction,
                                           .poolSize = 1,
                                           .maxClients = 50});
        QString error;
        QVERIFY2(bouncer.start(&error), qPrintable(error));
        const QStringList through {QStringLiteral("--db"), bouncer.options().toConnInfo(),
                                   QStringLiteral("--schema"), m_schema};
        const QStringList pooler {QStringLiteral("--pooler"), QStringLiteral("transaction")};
        auto append = [&](const QStringList &args, const QByteArray &input = {}) {
            return runCli(through + pooler + QStringList {QStringLiteral("append")} + args, input);
        };
        Run r
            = append({QStringLiteral("order-1"), QStringLiteral("--type"), QStringLiteral("Placed"),
                      QStringLiteral("--data"), QStringLiteral("{\"total\": 12}"),
                      QStringLiteral("--expected"), QStringLiteral("no-stream")});
        CHECK_EXIT(r, 0);
        r = append({QStringLiteral("order-1"), QStringLiteral("-"), QStringLiteral("--expected"),
                    QStringLiteral("1")},
                   "{\"type\":\"Paid\",\"data\":{}}\n{\"type\":\"Packed\",\"data\":{}}\n");
        CHECK_EXIT(r, 0);
        QCOMPARE(r.object().value(QStringLiteral("lastVersion")).toInt(), 3);
        CHECK_EXIT(append({QStringLiteral("order-1"), QStringLiteral("--type"),
                           QStringLiteral("Paid"), QStringLiteral("--data"), QStringLiteral("{}"),
                           QStringLiteral("--expected"), QStringLiteral("1")}),
                   3);
        // The variable instead of the option.
        QProcessEnvironment env = baseEnvironment();
        env.insert(QStringLiteral("EVENTIUM_POOLER"), QStringLiteral("transaction"));
        r = runCli(through
                       + QStringList {QStringLiteral("--verbose"), QStringLiteral("append"),
                                      QStringLiteral("order-1"), QStringLiteral("--type"),
                                      QStringLiteral("Shipped"), QStringLiteral("--data"),
                                      QStringLiteral("{}")},
                   {}, env);
        CHECK_EXIT(r, 0);
        QVERIFY2(r.err.contains("pooler transaction"), qPrintable(r.describe()));

        r = runCli(through + pooler
                   + QStringList {QStringLiteral("read"), QStringLiteral("order-1")});
        CHECK_EXIT(r, 0);
        const QList<QJsonObject> events = r.lines();
        QCOMPARE(events.size(), 4);
        for (int i = 0; i < events.size(); ++i) {
            QCOMPARE(events.at(i).value(QStringLiteral("version")).toInt(), i + 1);
            QCOMPARE(events.at(i).value(QStringLiteral("position")).toInt(), i + 1);
        }
        r = runCli(through + QStringList {QStringLiteral("tail")}, {}, env);
        CHECK_EXIT(r, 0);
        QCOMPARE(r.lines().size(), 4);
        QCOMPARE(r.lines().last().value(QStringLiteral("type")).toString(),
                 QStringLiteral("Shipped"));

        // tail --follow polls (LISTEN needs a session of its own).
        QProcess follower;
        follower.setProcessEnvironment(env);
        follower.start(QStringLiteral(EVENTIUM_CLI_PATH),
                       through
                           + QStringList {QStringLiteral("tail"), QStringLiteral("--follow"),
                                          QStringLiteral("--from"), QStringLiteral("5")});
        QVERIFY(follower.waitForStarted(10000));
        r = append({QStringLiteral("order-1"), QStringLiteral("--type"),
                    QStringLiteral("Delivered"), QStringLiteral("--data"), QStringLiteral("{}")});
        CHECK_EXIT(r, 0);
        QByteArray seen;
        QElapsedTimer timer;
        timer.start();
        while (!seen.contains("Delivered") && timer.elapsed() < 30000) {
            follower.waitForReadyRead(200);
            seen += follower.readAllStandardOutput();
        }
        QVERIFY2(seen.contains("\"position\":5"), seen.constData());
        follower.terminate();
        QVERIFY(follower.waitForFinished(10000));
        QCOMPARE(follower.exitCode(), 0);
        const QByteArray errors = follower.readAllStandardError();
        QVERIFY2(errors.isEmpty(), errors.constData());

        // A mode it does not know, from the variable: a usage error.
        env.insert(QStringLiteral("EVENTIUM_POOLER"), QStringLiteral("statement"));
        r = runCli(through + QStringList {QStringLiteral("stats")}, {}, env);
        CHECK_EXIT(r, 2);
        QVERIFY2(r.err.contains("EVENTIUM_POOLER"), qPrintable(r.describe()));
    }

    void tailCommand()
    {
        appendOne(QStringLiteral("user-1"), QStringLiteral("Registered"), QStringLiteral("{}"));
        appendOne(QStringLiteral("order-1"), QStringLiteral("Placed"), QStringLiteral("{}"));
        appendOne(QStringLiteral("user-2"), QStringLiteral("Registered"), QStringLiteral("{}"));
        appendOne(QStringLiteral("order-1"), QStringLiteral("Shipped"), QStringLiteral("{}"));
        appendOne(QStringLiteral("user-1"), QStringLiteral("Renamed"), QStringLiteral("{}"));
        auto positions = [this](const QStringList &args) {
            QList<int> out;
            const Run r = cli(QStringList {QStringLiteral("tail")} + args);
            if (r.code != 0)
                qWarning() << r.describe();
            for (const QJsonObject &e : r.lines())
                out << e.value(QStringLiteral("position")).toInt();
            return out;
        };
        QCOMPARE(positions({}), (QList<int> {1, 2, 3, 4, 5}));
        QCOMPARE(positions({QStringLiteral("--from"), QStringLiteral("3")}),
                 (QList<int> {3, 4, 5}));
        QCOMPARE(positions({QStringLiteral("--limit"), QStringLiteral("2")}), (QList<int> {1, 2}));
        QCOMPARE(positions({QStringLiteral("--type"), QStringLiteral("Registered")}),
                 (QList<int> {1, 3}));
        QCOMPARE(positions({QStringLiteral("--type"), QStringLiteral("Placed"),
                            QStringLiteral("--type"), QStringLiteral("Renamed")}),
                 (QList<int> {2, 5}));
        QCOMPARE(positions({QStringLiteral("--prefix"), QStringLiteral("user-")}),
                 (QList<int> {1, 3, 5}));
        QCOMPARE(positions({QStringLiteral("--prefix"), QStringLiteral("user-"),
                            QStringLiteral("--type"), QStringLiteral("Registered"),
                            QStringLiteral("--limit"), QStringLiteral("1")}),
                 (QList<int> {1}));
        QCOMPARE(positions({QStringLiteral("--from"), QStringLiteral("99")}), QList<int> {});
        // One stream exactly (not longer names that start with it), or a category.
        appendOne(QStringLiteral("user-10"), QStringLiteral("Registered"), QStringLiteral("{}"));
        QCOMPARE(positions({QStringLiteral("--stream"), QStringLiteral("user-1")}),
                 (QList<int> {1, 5}));
        QCOMPARE(positions({QStringLiteral("--prefix"), QStringLiteral("user-1")}),
                 (QList<int> {1, 5, 6}));
        QCOMPARE(positions({QStringLiteral("--stream"), QStringLiteral("user-1"),
                            QStringLiteral("--from"), QStringLiteral("2")}),
                 (QList<int> {5}));
        QCOMPARE(positions({QStringLiteral("--stream"), QStringLiteral("user-")}), QList<int> {});
        CHECK_EXIT(
            cli({QStringLiteral("tail"), QStringLiteral("--stream"), QStringLiteral("user-1"),
                 QStringLiteral("--prefix"), QStringLiteral("user-")}),
            2);
        CHECK_EXIT(
            cli({QStringLiteral("tail"), QStringLiteral("--stream"), QStringLiteral("a\nb")}), 4);
        CHECK_EXIT(cli({QStringLiteral("tail"), QStringLiteral("--stream"), QString()}), 4);
        const QJsonObject first
            = cli({QStringLiteral("tail"), QStringLiteral("--limit"), QStringLiteral("1")})
                  .lines()
                  .value(0);
        QCOMPARE(first.value(QStringLiteral("stream")).toString(), QStringLiteral("user-1"));
        QCOMPARE(first.value(QStringLiteral("type")).toString(), QStringLiteral("Registered"));
    }

    // read --at and tail --at start at the first event created at or after a time.
    void readAndTailAtATime()
    {
        QByteArray batch;
        for (int i = 1; i <= 3; ++i)
            batch += QStringLiteral("{\"type\":\"T\",\"data\":{\"i\":%1}}\n").arg(i).toUtf8();
        CHECK_EXIT(cli({QStringLiteral("append"), QStringLiteral("s"), QStringLiteral("-")}, batch),
                   0);
        appendOne(QStringLiteral("other"), QStringLiteral("T"), QStringLiteral("{}"));
        QTest::qWait(50);
        CHECK_EXIT(cli({QStringLiteral("append"), QStringLiteral("s"), QStringLiteral("-")}, batch),
                   0);
        appendOne(QStringLiteral("other"), QStringLiteral("T"), QStringLiteral("{}"));
        // s 1-3 (positions 1-3), other 1 (4); 50 ms later s 4-6 (5-7), other 2 (8).
        const Run all = cli({QStringLiteral("tail")});
        CHECK_EXIT(all, 0);
        QCOMPARE(all.lines().size(), 8);
        const QString second = all.lines().at(4).value(QStringLiteral("created")).toString();
        const QString first = all.lines().at(0).value(QStringLiteral("created")).toString();
        QVERIFY2(second.endsWith(QLatin1Char('Z')), qPrintable(second));

        auto numbers = [this](const QStringList &args, const char *key) {
            QList<int> out;
            const Run r = cli(args);
            if (r.code != 0)
                qWarning() << r.describe();
            for (const QJsonObject &e : r.lines())
                out << e.value(QLatin1String(key)).toInt();
            return out;
        };
        const QString at = QStringLiteral("--at");
        const QString read = QStringLiteral("read");
        const QString tail = QStringLiteral("tail");
        const QString s = QStringLiteral("s");
        QCOMPARE(numbers({read, s, at, second}, "version"), (QList<int> {4, 5, 6}));
        QCOMPARE(numbers({read, s, at, second, QStringLiteral("--limit"), QStringLiteral("2")},
                         "version"),
                 (QList<int> {4, 5}));
        // Backwards: the events before the time, newest first.
        QCOMPARE(numbers({read, s, at, second, QStringLiteral("--backward")}, "version"),
                 (QList<int> {3, 2, 1}));
        QCOMPARE(numbers({read, s, QStringLiteral("--at=") + first, QStringLiteral("--backward")},
                         "version"),
                 QList<int> {});
        QCOMPARE(numbers({read, s, at, QStringLiteral("2000-01-01T00:00:00Z")}, "version"),
                 (QList<int> {1, 2, 3, 4, 5, 6}));
        QCOMPARE(numbers({read, s, at, QStringLiteral("2100-01-01T00:00:00Z")}, "version"),
                 QList<int> {});
        QCOMPARE(
            numbers({read, s, at, QStringLiteral("2100-01-01T00:00:00Z"),
                     QStringLiteral("--backward"), QStringLiteral("--limit"), QStringLiteral("2")},
                    "version"),
            (QList<int> {6, 5}));
        QCOMPARE(numbers({read, QStringLiteral("missing"), at, second}, "version"), QList<int> {});
        QCOMPARE(numbers({tail, at, second}, "position"), (QList<int> {5, 6, 7, 8}));
        QCOMPARE(numbers({tail, at, second, QStringLiteral("--prefix"), QStringLiteral("oth")},
                         "position"),
                 (QList<int> {8}));
        QCOMPARE(
            numbers({tail, at, first, QStringLiteral("--limit"), QStringLiteral("2")}, "position"),
            (QList<int> {1, 2}));
        QCOMPARE(numbers({tail, at, QStringLiteral("2100-01-01T00:00:00Z")}, "position"),
                 QList<int> {});

        // Not with --from; not a time: usage, with a message that says why.
        Run r = cli({read, s, at, second, QStringLiteral("--from"), QStringLiteral("1")});
        CHECK_EXIT(r, 2);
        QVERIFY2(r.err.contains("--at and --from cannot be used together"),
                 qPrintable(r.describe()));
        r = cli({tail, QStringLiteral("--from=1"), at, second});
        CHECK_EXIT(r, 2);
        QVERIFY2(r.err.contains("--at and --from cannot be used together"),
                 qPrintable(r.describe()));
        r = cli({tail, at, QStringLiteral("noon")});
        CHECK_EXIT(r, 2);
        QVERIFY2(r.err.contains("--at is a time in ISO 8601"), qPrintable(r.describe()));
        QVERIFY(runCli({read, QStringLiteral("--help")}).out.contains("--at TIME"));
        QVERIFY(runCli({tail, QStringLiteral("--help")}).out.contains("--at TIME"));

        // tail --at a time after every event, following: the events that come.
        QProcess follower;
        follower.setProcessEnvironment(baseEnvironment());
        follower.start(QStringLiteral(EVENTIUM_CLI_PATH),
                       db()
                           + QStringList {tail, at, QStringLiteral("2000-01-01T00:00:00Z"),
                                          QStringLiteral("--follow"), QStringLiteral("--limit"),
                                          QStringLiteral("1")});
        QVERIFY(follower.waitForFinished(30000));
        QCOMPARE(follower.exitCode(), 0);
        QCOMPARE(QJsonDocument::fromJson(follower.readAllStandardOutput())
                     .object()
                     .value(QStringLiteral("position"))
                     .toInt(),
                 1);
        const QString now = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
        follower.start(QStringLiteral(EVENTIUM_CLI_PATH),
                       db()
                           + QStringList {tail, at, now, QStringLiteral("--follow"),
                                          QStringLiteral("--limit"), QStringLiteral("1")});
        QVERIFY(follower.waitForStarted(10000));
        QTest::qWait(500);
        appendOne(QStringLiteral("late"), QStringLiteral("T"), QStringLiteral("{}"));
        QVERIFY(follower.waitForFinished(30000));
        QCOMPARE(follower.exitCode(), 0);
        const QJsonObject late = QJsonDocument::fromJson(follower.readAllStandardOutput()).object();
        QCOMPARE(late.value(QStringLiteral("stream")).toString(), QStringLiteral("late"));
        QCOMPARE(late.value(QStringLiteral("position")).toInt(), 9);
    }

    void tailFollowSeesEventsOfAnotherProcess()
    {
        appendOne(QStringLiteral("before"), QStringLiteral("Old"), QStringLiteral("{}"));
        QProcess follower;
        follower.setProcessEnvironment(baseEnvironment());
        follower.start(QStringLiteral(EVENTIUM_CLI_PATH),
                       db() + QStringList {QStringLiteral("tail"), QStringLiteral("--follow")});
        QVERIFY(follower.waitForStarted(10000));

        QByteArray seen;
        auto waitFor = [&](const QByteArray &needle) {
            QElapsedTimer timer;
            timer.start();
            while (!seen.contains(needle) && timer.elapsed() < 30000) {
                follower.waitForReadyRead(200);
                seen += follower.readAllStandardOutput();
            }
            return seen.contains(needle);
        };
        QVERIFY2(waitFor("\"stream\":\"before\""), seen.constData()); // catch-up
        const QString id = appendOne(QStringLiteral("live-1"), QStringLiteral("New"),
                                     QStringLiteral("{\"x\": 1}"));
        QVERIFY(!id.isEmpty());
        QVERIFY2(waitFor(id.toUtf8()), seen.constData()); // live
        QCOMPARE(follower.state(), QProcess::Running);

        follower.terminate(); // SIGTERM: a clean stop
        QVERIFY(follower.waitForFinished(10000));
        QCOMPARE(follower.exitStatus(), QProcess::NormalExit);
        QCOMPARE(follower.exitCode(), 0);
        seen += follower.readAllStandardOutput();
        const QByteArray errors = follower.readAllStandardError();
        QVERIFY2(errors.isEmpty(), errors.constData());
        const QList<QByteArray> lines = seen.trimmed().split('\n');
        QCOMPARE(lines.size(), 2);
        QCOMPARE(
            QJsonDocument::fromJson(lines.at(1)).object().value(QStringLiteral("position")).toInt(),
            2);
    }

    void tailFollowStopsOnSigintAndAfterLimit()
    {
        QProcess follower;
        follower.setProcessEnvironment(baseEnvironment());
        follower.start(QStringLiteral(EVENTIUM_CLI_PATH),
                       db()
                           + QStringList {QStringLiteral("tail"), QStringLiteral("--follow"),
                                          QStringLiteral("--type"), QStringLiteral("Wanted")});
        QVERIFY(follower.waitForStarted(10000));
        appendOne(QStringLiteral("s"), QStringLiteral("Wanted"), QStringLiteral("{}"));
        QElapsedTimer timer;
        timer.start();
        QByteArray seen;
        while (!seen.contains('\n') && timer.elapsed() < 30000) {
            follower.waitForReadyRead(200);
            seen += follower.readAllStandardOutput();
        }
        QVERIFY2(seen.contains("\"type\":\"Wanted\""), seen.constData());
        ::kill(pid_t(follower.processId()), SIGINT);
        QVERIFY(follower.waitForFinished(10000));
        QCOMPARE(follower.exitStatus(), QProcess::NormalExit);
        QCOMPARE(follower.exitCode(), 0);

        // With --limit it exits by itself once enough events came, live ones included.
        QProcess limited;
        limited.setProcessEnvironment(baseEnvironment());
        limited.start(QStringLiteral(EVENTIUM_CLI_PATH),
                      db()
                          + QStringList {QStringLiteral("tail"), QStringLiteral("--follow"),
                                         QStringLiteral("--limit"), QStringLiteral("3"),
                                         QStringLiteral("--type"), QStringLiteral("Wanted")});
        QVERIFY(limited.waitForStarted(10000));
        appendOne(QStringLiteral("s"), QStringLiteral("Unwanted"), QStringLiteral("{}"));
        appendOne(QStringLiteral("s"), QStringLiteral("Wanted"), QStringLiteral("{}"));
        appendOne(QStringLiteral("s"), QStringLiteral("Wanted"), QStringLiteral("{}"));
        appendOne(QStringLiteral("s"), QStringLiteral("Wanted"), QStringLiteral("{}"));
        QVERIFY(limited.waitForFinished(30000));
        QCOMPARE(limited.exitCode(), 0);
        const QList<QByteArray> lines = limited.readAllStandardOutput().trimmed().split('\n');
        QCOMPARE(lines.size(), 3);
        QList<int> positions;
        for (const QByteArray &line : lines)
            positions
                << QJsonDocument::fromJson(line).object().value(QStringLiteral("position")).toInt();
        QCOMPARE(positions, (QList<int> {1, 3, 4}));
    }

    void statsCommand()
    {
        appendOne(QStringLiteral("a"), QStringLiteral("T"), QStringLiteral("{\"n\": 1}"));
        appendOne(QStringLiteral("b"), QStringLiteral("T"), QStringLiteral("{\"n\": 2}"));
        appendOne(QStringLiteral("b"), QStringLiteral("T"), QStringLiteral("{\"n\": 3}"));
        const Run r = cli({QStringLiteral("stats")});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.out.count('\n'), 1);
        const QJsonObject s = r.object();
        for (const char *key : {"events", "streams", "headPosition", "pending", "totalBytes",
                                "eventsBytes", "lagSeconds", "oldestRunningXid"})
            QVERIFY2(s.contains(QLatin1String(key)), key);
        QCOMPARE(s.value(QStringLiteral("events")).toInt(), 3);
        QCOMPARE(s.value(QStringLiteral("streams")).toInt(), 2);
        QCOMPARE(s.value(QStringLiteral("headPosition")).toInt(), 3);
        QCOMPARE(s.value(QStringLiteral("pending")).toInt(), 0);
        QVERIFY(s.value(QStringLiteral("totalBytes")).toDouble()
                >= s.value(QStringLiteral("eventsBytes")).toDouble());
        QVERIFY(s.value(QStringLiteral("eventsBytes")).toDouble() > 0);
        QVERIFY(s.value(QStringLiteral("oldestRunningXid")).isNull());
    }

    void activityCommand()
    {
        // An empty store: no buckets.
        Run r = cli({QStringLiteral("activity")});
        CHECK_EXIT(r, 0);
        QVERIFY2(r.out.isEmpty(), qPrintable(r.describe()));

        appendOne(QStringLiteral("a"), QStringLiteral("Opened"), QStringLiteral("{}"));
        appendOne(QStringLiteral("b"), QStringLiteral("Moved"), QStringLiteral("{}"));
        appendOne(QStringLiteral("a"), QStringLiteral("Opened"), QStringLiteral("{}"));
        auto sums = [](const Run &run, const char *first) {
            QHash<QString, qint64> out;
            qint64 previous = -1;
            for (const QJsonObject &line : run.lines()) {
                out[QStringLiteral("total")] += line.value(QStringLiteral("total")).toInteger();
                out[QStringLiteral("other")] += line.value(QStringLiteral("other")).toInteger();
                const QJsonObject types = line.value(QStringLiteral("types")).toObject();
                for (auto it = types.begin(); it != types.end(); ++it)
                    out[it.key()] += it.value().toInteger();
                if (line.value(QStringLiteral("estimated")).toBool())
                    out[QStringLiteral("estimated")] += 1;
                // Buckets in time order, each starting where the previous ended.
                const QDateTime start = QDateTime::fromString(
                    line.value(QStringLiteral("start")).toString(), Qt::ISODateWithMs);
                const qint64 at = start.toMSecsSinceEpoch();
                if (previous >= 0 && at != previous)
                    out[QStringLiteral("gap")] += 1;
                previous = at + line.value(QStringLiteral("seconds")).toInteger() * 1000;
                if (out.value(QStringLiteral("first")) == 0)
                    out[QStringLiteral("first")] = line.value(QLatin1String(first)).toInteger();
            }
            return out;
        };
        r = cli({QStringLiteral("activity")});
        CHECK_EXIT(r, 0);
        auto sum = sums(r, "position");
        QCOMPARE(sum.value(QStringLiteral("total")), 3);
        QCOMPARE(sum.value(QStringLiteral("Opened")), 2);
        QCOMPARE(sum.value(QStringLiteral("Moved")), 1);
        QCOMPARE(sum.value(QStringLiteral("other")), 0);
        QCOMPARE(sum.value(QStringLiteral("estimated")), 0);
        QCOMPARE(sum.value(QStringLiteral("gap")), 0);
        QCOMPARE(sum.value(QStringLiteral("first")), 1);
        QVERIFY(r.lines().size() <= 120);

        // One stream, by the day; one type named.
        r = cli({QStringLiteral("activity"), QStringLiteral("--stream"), QStringLiteral("a"),
                 QStringLiteral("--per"), QStringLiteral("day")});
        CHECK_EXIT(r, 0);
        QVERIFY(r.lines().size() <= 2); // two only across midnight
        QCOMPARE(r.lines().first().value(QStringLiteral("seconds")).toInteger(), 86400);
        sum = sums(r, "version");
        QCOMPARE(sum.value(QStringLiteral("total")), 2);
        QCOMPARE(sum.value(QStringLiteral("Opened")), 2);
        QCOMPARE(sum.value(QStringLiteral("first")), 1);
        r = cli({QStringLiteral("activity"), QStringLiteral("--top"), QStringLiteral("1")});
        CHECK_EXIT(r, 0);
        sum = sums(r, "position");
        QCOMPARE(sum.value(QStringLiteral("Opened")), 2);
        QCOMPARE(sum.value(QStringLiteral("Moved")), 0);
        QCOMPARE(sum.value(QStringLiteral("other")), 1);

        // A range without events: its buckets, empty.
        r = cli({QStringLiteral("activity"), QStringLiteral("--from"),
                 QStringLiteral("2020-01-01T00:00:00Z"), QStringLiteral("--to"),
                 QStringLiteral("2020-01-01T00:05:00Z"), QStringLiteral("--per"),
                 QStringLiteral("minute")});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.lines().size(), 5);
        QCOMPARE(r.lines().first().value(QStringLiteral("start")).toString(),
                 QStringLiteral("2020-01-01T00:00:00.000Z"));
        QCOMPARE(sums(r, "position").value(QStringLiteral("total")), 0);
        // Too many buckets: bad input.
        r = cli({QStringLiteral("activity"), QStringLiteral("--from"),
                 QStringLiteral("2020-01-01T00:00:00Z"), QStringLiteral("--to"),
                 QStringLiteral("2021-01-01T00:00:00Z"), QStringLiteral("--per"),
                 QStringLiteral("second")});
        CHECK_EXIT(r, 4);
        QVERIFY2(r.err.contains("buckets"), qPrintable(r.describe()));
        QVERIFY(r.out.isEmpty());
    }

    void sampleCommand()
    {
        Run r = cli({QStringLiteral("sample"), QStringLiteral("--events"), QStringLiteral("60")});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.object().value(QStringLiteral("events")).toInt(), 60);
        QJsonObject stats = cli({QStringLiteral("stats")}).object();
        QCOMPARE(stats.value(QStringLiteral("events")).toInt(), 60);
        QCOMPARE(stats.value(QStringLiteral("headPosition")).toInt(), 60);
        QVERIFY(stats.value(QStringLiteral("streams")).toInt() > 1);
        QVERIFY(!cli({QStringLiteral("streams"), QStringLiteral("--prefix"),
                      QStringLiteral("account-")})
                     .lines()
                     .isEmpty());

        // Not into a store that has events...
        r = cli({QStringLiteral("sample"), QStringLiteral("--events"), QStringLiteral("20")});
        CHECK_EXIT(r, 4);
        QVERIFY2(r.err.contains("--force"), r.err.constData());
        QCOMPARE(cli({QStringLiteral("stats")}).object().value(QStringLiteral("events")).toInt(),
                 60);
        // ...unless forced.
        r = cli({QStringLiteral("sample"), QStringLiteral("--events"), QStringLiteral("20"),
                 QStringLiteral("--seed"), QStringLiteral("7"), QStringLiteral("--force")});
        CHECK_EXIT(r, 0);
        QCOMPARE(cli({QStringLiteral("stats")}).object().value(QStringLiteral("events")).toInt(),
                 80);
    }

    // ------------------------------------------------------------ connecting

    void cannotConnectExitsFive()
    {
        Run r = runCli({QStringLiteral("--db"),
                        QStringLiteral("host=127.0.0.1 port=1 connect_timeout=2"),
                        QStringLiteral("stats")});
        CHECK_EXIT(r, 5);
        QVERIFY2(r.err.startsWith("eventium: ") && r.err.contains("cannot connect"),
                 r.err.constData());
        QCOMPARE(r.err.count('\n'), 1);

        // The password is never shown.
        r = runCli(
            {QStringLiteral("--db"),
             QStringLiteral("postgres://alice:TopSecret42@127.0.0.1:1/app?connect_timeout=2"),
             QStringLiteral("append"), QStringLiteral("s"), QStringLiteral("--type"),
             QStringLiteral("T"), QStringLiteral("--data"), QStringLiteral("{}")});
        CHECK_EXIT(r, 5);
        QVERIFY2(!r.err.contains("TopSecret42") && r.err.contains("alice"), r.err.constData());
        r = runCli({QStringLiteral("--verbose"), QStringLiteral("--db"),
                    QStringLiteral("host=127.0.0.1 port=1 password=TopSecret42 connect_timeout=2"),
                    QStringLiteral("read"), QStringLiteral("s")});
        CHECK_EXIT(r, 5);
        QVERIFY2(!r.err.contains("TopSecret42"), r.err.constData());

        // A --db that does not parse is a usage error.
        CHECK_EXIT(runCli({QStringLiteral("--db"), QStringLiteral("host=x port=notaport"),
                           QStringLiteral("stats")}),
                   2);
    }

    void databaseUrlIsUsedWithoutDb()
    {
        QProcessEnvironment env = baseEnvironment();
        env.insert(QStringLiteral("DATABASE_URL"), TestDatabase::options().toConnInfo());
        const QStringList schema {QStringLiteral("--schema"), m_schema};
        Run r = runCli(schema
                           + QStringList {QStringLiteral("append"), QStringLiteral("via-env"),
                                          QStringLiteral("--type"), QStringLiteral("T"),
                                          QStringLiteral("--data"), QStringLiteral("{}")},
                       {}, env);
        CHECK_EXIT(r, 0);
        QCOMPARE(cli({QStringLiteral("read"), QStringLiteral("via-env")}).lines().size(), 1);

        // A dead DATABASE_URL is used, not silently replaced by the embedded server...
        env.insert(QStringLiteral("DATABASE_URL"),
                   QStringLiteral("postgres://nobody@127.0.0.1:1/x?connect_timeout=2"));
        r = runCli(schema + QStringList {QStringLiteral("stats")}, {}, env);
        CHECK_EXIT(r, 5);
        QVERIFY2(r.err.contains("127.0.0.1"), r.err.constData());
        // ...and --db wins over it.
        r = runCli(db() + QStringList {QStringLiteral("read"), QStringLiteral("via-env")}, {}, env);
        CHECK_EXIT(r, 0);
        QCOMPARE(r.lines().size(), 1);
    }

    void embeddedStartStatusStop()
    {
        const QString parent = makeDataParent();
        QVERIFY(!parent.isEmpty());
        const QString dataDir = parent + QStringLiteral("/data");
        QProcessEnvironment env = baseEnvironment();
        env.insert(QStringLiteral("EVENTIUM_DATA_DIR"), dataDir);
        const QProcessEnvironment cleanEnv = env;
        auto embedded = [&](const QString &action) {
            return runCli({QStringLiteral("embedded"), action}, {}, env, 120000);
        };
        struct Cleanup
        {
            std::function<void()> f;
            ~Cleanup() { f(); }
        } cleanup {[&] {
            (void)runCli({QStringLiteral("embedded"), QStringLiteral("stop")}, {}, cleanEnv, 60000);
            QDir(parent).removeRecursively();
        }};

        Run r = embedded(QStringLiteral("status"));
        CHECK_EXIT(r, 0);
        QVERIFY2(r.out.startsWith("not initialised"), qPrintable(r.describe()));

        r = embedded(QStringLiteral("start"));
        CHECK_EXIT(r, 0);
        QVERIFY2(r.out.startsWith("running"), qPrintable(r.describe()));
        QVERIFY(QFileInfo::exists(dataDir + QStringLiteral("/PG_VERSION")));
        r = embedded(QStringLiteral("start")); // idempotent
        CHECK_EXIT(r, 0);
        r = embedded(QStringLiteral("status"));
        CHECK_EXIT(r, 0);
        QVERIFY2(r.out.startsWith("running"), qPrintable(r.describe()));
        r = embedded(QStringLiteral("stop"));
        CHECK_EXIT(r, 0);
        r = embedded(QStringLiteral("status"));
        QVERIFY2(r.out.startsWith("stopped"), qPrintable(r.describe()));

        // Without --db and DATABASE_URL a command starts the embedded server and leaves it
        // running, with the data kept between commands.
        r = runCli({QStringLiteral("append"), QStringLiteral("local"), QStringLiteral("--type"),
                    QStringLiteral("T"), QStringLiteral("--data"), QStringLiteral("{\"k\": 1}")},
                   {}, env, 120000);
        CHECK_EXIT(r, 0);
        r = embedded(QStringLiteral("status"));
        QVERIFY2(r.out.startsWith("running"), qPrintable(r.describe()));
        r = runCli({QStringLiteral("read"), QStringLiteral("local")}, {}, env);
        CHECK_EXIT(r, 0);
        QCOMPARE(r.lines().size(), 1);
        QCOMPARE(r.lines()
                     .first()
                     .value(QStringLiteral("data"))
                     .toObject()
                     .value(QStringLiteral("k"))
                     .toInt(),
                 1);
        r = embedded(QStringLiteral("stop"));
        CHECK_EXIT(r, 0);
        QVERIFY2(embedded(QStringLiteral("status")).out.startsWith("stopped"),
                 qPrintable(r.describe()));

        // A stale postmaster.pid (a server that died) does not fool it: it starts the server.
        {
            QFile pid(dataDir + QStringLiteral("/postmaster.pid"));
            QVERIFY(pid.open(QIODevice::WriteOnly));
            pid.write("999999\n" + QFile::encodeName(dataDir) + "\n");
        }
        if (::geteuid() == 0) {
            if (struct passwd *pw = ::getpwnam("postgres"))
                QCOMPARE(
                    ::chown(
                        QFile::encodeName(dataDir + QStringLiteral("/postmaster.pid")).constData(),
                        pw->pw_uid, pw->pw_gid),
                    0);
        }
        r = runCli({QStringLiteral("read"), QStringLiteral("local")}, {}, env, 120000);
        CHECK_EXIT(r, 0);
        QCOMPARE(r.lines().size(), 1);
        QVERIFY2(embedded(QStringLiteral("status")).out.startsWith("running"),
                 qPrintable(r.describe()));
        CHECK_EXIT(embedded(QStringLiteral("stop")), 0);

        // A server that cannot start is "cannot connect".
        env.insert(QStringLiteral("EVENTIUM_PG_BINDIR"), parent + QStringLiteral("/no-such-bin"));
        r = embedded(QStringLiteral("start"));
        CHECK_EXIT(r, 5);
        QVERIFY2(r.err.startsWith("eventium: "), qPrintable(r.describe()));
        r = runCli({QStringLiteral("stats")}, {}, env);
        CHECK_EXIT(r, 5);
    }

    void rolesGrantAndRevoke()
    {
        const QString role = QStringLiteral("cli \"role\" %1")
                                 .arg(QUuid::createUuid().toString(QUuid::Id128).left(12));
        const QString quoted = QLatin1Char('"')
            + QString(role).replace(QLatin1Char('"'), QStringLiteral("\"\"")) + QLatin1Char('"');
        QString error;
        QVERIFY2(TestDatabase::execAdmin(QStringLiteral("CREATE ROLE %1").arg(quoted), &error),
                 qPrintable(error));
        struct Cleanup
        {
            std::function<void()> f;
            ~Cleanup() { f(); }
        } cleanup {[&] {
            (void)TestDatabase::execAdmin(
                QStringLiteral("DROP OWNED BY %1; DROP ROLE %1").arg(quoted));
        }};
        // True when the SQL condition holds for the role (a failed division otherwise).
        const QString literal = QLatin1Char('\'')
            + QString(role).replace(QLatin1Char('\''), QStringLiteral("''")) + QLatin1Char('\'');
        auto holds = [&](const QString &condition) {
            return TestDatabase::execAdmin(
                QStringLiteral("SELECT 1 / (%1)::int")
                    .arg(QString(condition)
                             .replace(QStringLiteral("$role"), literal)
                             .replace(QStringLiteral("$schema"), m_schema)));
        };

        // The schema is created first, as by the other commands.
        Run r = cli(
            {QStringLiteral("roles"), QStringLiteral("grant"), QStringLiteral("reader"), role});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.object().value(QStringLiteral("role")).toString(), role);
        QCOMPARE(r.object().value(QStringLiteral("schema")).toString(), m_schema);
        QCOMPARE(r.object().value(QStringLiteral("privileges")).toString(),
                 QStringLiteral("reader"));
        QVERIFY(holds(QStringLiteral("has_table_privilege($role, '$schema.events', 'SELECT')")));
        QVERIFY(
            holds(QStringLiteral("NOT has_table_privilege($role, '$schema.events', 'INSERT')")));
        QVERIFY(holds(QStringLiteral("NOT has_function_privilege($role, "
                                     "'$schema.append_events(text, bigint, uuid[], text[], "
                                     "jsonb[], jsonb[])', 'EXECUTE')")));
        // The check itself can fail.
        QVERIFY(!holds(QStringLiteral("has_table_privilege($role, '$schema.events', 'DELETE')")));

        r = cli({QStringLiteral("roles"), QStringLiteral("revoke"), role});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.object().value(QStringLiteral("privileges")).toString(), QStringLiteral("none"));
        QVERIFY(
            holds(QStringLiteral("NOT has_table_privilege($role, '$schema.events', 'SELECT')")));
        QVERIFY(holds(QStringLiteral("NOT has_schema_privilege($role, '$schema', 'USAGE')")));

        // A role that does not exist is bad input; a wrong kind or a missing role is usage.
        r = cli(
            {QStringLiteral("roles"), QStringLiteral("grant"), QStringLiteral("writer"),
             QStringLiteral("no-such-role-%1").arg(QUuid::createUuid().toString(QUuid::Id128))});
        CHECK_EXIT(r, 4);
        QVERIFY2(r.err.startsWith("eventium: ") && r.err.contains("does not exist"),
                 qPrintable(r.describe()));
        QVERIFY(r.out.isEmpty());
        CHECK_EXIT(
            cli({QStringLiteral("roles"), QStringLiteral("grant"), QStringLiteral("admin"), role}),
            2);
        CHECK_EXIT(
            cli({QStringLiteral("roles"), QStringLiteral("grant"), QStringLiteral("reader")}), 2);
        CHECK_EXIT(cli({QStringLiteral("roles")}), 2);
        r = runCli({QStringLiteral("roles"), QStringLiteral("--help")});
        CHECK_EXIT(r, 0);
        QVERIFY2(r.out.contains("roles grant reader|writer ROLE"), qPrintable(r.describe()));
        QVERIFY(runCli({QStringLiteral("--help")}).out.contains("  roles "));
    }

    // ------------------------------------------------------------ export and import

private:
    // Events in two streams, with metadata and a number bigger than a double holds.
    void appendTransferSample()
    {
        QByteArray batch;
        for (int i = 1; i <= 4; ++i)
            batch += QStringLiteral("{\"type\":\"%1\",\"data\":{\"i\":%2,\"big\":"
                                    "123456789012345678901234567890},\"metadata\":{\"m\":%2}}\n")
                         .arg(i % 2 ? QStringLiteral("Opened") : QStringLiteral("Closed"))
                         .arg(i)
                         .toUtf8();
        CHECK_EXIT(
            cli({QStringLiteral("append"), QStringLiteral("acct-1"), QStringLiteral("-")}, batch),
            0);
        CHECK_EXIT(cli({QStringLiteral("append"), QStringLiteral("acct-2"), QStringLiteral("-")},
                       batch.left(batch.indexOf('\n') + 1)),
                   0);
    }

    Run cliIn(const QString &schema, const QStringList &args, const QByteArray &input = {}) const
    {
        return runCli(QStringList {QStringLiteral("--db"), TestDatabase::options().toConnInfo(),
                                   QStringLiteral("--schema"), schema}
                          + args,
                      input);
    }

    // A read's lines without where and when they were stored (position, created).
    static QList<QJsonObject> withoutPlace(const Run &read)
    {
        QList<QJsonObject> out;
        for (QJsonObject o : read.lines()) {
            o.remove(QStringLiteral("position"));
            o.remove(QStringLiteral("created"));
            out << o;
        }
        return out;
    }

private slots:
    void exportImportRoundTripThroughAFile()
    {
        appendTransferSample();
        const QString dir = makeDataParent();
        QVERIFY(!dir.isEmpty());
        const QString file = dir + QStringLiteral("/events.jsonl");
        Run r = cli({QStringLiteral("export"), QStringLiteral("-o"), file});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.object().value(QStringLiteral("events")).toInt(), 5);
        QCOMPARE(r.object().value(QStringLiteral("file")).toString(), file);
        QFile exported(file);
        QVERIFY(exported.open(QIODevice::ReadOnly));
        const QByteArray text = exported.readAll();
        // The format of the reads: the file is what `tail` prints.
        const Run tail = cli({QStringLiteral("tail")});
        CHECK_EXIT(tail, 0);
        QCOMPARE(text, tail.out);
        QVERIFY(text.contains("123456789012345678901234567890"));

        const QString other = TestDatabase::uniqueSchema(QStringLiteral("cli_import"));
        r = cliIn(other, {QStringLiteral("import"), file});
        CHECK_EXIT(r, 0);
        QJsonObject summary = r.object();
        QCOMPARE(summary.value(QStringLiteral("status")).toString(), QStringLiteral("imported"));
        QCOMPARE(summary.value(QStringLiteral("lines")).toInt(), 5);
        QCOMPARE(summary.value(QStringLiteral("appended")).toInt(), 5);
        QCOMPARE(summary.value(QStringLiteral("alreadyAppended")).toInt(), 0);
        const QJsonArray streams = summary.value(QStringLiteral("streams")).toArray();
        QCOMPARE(streams.size(), 2);
        QCOMPARE(streams.at(0).toObject().value(QStringLiteral("stream")).toString(),
                 QStringLiteral("acct-1"));
        QCOMPARE(streams.at(0).toObject().value(QStringLiteral("lastVersion")).toInt(), 4);
        // Streams, versions, ids, types, data and metadata as in the source.
        for (const QString &stream : {QStringLiteral("acct-1"), QStringLiteral("acct-2")}) {
            const Run source = cli({QStringLiteral("read"), stream});
            const Run copy = cliIn(other, {QStringLiteral("read"), stream});
            CHECK_EXIT(copy, 0);
            QVERIFY(!source.lines().isEmpty());
            QCOMPARE(withoutPlace(copy), withoutPlace(source));
        }

        // --ids keep (the default) again: nothing changes.
        r = cliIn(
            other,
            {QStringLiteral("import"), file, QStringLiteral("--ids"), QStringLiteral("keep")});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.object().value(QStringLiteral("appended")).toInt(), 0);
        QCOMPARE(r.object().value(QStringLiteral("alreadyAppended")).toInt(), 5);
        r = cliIn(other, {QStringLiteral("stats")});
        QCOMPARE(r.object().value(QStringLiteral("events")).toInt(), 5);

        // Into a stream that exists, with --expected no-stream: exit 3, nothing written.
        r = cliIn(other,
                  {QStringLiteral("import"), file, QStringLiteral("--ids"), QStringLiteral("new"),
                   QStringLiteral("--stream"), QStringLiteral("acct-1"),
                   QStringLiteral("--expected"), QStringLiteral("no-stream")});
        CHECK_EXIT(r, 3);
        QVERIFY2(r.err.contains("line 1"), qPrintable(r.describe()));
        r = cliIn(other, {QStringLiteral("stats")});
        QCOMPARE(r.object().value(QStringLiteral("events")).toInt(), 5);
        QDir(dir).removeRecursively();
    }

    void exportAndImportThroughStdin()
    {
        appendTransferSample();
        // One stream: exactly what `read` prints.
        const Run read = cli({QStringLiteral("read"), QStringLiteral("acct-1")});
        CHECK_EXIT(read, 0);
        Run r
            = cli({QStringLiteral("export"), QStringLiteral("--stream"), QStringLiteral("acct-1")});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.out, read.out);
        QVERIFY(r.err.isEmpty()); // no progress without --progress or -o
        // A version range, and a filter.
        r = cli({QStringLiteral("export"), QStringLiteral("--stream"), QStringLiteral("acct-1"),
                 QStringLiteral("--from"), QStringLiteral("2"), QStringLiteral("--to"),
                 QStringLiteral("3")});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.lines().size(), 2);
        QCOMPARE(r.lines().at(0).value(QStringLiteral("version")).toInt(), 2);
        r = cli({QStringLiteral("export"), QStringLiteral("--type"), QStringLiteral("Closed")});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.lines().size(), 2);
        r = cli({QStringLiteral("export"), QStringLiteral("--where"), QStringLiteral("i = 3"),
                 QStringLiteral("--progress")});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.lines().size(), 1);
        QVERIFY2(r.err.contains("exported 1 events"), qPrintable(r.describe()));

        // `eventium read X | eventium import - --stream Y --ids new`.
        r = cli({QStringLiteral("import"), QStringLiteral("-"), QStringLiteral("--stream"),
                 QStringLiteral("copy"), QStringLiteral("--ids"), QStringLiteral("new")},
                read.out);
        CHECK_EXIT(r, 0);
        QCOMPARE(r.object().value(QStringLiteral("appended")).toInt(), 4);
        const Run copy = cli({QStringLiteral("read"), QStringLiteral("copy")});
        QCOMPARE(copy.lines().size(), 4);
        for (int i = 0; i < 4; ++i) {
            const QJsonObject a = read.lines().at(i);
            const QJsonObject b = copy.lines().at(i);
            QCOMPARE(b.value(QStringLiteral("type")), a.value(QStringLiteral("type")));
            QCOMPARE(b.value(QStringLiteral("data")), a.value(QStringLiteral("data")));
            QCOMPARE(b.value(QStringLiteral("metadata")), a.value(QStringLiteral("metadata")));
            QVERIFY(b.value(QStringLiteral("id")) != a.value(QStringLiteral("id")));
        }
        QVERIFY(copy.out.contains("123456789012345678901234567890"));
    }

    void readPipedIntoAppendWithNewIds()
    {
        appendTransferSample();
        const Run read = cli({QStringLiteral("read"), QStringLiteral("acct-1")});
        CHECK_EXIT(read, 0);
        // With the ids kept, they are another stream's: refused, and the message says what to
        // do.
        Run r = cli({QStringLiteral("append"), QStringLiteral("acct-9"), QStringLiteral("-")},
                    read.out);
        CHECK_EXIT(r, 4);
        QVERIFY2(r.err.contains("--ids new"), qPrintable(r.describe()));
        QVERIFY(cli({QStringLiteral("read"), QStringLiteral("acct-9")}).out.isEmpty());

        // `eventium read X | eventium append Y - --ids new`.
        r = cli({QStringLiteral("append"), QStringLiteral("acct-9"), QStringLiteral("-"),
                 QStringLiteral("--ids"), QStringLiteral("new")},
                read.out);
        CHECK_EXIT(r, 0);
        QCOMPARE(r.object().value(QStringLiteral("lastVersion")).toInt(), 4);
        const Run copy = cli({QStringLiteral("read"), QStringLiteral("acct-9")});
        QCOMPARE(copy.lines().size(), 4);
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(copy.lines().at(i).value(QStringLiteral("data")),
                     read.lines().at(i).value(QStringLiteral("data")));
            QVERIFY(copy.lines().at(i).value(QStringLiteral("id"))
                    != read.lines().at(i).value(QStringLiteral("id")));
        }
        // Into the same stream with the ids kept: an idempotent retry.
        r = cli({QStringLiteral("append"), QStringLiteral("acct-1"), QStringLiteral("-"),
                 QStringLiteral("--ids"), QStringLiteral("keep")},
                read.out);
        CHECK_EXIT(r, 0);
        QCOMPARE(r.object().value(QStringLiteral("status")).toString(),
                 QStringLiteral("already-appended"));
    }

    void importBadLineExitsFourAndWritesNothing()
    {
        QByteArray input = "{\"stream\":\"a\",\"type\":\"T\",\"data\":{}}\n"
                           "{\"stream\":\"b\",\"type\":\"T\",\"data\":{}}\n"
                           "{\"stream\":\"c\",\"type\":\"T\"}\n"
                           "{\"stream\":\"d\",\"type\":\"T\",\"data\":{}}\n";
        Run r = cli({QStringLiteral("import"), QStringLiteral("-")}, input);
        CHECK_EXIT(r, 4);
        QVERIFY(r.out.isEmpty());
        QVERIFY2(r.err.startsWith("eventium: stdin: line 3: "), qPrintable(r.describe()));
        QCOMPARE(r.err.count('\n'), 1);
        r = cli({QStringLiteral("stats")});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.object().value(QStringLiteral("events")).toInt(), 0);
        QCOMPARE(r.object().value(QStringLiteral("streams")).toInt(), 0);
        // Not JSON, in a file.
        const QString dir = makeDataParent();
        const QString file = dir + QStringLiteral("/bad.jsonl");
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(input.left(input.indexOf('\n') + 1) + "\n{nope\n");
        f.close();
        r = cli({QStringLiteral("import"), file});
        CHECK_EXIT(r, 4);
        QVERIFY2(r.err.contains("line 3:"), qPrintable(r.describe()));
        QCOMPARE(cli({QStringLiteral("stats")}).object().value(QStringLiteral("events")).toInt(),
                 0);
        // A file that is not there.
        r = cli({QStringLiteral("import"), dir + QStringLiteral("/missing.jsonl")});
        CHECK_EXIT(r, 1);
        QVERIFY2(r.err.contains("missing.jsonl"), qPrintable(r.describe()));
        QDir(dir).removeRecursively();
    }

    // import --check: every line checked, nothing written, no database needed.
    void importCheckOnlyChecks()
    {
        const QByteArray good = "{\"stream\":\"a-1\",\"type\":\"T\",\"data\":{}}\n"
                                "\n"
                                "{\"stream\":\"b-1\",\"type\":\"T\",\"data\":[1]}\n";
        Run r
            = cli({QStringLiteral("import"), QStringLiteral("-"), QStringLiteral("--check")}, good);
        CHECK_EXIT(r, 0);
        QCOMPARE(r.object().value(QStringLiteral("status")).toString(), QStringLiteral("valid"));
        QCOMPARE(r.object().value(QStringLiteral("lines")).toInt(), 3);
        QCOMPARE(r.object().value(QStringLiteral("events")).toInt(), 2);
        // Nothing was written: the schema was not even made.
        r = cli({QStringLiteral("stats")});
        QVERIFY2(r.code != 0 || r.object().value(QStringLiteral("events")).toInt() == 0,
                 qPrintable(r.describe()));
        // A bad line: exit 4, naming it; and no server is needed to say so.
        const QStringList noServer {QStringLiteral("--db"),
                                    QStringLiteral("host=/nonexistent-eventium port=1")};
        r = runCli(noServer
                       + QStringList {QStringLiteral("import"), QStringLiteral("-"),
                                      QStringLiteral("--check")},
                   good + "{\"stream\":\"c-1\",\"type\":\"T\"}\n");
        CHECK_EXIT(r, 4);
        QVERIFY2(r.err.startsWith("eventium: stdin: line 4: "), qPrintable(r.describe()));
        r = runCli(noServer
                       + QStringList {QStringLiteral("import"), QStringLiteral("-"),
                                      QStringLiteral("--check")},
                   good);
        CHECK_EXIT(r, 0);
    }

    // eventium subscriptions: where each stands (one held by a runner in this process, on a
    // connection of its own; one idle); subscriptions move: confirmation, exit codes, moves.
    void subscriptions()
    {
        for (int i = 0; i < 5; ++i)
            QVERIFY(!appendOne(QStringLiteral("sub-%1").arg(i % 2), QStringLiteral("T"),
                               QStringLiteral("{\"i\": %1}").arg(i))
                         .isEmpty());
        CHECK_EXIT(cli({QStringLiteral("subscriptions")}), 0);
        QVERIFY(cli({QStringLiteral("subscriptions")}).out.isEmpty());

        eventium::StoreSettings settings;
        settings.schema = m_schema;
        settings.runSequencer = false;
        eventium::Store store(TestDatabase::options(), settings);
        QVERIFY(eventium::toolkit::Subscription::resetCheckpoint(store, QStringLiteral("idle"),
                                                                 eventium::GlobalPosition(2))
                    .ok());
        eventium::toolkit::Subscription::Settings runner;
        runner.name = QStringLiteral("busy");
        runner.pollInterval = std::chrono::milliseconds(100);
        eventium::toolkit::Subscription busy(
            store, runner,
            [](const QList<eventium::RecordedEvent> &) -> eventium::Result<eventium::Done> {
                return eventium::Done {};
            });
        busy.start();
        QTRY_VERIFY_WITH_TIMEOUT(busy.isLive() && busy.checkpoint().value == 5, 20000);
        auto checkpoint = [&](const QString &name) {
            auto r = eventium::toolkit::Subscription::storedCheckpoint(store, name);
            return r ? r->value : -1;
        };

        Run r = cli({QStringLiteral("subscriptions")});
        CHECK_EXIT(r, 0);
        const auto lines = r.lines();
        QCOMPARE(lines.size(), 2);
        const QJsonObject b = lines.at(0), i = lines.at(1);
        QCOMPARE(b.value(QStringLiteral("name")).toString(), QStringLiteral("busy"));
        QCOMPARE(b.value(QStringLiteral("position")).toInteger(), 5);
        QCOMPARE(b.value(QStringLiteral("head")).toInteger(), 5);
        QCOMPARE(b.value(QStringLiteral("lag_events")).toInteger(), 0);
        QCOMPARE(b.value(QStringLiteral("lag_seconds")).toDouble(), 0.0);
        QCOMPARE(b.value(QStringLiteral("held")).toBool(), true);
        QVERIFY(b.value(QStringLiteral("owner"))
                    .toString()
                    .endsWith(QStringLiteral(":%1").arg(QCoreApplication::applicationPid())));
        QCOMPARE(b.value(QStringLiteral("handled")).toInteger(), 5);
        QVERIFY(b.value(QStringLiteral("updated")).toString().endsWith(QLatin1Char('Z')));
        QCOMPARE(i.value(QStringLiteral("name")).toString(), QStringLiteral("idle"));
        QCOMPARE(i.value(QStringLiteral("position")).toInteger(), 2);
        QCOMPARE(i.value(QStringLiteral("lag_events")).toInteger(), 3);
        QVERIFY(i.value(QStringLiteral("lag_seconds")).toDouble() > 0);
        QCOMPARE(i.value(QStringLiteral("held")).toBool(), false);
        QVERIFY(i.contains(QStringLiteral("held")) && i.value(QStringLiteral("held")).isBool());

        const QString sub = QStringLiteral("subscriptions");
        const QString move = QStringLiteral("move");
        const QString yes = QStringLiteral("--yes");
        const QString to = QStringLiteral("--to");
        // Not on a terminal: --yes or nothing happens.
        r = cli({sub, move, QStringLiteral("idle"), to, QStringLiteral("0")});
        CHECK_EXIT(r, 2);
        QVERIFY2(r.err.contains("--yes"), r.err.constData());
        QCOMPARE(checkpoint(QStringLiteral("idle")), 2);
        // Held by the runner: the conflict code, nothing moved.
        r = cli({sub, move, QStringLiteral("busy"), to, QStringLiteral("0"), yes});
        CHECK_EXIT(r, 3);
        QVERIFY2(r.err.contains("held by a running runner"), r.err.constData());
        QCOMPARE(checkpoint(QStringLiteral("busy")), 5);
        // Unknown, past the head: bad input; malformed: usage.
        r = cli({sub, move, QStringLiteral("nobody"), to, QStringLiteral("0"), yes});
        CHECK_EXIT(r, 4);
        QVERIFY2(r.err.contains("no subscription is named \"nobody\""), r.err.constData());
        r = cli({sub, move, QStringLiteral("idle"), to, QStringLiteral("6"), yes});
        CHECK_EXIT(r, 4);
        QVERIFY2(r.err.contains("past the head (5)"), r.err.constData());
        CHECK_EXIT(cli({sub, move, QStringLiteral("idle"), to, QStringLiteral("-1"), yes}), 2);
        CHECK_EXIT(cli({sub, move, QStringLiteral("idle"), yes}), 2);
        CHECK_EXIT(cli({sub, move, QStringLiteral("idle"), to, QStringLiteral("1"),
                        QStringLiteral("--head"), yes}),
                   2);
        CHECK_EXIT(cli({sub, move, to, QStringLiteral("1"), yes}), 2);
        CHECK_EXIT(cli({sub, QStringLiteral("idle")}), 2);
        CHECK_EXIT(cli({sub, yes}), 2);
        QCOMPARE(checkpoint(QStringLiteral("idle")), 2);

        r = cli({sub, move, QStringLiteral("idle"), to, QStringLiteral("0"), yes});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.object().value(QStringLiteral("from")).toInteger(), 2);
        QCOMPARE(r.object().value(QStringLiteral("to")).toInteger(), 0);
        QCOMPARE(r.object().value(QStringLiteral("status")).toString(), QStringLiteral("moved"));
        QCOMPARE(checkpoint(QStringLiteral("idle")), 0);
        r = cli({sub, move, QStringLiteral("idle"), QStringLiteral("--head"), yes});
        CHECK_EXIT(r, 0);
        QCOMPARE(r.object().value(QStringLiteral("to")).toInteger(), 5);
        QCOMPARE(checkpoint(QStringLiteral("idle")), 5);

        // On a terminal (script(1) gives it one) it asks: no leaves it, yes moves it.
        auto onTerminal = [&](const QByteArray &answer) {
            QStringList command {QStringLiteral(EVENTIUM_CLI_PATH)};
            command << db() << sub << move << QStringLiteral("idle") << to << QStringLiteral("1");
            QStringList quoted;
            for (const QString &arg : std::as_const(command))
                quoted << QLatin1Char('\'')
                        + QString(arg).replace(QLatin1Char('\''), QStringLiteral("'\\''"))
                        + QLatin1Char('\'');
            QProcess p;
            p.setProcessEnvironment(baseEnvironment());
            p.start(QStringLiteral("script"),
                    {QStringLiteral("-qec"), quoted.join(QLatin1Char(' ')),
                     QStringLiteral("/dev/null")});
            Run run;
            if (!p.waitForStarted(10000))
                return run;
            QElapsedTimer waited;
            waited.start();
            while (!run.out.contains("[y/N]") && waited.elapsed() < 30000
                   && p.waitForReadyRead(1000))
                run.out += p.readAllStandardOutput();
            p.write(answer);
            run.finished = p.waitForFinished(30000);
            run.out += p.readAllStandardOutput();
            run.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
            return run;
        };
        r = onTerminal("n\r");
        QVERIFY2(r.out.contains("Move the checkpoint of \"idle\" from 5 to 1 (it handles positions "
                                "2 to 5 again)? [y/N]"),
                 r.out.constData());
        CHECK_EXIT(r, 1);
        QCOMPARE(checkpoint(QStringLiteral("idle")), 5);
        r = onTerminal("y\r");
        CHECK_EXIT(r, 0);
        QVERIFY2(r.out.contains("\"status\":\"moved\""), r.out.constData());
        QCOMPARE(checkpoint(QStringLiteral("idle")), 1);

        busy.stop();
        QVERIFY(busy.wait());
        // The runner gone, its subscription moves.
        CHECK_EXIT(cli({sub, move, QStringLiteral("busy"), to, QStringLiteral("3"), yes}), 0);
        QCOMPARE(checkpoint(QStringLiteral("busy")), 3);
        QVERIFY(cli({sub, QStringLiteral("--help")}).out.contains("subscriptions move NAME"));
        QVERIFY(runCli({QStringLiteral("--help")}).out.contains("  subscriptions "));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
