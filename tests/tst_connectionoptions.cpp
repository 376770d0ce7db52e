// Parsing of libpq keyword/value strings and postgres:// URLs.
#include <eventium/connectionoptions.h>

#include <QSqlDatabase>
#include <QTest>

using namespace eventium;

class TestConnectionOptions : public QObject
{
    Q_OBJECT

private slots:
    void keywordValue()
    {
        auto r = ConnectionOptions::parse(QStringLiteral(
            "host=db.example.org port=6543 dbname=events user=ann password='s3 cr\\'et' "
            "sslmode=require "
            "connect_timeout=7 application_name='my app' target_session_attrs=read-write"));
        QVERIFY2(r, qPrintable(r ? QString() : r.error().toString()));
        const ConnectionOptions &o = r.value();
        QCOMPARE(o.host, QStringLiteral("db.example.org"));
        QCOMPARE(o.port, 6543);
        QCOMPARE(o.dbname, QStringLiteral("events"));
        QCOMPARE(o.user, QStringLiteral("ann"));
        QCOMPARE(o.password, QStringLiteral("s3 cr'et"));
        QCOMPARE(o.sslmode, QStringLiteral("require"));
        QCOMPARE(o.connectTimeout, 7);
        QCOMPARE(o.applicationName, QStringLiteral("my app"));
        QCOMPARE(o.extra.value(QStringLiteral("target_session_attrs")),
                 QStringLiteral("read-write"));
    }

    void spacesAroundEquals()
    {
        auto r = ConnectionOptions::parse(
            QStringLiteral("  host = /var/run/postgresql   port= 5433 "));
        QVERIFY(r);
        QCOMPARE(r->host, QStringLiteral("/var/run/postgresql"));
        QCOMPARE(r->port, 5433);
    }

    void emptyStringLeavesEverythingToLibpq()
    {
        auto r = ConnectionOptions::parse(QString());
        QVERIFY(r);
        QCOMPARE(r.value(), ConnectionOptions {});
    }

    void url()
    {
        auto r = ConnectionOptions::parse(
            QStringLiteral("postgres://ann:p%40ss%3Aword@db.example.org:6543/"
                           "my%20db?sslmode=verify-full&application_name=x%20y&connect_timeout=3"));
        QVERIFY2(r, qPrintable(r ? QString() : r.error().toString()));
        QCOMPARE(r->user, QStringLiteral("ann"));
        QCOMPARE(r->password, QStringLiteral("p@ss:word"));
        QCOMPARE(r->host, QStringLiteral("db.example.org"));
        QCOMPARE(r->port, 6543);
        QCOMPARE(r->dbname, QStringLiteral("my db"));
        QCOMPARE(r->sslmode, QStringLiteral("verify-full"));
        QCOMPARE(r->applicationName, QStringLiteral("x y"));
        QCOMPARE(r->connectTimeout, 3);
    }

    void urlVariants()
    {
        auto r = ConnectionOptions::parse(QStringLiteral("postgresql://[::1]:5544/app"));
        QVERIFY(r);
        QCOMPARE(r->host, QStringLiteral("::1"));
        QCOMPARE(r->port, 5544);
        QCOMPARE(r->dbname, QStringLiteral("app"));

        r = ConnectionOptions::parse(QStringLiteral("postgres://%2Fvar%2Frun%2Fpostgresql/app"));
        QVERIFY(r);
        QCOMPARE(r->host, QStringLiteral("/var/run/postgresql"));

        r = ConnectionOptions::parse(QStringLiteral("postgres:///app?host=/tmp/sock&user=bob"));
        QVERIFY(r);
        QCOMPARE(r->host, QStringLiteral("/tmp/sock"));
        QCOMPARE(r->user, QStringLiteral("bob"));
        QCOMPARE(r->dbname, QStringLiteral("app"));

        r = ConnectionOptions::parse(QStringLiteral("postgres://"));
        QVERIFY(r);
        QCOMPARE(r.value(), ConnectionOptions {});
    }

