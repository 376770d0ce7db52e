// TLS, verified: the store and the CLI against a server with a certificate for "localhost"
// signed by a test CA. verify-full connects and the session is encrypted; a host name the
// certificate does not name and a CA that did not sign it are refused with libpq's reasons;
// sslmode=require encrypts without checking anything about the certificate.
#include "support/logcapture.h"
#include "support/tlsserver.h"

#include <eventium/store.h>

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QUrl>
#include <QUuid>

using namespace eventium;
using eventium::test::TlsServer;

namespace {

// A name the server's certificate does not hold, reached at the server's address: libpq
// connects to hostaddr and checks the certificate against host.
const QString kWrongName = QStringLiteral("not-in-the-certificate.example");
// libpq's words for the two refusals.
const QString kNameMismatch = QStringLiteral("does not match host name \"%1\"").arg(kWrongName);
const QString kUntrusted = QStringLiteral("certificate verify failed");

ConnectionOptions wrongName(ConnectionOptions o)
{
    o.host = kWrongName;
    o.extra.insert(QStringLiteral("hostaddr"), QStringLiteral("127.0.0.1"));
    return o;
}

QString uniqueSchema()
{
    return QStringLiteral("tls_") + QUuid::createUuid().toString(QUuid::Id128).left(16);
}

struct Run
{
    int code = -1;
    QByteArray out;
    QByteArray err;

    QString describe() const
    {
        return QStringLiteral("exit %1, stdout: %2, stderr: %3")
            .arg(code)
            .arg(QString::fromUtf8(out.left(600)), QString::fromUtf8(err.left(600)));
    }
};

// Runs one statement on a connection of its own; the first column of the first row.
QVariant queryOne(const ConnectionOptions &options, const QString &sql, const QVariantList &binds,
                  QString *error)
{
    const QString name = QStringLiteral("tls-%1").arg(QRandomGenerator::global()->generate());
    QVariant value;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
        options.applyTo(db);
        if (!db.open()) {
            *error = db.lastError().text();
        } else {
            QSqlQuery q(db);
            q.prepare(sql);
            for (const QVariant &bind : binds)
                q.addBindValue(bind);
            if (!q.exec())
                *error = q.lastError().text();
            else if (!q.next())
                *error = QStringLiteral("no row: %1").arg(sql);
            else
                value = q.value(0);
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return value;
}

} // namespace

class TestTls : public QObject
{
    Q_OBJECT

    TlsServer m_server;

    // The CLI with this connection string; the password goes in the environment, never on
    // the command line.
    Run cli(const ConnectionOptions &options, const QStringList &args) const
    {
        ConnectionOptions withoutPassword = options;
        withoutPassword.password.clear();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("DATABASE_URL"));
        env.remove(QStringLiteral("EVENTIUM_SCHEMA"));
        env.insert(QStringLiteral("PGPASSWORD"), options.password);
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(EVENTIUM_CLI_PATH),
                QStringList {QStringLiteral("--db"), withoutPassword.toConnInfo(),
                             QStringLiteral("--schema"), uniqueSchema()}
                    + args);
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

private slots:
    void initTestCase()
    {
        // Only what each test says decides how libpq connects.
        for (const char *name : {"PGSSLMODE", "PGSSLROOTCERT", "PGHOST", "PGHOSTADDR", "PGPORT",
                                 "PGREQUIRESSL", "PGSERVICE", "DATABASE_URL"})
            qunsetenv(name);
        QString error;
        QVERIFY2(m_server.start(&error), qPrintable(error));
        QVERIFY(m_server.port() > 0);
        QVERIFY(!m_server.password().isEmpty());
    }

    void storeWithVerifyFullIsEncrypted()
    {
        ConnectionOptions options
            = m_server.options(QStringLiteral("verify-full"), m_server.caFile());
        options.applicationName = QStringLiteral("tst_tls_store");

        auto info = Store::testConnection(options);
        QVERIFY2(info, qPrintable(info ? QString() : info.error().toString()));
        QVERIFY(info->ssl);
        QVERIFY2(info->sslVersion.startsWith(QLatin1String("TLSv1.")),
                 qPrintable(info->sslVersion));
        QVERIFY(!info->sslCipher.isEmpty());
        QCOMPARE(info->sslMode, QStringLiteral("verify-full"));
        QVERIFY(info->sslCertificateVerified);
        QVERIFY(info->sslHostNameVerified);
        QCOMPARE(info->user, QStringLiteral("eventium"));

        // The store's own connections: migrate, append, read back.
        StoreSettings settings;
        settings.schema = uniqueSchema();
        settings.runSequencer = false;
        Store store(options, settings);
        auto migrated = store.migrate();
        QVERIFY2(migrated, qPrintable(migrated ? QString() : migrated.error().toString()));
        auto appended
            = store.append(StreamName("tls-1"), ExpectedVersion::noStream(),
                           {NewEvent {QStringLiteral("Opened"), R"({"over":"tls"})", {}, {}},
                            NewEvent {QStringLiteral("Closed"), "{}", {}, {}}});
        QVERIFY2(appended, qPrintable(appended ? QString() : appended.error().toString()));
        QVERIFY(appended->succeeded());
        QCOMPARE(appended->lastVersion.value, qint64(2));
        auto events = store.readStream(StreamName("tls-1"), StreamVersion(1));
        QVERIFY2(events, qPrintable(events ? QString() : events.error().toString()));
        QCOMPARE(events->size(), 2);
        QCOMPARE(events->at(0).type, QStringLiteral("Opened"));
        QCOMPARE(QJsonDocument::fromJson(events->at(0).data).object().value(QStringLiteral("over")),
                 QJsonValue(QStringLiteral("tls")));
        QCOMPARE(events->at(1).type, QStringLiteral("Closed"));
        auto head = store.sequenceNow();
        QVERIFY2(head, qPrintable(head ? QString() : head.error().toString()));
        auto page = store.readAll(GlobalPosition(1));
        QVERIFY2(page, qPrintable(page ? QString() : page.error().toString()));
        QCOMPARE(page->events.size(), 2);

        // The session itself says it is encrypted.
        QString error;
        const QVariant ssl = queryOne(
            options, QStringLiteral("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"), {},
            &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(ssl.toBool(), true);

        // And so does every connection the store's pool holds open, seen from the server's
        // side through its Unix socket.
        const QVariant unencrypted
            = queryOne(m_server.socketOptions(),
                       QStringLiteral("SELECT count(*) FILTER (WHERE NOT s.ssl) * 1000 + count(*) "
                                      "FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) "
                                      "WHERE a.application_name = ?"),
                       {options.applicationName}, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const qlonglong counts = unencrypted.toLongLong();
        QVERIFY2(counts % 1000 >= 1, qPrintable(QString::number(counts))); // the store's
        QCOMPARE(counts / 1000, 0); // none of them plain
    }

    void storeRefusesAHostNameNotInTheCertificate()
    {
        const ConnectionOptions options
            = wrongName(m_server.options(QStringLiteral("verify-full"), m_server.caFile()));
        auto info = Store::testConnection(options);
        QVERIFY(!info);
        qInfo("wrong host name: %s", qPrintable(info.error().toString()));
        QCOMPARE(info.error().kind(), StoreError::Kind::ConnectionLost);
        QVERIFY2(info.error().message().contains(kNameMismatch),
                 qPrintable(info.error().message()));
        QVERIFY2(info.error().message().contains(QLatin1String("server certificate")),
                 qPrintable(info.error().message()));
        QVERIFY(!info.error().toString().contains(m_server.password()));

        StoreSettings settings;
        settings.schema = uniqueSchema();
        settings.runSequencer = false;
        Store store(options, settings);
        auto pinged = store.ping();
        QVERIFY(!pinged);
        QVERIFY2(pinged.error().message().contains(kNameMismatch),
                 qPrintable(pinged.error().message()));

        // The same name with verify-ca (the CA only) connects: the refusal above is the name's.
        ConnectionOptions caOnly = options;
        caOnly.sslmode = QStringLiteral("verify-ca");
        auto ok = Store::testConnection(caOnly);
        QVERIFY2(ok, qPrintable(ok ? QString() : ok.error().toString()));
        QVERIFY(ok->ssl);
        QVERIFY(ok->sslCertificateVerified);
        QVERIFY(!ok->sslHostNameVerified);

        // 127.0.0.1 is in the certificate as an address: verify-full accepts it.
        ConnectionOptions byAddress
            = m_server.options(QStringLiteral("verify-full"), m_server.caFile());
        byAddress.host = QStringLiteral("127.0.0.1");
        auto address = Store::testConnection(byAddress);
        QVERIFY2(address, qPrintable(address ? QString() : address.error().toString()));
        QVERIFY(address->sslHostNameVerified);
    }

    void storeRefusesAnUntrustedCa()
    {
        for (const QString &mode : {QStringLiteral("verify-full"), QStringLiteral("verify-ca")}) {
            const ConnectionOptions options = m_server.options(mode, m_server.otherCaFile());
            auto info = Store::testConnection(options);
            QVERIFY2(!info, qPrintable(mode));
            qInfo("untrusted CA (%s): %s", qPrintable(mode), qPrintable(info.error().toString()));
            QCOMPARE(info.error().kind(), StoreError::Kind::ConnectionLost);
            QVERIFY2(info.error().message().contains(kUntrusted),
                     qPrintable(info.error().message()));
            QVERIFY(!info.error().toString().contains(m_server.password()));
        }
    }

    // sslmode=require encrypts but checks nothing about the certificate: with no root
    // certificate libpq takes whatever the server shows (signed by a CA it does not know,
    // for a name it was not asked for). Only verify-ca / verify-full protect against a server
    // that is not the one asked for.
    void requireEncryptsWithoutVerifying()
    {
        const ConnectionOptions options = m_server.options(QStringLiteral("require"));
        QVERIFY(!options.extra.contains(QStringLiteral("sslrootcert")));
        auto info = Store::testConnection(options);
        QVERIFY2(info, qPrintable(info ? QString() : info.error().toString()));
        QVERIFY(info->ssl);
        QCOMPARE(info->sslMode, QStringLiteral("require"));
        QVERIFY(!info->sslCertificateVerified);
        QVERIFY(!info->sslHostNameVerified);

        auto anyName = Store::testConnection(wrongName(options));
        QVERIFY2(anyName, qPrintable(anyName ? QString() : anyName.error().toString()));
        QVERIFY(anyName->ssl);

        StoreSettings settings;
        settings.schema = uniqueSchema();
        settings.runSequencer = false;
        Store store(options, settings);
        auto migrated = store.migrate();
        QVERIFY2(migrated, qPrintable(migrated ? QString() : migrated.error().toString()));

        // sslmode=disable on the same port: a plain session.
        auto plain = Store::testConnection(m_server.options(QStringLiteral("disable")));
        QVERIFY2(plain, qPrintable(plain ? QString() : plain.error().toString()));
        QVERIFY(!plain->ssl);
        QVERIFY(plain->sslVersion.isEmpty());
        QVERIFY(!plain->sslCertificateVerified);
    }

    void cliWithVerifyFull()
    {
        const Run r = cli(m_server.options(QStringLiteral("verify-full"), m_server.caFile()),
                          {QStringLiteral("stats")});
        QVERIFY2(r.code == 0, qPrintable(r.describe()));
        const QJsonObject stats = QJsonDocument::fromJson(r.out).object();
        QVERIFY2(stats.contains(QStringLiteral("events")), qPrintable(r.describe()));
        QCOMPARE(stats.value(QStringLiteral("events")).toInteger(), 0);
    }

    void cliRefusesAWrongHostNameAndAnUntrustedCa()
    {
        const Run name
            = cli(wrongName(m_server.options(QStringLiteral("verify-full"), m_server.caFile())),
                  {QStringLiteral("stats")});
        qInfo("CLI, wrong host name: %s", name.err.trimmed().constData());
        QVERIFY2(name.code == 5, qPrintable(name.describe()));
        QVERIFY2(QString::fromUtf8(name.err).contains(kNameMismatch), qPrintable(name.describe()));
        QVERIFY(!name.err.contains(m_server.password().toUtf8()));
        QCOMPARE(name.out, QByteArray());

        const Run ca = cli(m_server.options(QStringLiteral("verify-full"), m_server.otherCaFile()),
                           {QStringLiteral("stats")});
        qInfo("CLI, untrusted CA: %s", ca.err.trimmed().constData());
        QVERIFY2(ca.code == 5, qPrintable(ca.describe()));
        QVERIFY2(QString::fromUtf8(ca.err).contains(kUntrusted), qPrintable(ca.describe()));
        QVERIFY(!ca.err.contains(m_server.password().toUtf8()));
        QCOMPARE(ca.out, QByteArray());

        // sslmode=require takes the server whatever its certificate says.
        const Run require = cli(wrongName(m_server.options(QStringLiteral("require"))),
                                {QStringLiteral("stats")});
        QVERIFY2(require.code == 0, qPrintable(require.describe()));
    }

    // A password given in a connection string shows up nowhere: not in any log line (every
    // category at debug), error message or display string of the library, nor in anything the
    // CLI prints with --verbose, for a failed and a successful connection.
    void passwordsAppearNowhere()
    {
        const test::LogCapture log;

        const ConnectionOptions good
            = m_server.options(QStringLiteral("verify-full"), m_server.caFile());
        ConnectionOptions bad = good;
        bad.password = QStringLiteral("Wr0ng-") + QUuid::createUuid().toString(QUuid::Id128);
        const QStringList secrets {good.password, bad.password};
        QStringList texts;
        for (const ConnectionOptions &o : {good, bad}) {
            texts << o.toDisplayString();
            auto tested = Store::testConnection(o);
            texts << (tested ? tested->serverVersion : tested.error().toString());
            StoreSettings settings;
            settings.schema = uniqueSchema();
            Store store(o, settings);
            auto migrated = store.migrate();
            texts << (migrated ? QString() : migrated.error().toString());
            auto appended
                = store.append(StreamName(QStringLiteral("p")), ExpectedVersion::any(), {[] {
                                   NewEvent e;
                                   e.type = QStringLiteral("T");
                                   e.data = "{}";
                                   return e;
                               }()});
            texts << (appended ? QString() : appended.error().toString());
            QCOMPARE(bool(appended), o.password == good.password);
        }
        // The CLI, the password in the URL and the keyword string as users type them.
        for (const ConnectionOptions &o : {good, bad}) {
            QString url = QStringLiteral("postgres://")
                + QString::fromUtf8(QUrl::toPercentEncoding(o.user)) + QLatin1Char(':')
                + QString::fromUtf8(QUrl::toPercentEncoding(o.password)) + QLatin1Char('@') + o.host
                + QLatin1Char(':') + QString::number(o.port) + QLatin1Char('/') + o.dbname
                + QStringLiteral("?sslmode=") + o.sslmode;
            for (auto it = o.extra.cbegin(); it != o.extra.cend(); ++it)
                url += QLatin1Char('&') + it.key() + QLatin1Char('=')
                    + QString::fromUtf8(QUrl::toPercentEncoding(it.value()));
            for (const QString &db : {o.toConnInfo(), url}) {
                QVERIFY(db.contains(o.password)); // it is given, and must not come back
                QProcess p;
                QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
                env.remove(QStringLiteral("DATABASE_URL"));
                env.remove(QStringLiteral("PGPASSWORD"));
                p.setProcessEnvironment(env);
                p.start(QStringLiteral(EVENTIUM_CLI_PATH),
                        {QStringLiteral("--verbose"), QStringLiteral("--db"), db,
                         QStringLiteral("--schema"), uniqueSchema(), QStringLiteral("stats")});
                QVERIFY(p.waitForFinished(60000));
                QCOMPARE(p.exitCode() == 0, o.password == good.password);
                texts << QString::fromUtf8(p.readAllStandardOutput())
                      << QString::fromUtf8(p.readAllStandardError());
            }
        }
        const QStringList captured = log.lines();
        texts += captured;
        QVERIFY(captured.size() > 3); // the logs were really looked at
        // Where options are shown, the password is there masked.
        QVERIFY(std::any_of(texts.cbegin(), texts.cend(), [](const QString &t) {
            return t.contains(QLatin1String("********"));
        }));
        for (const QString &text : std::as_const(texts)) {
            for (const QString &secret : secrets)
                QVERIFY2(
                    !text.contains(secret),
                    qPrintable(QStringLiteral("leaked in: ")
                               + text.left(300).replace(secret, QStringLiteral("<password>"))));
        }
    }
};

QTEST_GUILESS_MAIN(TestTls)
#include "tst_tls.moc"