    // Several servers for libpq to try in turn: every form it reads passes through as it is.
    void multiHostFormsPassThrough()
    {
        auto r = ConnectionOptions::parse(
            QStringLiteral("host=/run/a,/run/b port=5432,5433 dbname=app "
                           "target_session_attrs=read-write"));
        QVERIFY2(r, qPrintable(r ? QString() : r.error().toString()));
        QCOMPARE(r->host, QStringLiteral("/run/a,/run/b"));
        QCOMPARE(r->port, 0);
        QCOMPARE(r->extra.value(QStringLiteral("port")), QStringLiteral("5432,5433"));
        QCOMPARE(r->extra.value(QStringLiteral("target_session_attrs")),
                 QStringLiteral("read-write"));
        QCOMPARE(r->toConnInfo(),
                 QStringLiteral("host=/run/a,/run/b dbname=app port=5432,5433 "
                                "target_session_attrs=read-write"));
        // What it writes reads back the same.
        QCOMPARE(ConnectionOptions::parse(r->toConnInfo()).value(), r.value());
        // An empty entry means the default port; one port serves every host.
        r = ConnectionOptions::parse(QStringLiteral("host=a,b,c port=5432,,5434"));
        QVERIFY(r);
        QCOMPARE(r->extra.value(QStringLiteral("port")), QStringLiteral("5432,,5434"));
        r = ConnectionOptions::parse(QStringLiteral("host=a,b port=6000"));
        QVERIFY(r);
        QCOMPARE(r->port, 6000);
        QVERIFY(!r->extra.contains(QStringLiteral("port")));
        // hostaddr stays hostaddr (a name beside it is what TLS checks).
        r = ConnectionOptions::parse(
            QStringLiteral("host=db.example.org hostaddr=192.0.2.7,192.0.2.8 port=5432"));
        QVERIFY(r);
        QCOMPARE(r->host, QStringLiteral("db.example.org"));
        QCOMPARE(r->extra.value(QStringLiteral("hostaddr")), QStringLiteral("192.0.2.7,192.0.2.8"));
        QCOMPARE(r->port, 5432);

        // URLs: host1:p1,host2:p2, IPv6 in brackets, socket directories percent-encoded.
        r = ConnectionOptions::parse(QStringLiteral(
            "postgresql://ann@db1:5432,db2:5433,[::1]:5434/app?target_session_attrs=any"));
        QVERIFY2(r, qPrintable(r ? QString() : r.error().toString()));
        QCOMPARE(r->user, QStringLiteral("ann"));
        QCOMPARE(r->host, QStringLiteral("db1,db2,::1"));
        QCOMPARE(r->extra.value(QStringLiteral("port")), QStringLiteral("5432,5433,5434"));
        QCOMPARE(r->dbname, QStringLiteral("app"));
        QCOMPARE(r->extra.value(QStringLiteral("target_session_attrs")), QStringLiteral("any"));
        r = ConnectionOptions::parse(QStringLiteral("postgres://%2Frun%2Fa,%2Frun%2Fb:5433/app"));
        QVERIFY(r);
        QCOMPARE(r->host, QStringLiteral("/run/a,/run/b"));
        QCOMPARE(r->extra.value(QStringLiteral("port")), QStringLiteral(",5433"));
        r = ConnectionOptions::parse(QStringLiteral("postgres://db1,db2/app"));
        QVERIFY(r);
        QCOMPARE(r->host, QStringLiteral("db1,db2"));
        QCOMPARE(r->port, 0);
        QVERIFY(!r->extra.contains(QStringLiteral("port")));
        // The description names them all.
        r = ConnectionOptions::parse(QStringLiteral("host=a,b port=1,2 user=u dbname=d"));
        QCOMPARE(r->shortDescription(), QStringLiteral("u@a,b:1,2/d"));
    }

    void errors_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("no equals") << "host";
        QTest::newRow("bad port") << "port=abc";
        QTest::newRow("port range") << "port=70000";
        QTest::newRow("bad sslmode") << "sslmode=sometimes";
        QTest::newRow("unterminated quote") << "password='abc";
        QTest::newRow("bad timeout") << "connect_timeout=-1";
        QTest::newRow("url bad port") << "postgres://h:99999/db";
        QTest::newRow("url bad ipv6") << "postgres://[::1/db";
        QTest::newRow("url param without value") << "postgres://h/db?sslmode";
        QTest::newRow("bad keyword") << "ho$t=x";
        QTest::newRow("bad port in a list") << "host=a,b port=5432,x";
        QTest::newRow("port out of range in a list") << "host=a,b port=5432,70000";
        QTest::newRow("url bad port in a list") << "postgres://a:5432,b:x/db";
    }

    void errors()
    {
        QFETCH(QString, text);
        auto r = ConnectionOptions::parse(text);
        QVERIFY(!r);
        QCOMPARE(r.error().kind(), StoreError::Kind::InvalidInput);
        QVERIFY(!r.error().message().isEmpty());
    }

    void passwordIsNeverDisplayed()
    {
        auto r = ConnectionOptions::parse(
            QStringLiteral("postgres://ann:topsecret@h/db?sslpassword=alsosecret"));
        QVERIFY(r);
        QVERIFY(!r->toDisplayString().contains(QLatin1String("topsecret")));
        QVERIFY(!r->toDisplayString().contains(QLatin1String("alsosecret")));
        QVERIFY(r->toDisplayString().contains(QLatin1String("user=ann")));
        QVERIFY(!r->shortDescription().contains(QLatin1String("topsecret")));
        // The unmasked form round-trips.
        auto again = ConnectionOptions::parse(r->toConnInfo());
        QVERIFY(again);
        QCOMPARE(again.value(), r.value());
    }

    void quotingRoundTrips()
    {
        ConnectionOptions o;
        o.host = QStringLiteral("/tmp/dir with space");
        o.password = QStringLiteral("a'b\\c d=e");
        o.applicationName = QStringLiteral("x");
        auto again = ConnectionOptions::parse(o.toConnInfo());
        QVERIFY2(again, qPrintable(o.toConnInfo()));
        QCOMPARE(again.value(), o);
    }

    void appliesToQpsql()
    {
        auto r = ConnectionOptions::parse(
            QStringLiteral("host=h port=1234 dbname=d user=u password=p sslmode=disable "
                           "connect_timeout=4 application_name='a b'"));
        QVERIFY(r);
        {
            QSqlDatabase db
                = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("apply"));
            r->applyTo(db);
            QCOMPARE(db.hostName(), QStringLiteral("h"));
            QCOMPARE(db.port(), 1234);
            QCOMPARE(db.databaseName(), QStringLiteral("d"));
            QCOMPARE(db.userName(), QStringLiteral("u"));
            QCOMPARE(db.password(), QStringLiteral("p"));
            const QString opts = db.connectOptions();
            QVERIFY2(opts.contains(QLatin1String("sslmode=disable")), qPrintable(opts));
            QVERIFY2(opts.contains(QLatin1String("connect_timeout=4")), qPrintable(opts));
            QVERIFY2(opts.contains(QLatin1String("application_name='a b'")), qPrintable(opts));
        }
        QSqlDatabase::removeDatabase(QStringLiteral("apply"));
    }
};

QTEST_GUILESS_MAIN(TestConnectionOptions)
#include "tst_connectionoptions.moc"
