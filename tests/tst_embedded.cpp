// The embedded PostgreSQL: start, reuse, stop, and clear errors.
#include <eventium/embeddedpostgres.h>
#include <eventium/store.h>

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTest>

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace eventium;

namespace {

// A port on 127.0.0.1 that nothing listens on right now.
int freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

// The lines of pg_hba.conf that say something (no comments, no blank lines).
QStringList hbaRules(const EmbeddedPostgres &pg)
{
    QFile f(pg.hbaFile());
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QStringList rules;
    for (const QString &line : QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'))) {
        const QString rule = line.section(QLatin1Char('#'), 0, 0).simplified();
        if (!rule.isEmpty())
            rules << rule;
    }
    return rules;
}

// Runs one statement as the server's superuser through the Unix socket.
bool execAsOwner(const EmbeddedPostgres &pg, const QString &sql, QString *error)
{
    const QString name = QStringLiteral("owner-%1").arg(QRandomGenerator::global()->generate());
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
        pg.connectionOptions().applyTo(db);
        if (!db.open()) {
            *error = db.lastError().text();
        } else {
            QSqlQuery q(db);
            ok = q.exec(sql);
            if (!ok)
                *error = q.lastError().text();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

// SHOW name, as the server's superuser through the Unix socket; empty on failure.
QString showSetting(const EmbeddedPostgres &pg, const QString &name)
{
    const QString connection
        = QStringLiteral("show-%1").arg(QRandomGenerator::global()->generate());
    QString value;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connection);
        pg.connectionOptions().applyTo(db);
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(QStringLiteral("SELECT current_setting('%1')").arg(name)) && q.next())
                value = q.value(0).toString();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(connection);
    return value;
}

} // namespace

class TestEmbedded : public QObject
{
    Q_OBJECT

private slots:
    void startUseStopAndRestart()
    {
        auto settings = EmbeddedPostgres::temporarySettings();
        const QString dataDir = settings.dataDir;
        {
            EmbeddedPostgres pg(settings);
            QVERIFY(!pg.isRunning());
            QVERIFY(pg.status().startsWith(QLatin1String("not initialised")));
            auto started = pg.start();
            QVERIFY2(started, qPrintable(started ? QString() : started.error().toString()));
            QVERIFY(pg.isRunning());
            QVERIFY(pg.startedByThisObject());
            QVERIFY2(pg.status().startsWith(QLatin1String("running")), qPrintable(pg.status()));
            QVERIFY(QFileInfo::exists(dataDir + QStringLiteral("/PG_VERSION")));

            // A second handle on the same directory reuses the running server.
            EmbeddedPostgres::Settings again = settings;
            again.temporary = false;
            EmbeddedPostgres other(again);
            QVERIFY(other.start());
            QVERIFY(!other.startedByThisObject());

            StoreSettings ss;
            ss.runSequencer = false;
            {
                Store store(pg.connectionOptions(), ss);
                QVERIFY(store.migrate());
                auto r = store.append(StreamName("e"), ExpectedVersion::noStream(),
                                      {NewEvent {QStringLiteral("T"), "{}", {}, {}}});
                QVERIFY(r && r->succeeded());
            }
            QVERIFY(pg.stop());
            QVERIFY(!pg.isRunning());
            QVERIFY(pg.status().startsWith(QLatin1String("stopped")));
            // Data survives a restart.
            QVERIFY(pg.start());
            {
                Store store(pg.connectionOptions(), ss);
                auto info = store.streamInfo(StreamName("e"));
                QVERIFY(info && info.value().has_value());
            }
        }
        // A temporary server is stopped and its directory removed with its handle.
        QVERIFY(!QFileInfo::exists(dataDir));
    }

    // A tuned server's memory follows the machine's within its bounds, its WAL is compressed
    // and its checkpoints spaced; durability is untouched. Untuned: PostgreSQL's defaults.
    void tunedForTheMachineAndStillDurable()
    {
        constexpr qint64 gib = 1024LL * 1024 * 1024;
        const QStringList big = EmbeddedPostgres::tunedSettings(24 * gib);
        QVERIFY2(big.contains(QStringLiteral("shared_buffers = '1024MB'")),
                 qPrintable(big.join(u';')));
        QVERIFY(big.contains(QStringLiteral("effective_cache_size = '6144MB'")));
        const QStringList small = EmbeddedPostgres::tunedSettings(gib);
        QVERIFY2(small.contains(QStringLiteral("shared_buffers = '128MB'")),
                 qPrintable(small.join(u';')));
        QVERIFY(small.contains(QStringLiteral("effective_cache_size = '512MB'")));
        const QStringList mid = EmbeddedPostgres::tunedSettings(8 * gib);
        QVERIFY2(mid.contains(QStringLiteral("shared_buffers = '512MB'")),
                 qPrintable(mid.join(u';')));
        for (const QString &line : big + small) {
            for (const char *durability : {"fsync", "synchronous_commit", "full_page_writes"})
                QVERIFY2(!line.startsWith(QLatin1String(durability)), qPrintable(line));
        }

        // What this machine gets, read back from a running durable server.
        QString expectedBuffers;
        for (const QString &line : EmbeddedPostgres::tunedSettings())
            if (line.startsWith(QLatin1String("shared_buffers = '")))
                expectedBuffers = line.section(QLatin1Char('\''), 1, 1);
        QVERIFY(!expectedBuffers.isEmpty());
        auto settings = EmbeddedPostgres::temporarySettings();
        settings.durable = true;
        settings.tuned = true;
        {
            EmbeddedPostgres pg(settings);
            auto started = pg.start();
            QVERIFY2(started, qPrintable(started ? QString() : started.error().toString()));
            const qint64 mb = expectedBuffers.chopped(2).toLongLong();
            QCOMPARE(showSetting(pg, QStringLiteral("shared_buffers")),
                     mb % 1024 == 0 ? QStringLiteral("%1GB").arg(mb / 1024)
                                    : QStringLiteral("%1MB").arg(mb));
            QCOMPARE(showSetting(pg, QStringLiteral("wal_compression")), QStringLiteral("pglz"));
            QCOMPARE(showSetting(pg, QStringLiteral("checkpoint_timeout")),
                     QStringLiteral("15min"));
            QCOMPARE(showSetting(pg, QStringLiteral("max_wal_size")), QStringLiteral("2GB"));
            QCOMPARE(showSetting(pg, QStringLiteral("fsync")), QStringLiteral("on"));
            QCOMPARE(showSetting(pg, QStringLiteral("synchronous_commit")), QStringLiteral("on"));
            QCOMPARE(showSetting(pg, QStringLiteral("full_page_writes")), QStringLiteral("on"));
        }
        settings = EmbeddedPostgres::temporarySettings();
        settings.tuned = false;
        {
            EmbeddedPostgres pg(settings);
            QVERIFY(pg.start());
            QCOMPARE(showSetting(pg, QStringLiteral("shared_buffers")), QStringLiteral("128MB"));
            QCOMPARE(showSetting(pg, QStringLiteral("checkpoint_timeout")), QStringLiteral("5min"));
        }
    }

    void tcpPortAndBusyPort()
    {
        QTcpServer blocker;
        QVERIFY(blocker.listen(QHostAddress::LocalHost, 0));
        auto settings = EmbeddedPostgres::temporarySettings();
        settings.tcpPort = blocker.serverPort();
        EmbeddedPostgres pg(settings);
        auto r = pg.start();
        QVERIFY(!r);
        QCOMPARE(r.error().kind(), StoreError::Kind::Embedded);
        QVERIFY2(r.error().message().contains(QLatin1String("busy")),
                 qPrintable(r.error().message()));
        blocker.close();
        auto ok = pg.start();
        QVERIFY2(ok, qPrintable(ok ? QString() : ok.error().toString()));
        // Reachable over TCP on 127.0.0.1 too, with the password the options carry.
        const ConnectionOptions tcp = pg.tcpConnectionOptions();
        QCOMPARE(tcp.host, QStringLiteral("127.0.0.1"));
        QCOMPARE(tcp.port, settings.tcpPort);
        QVERIFY(!tcp.password.isEmpty());
        StoreSettings ss;
        ss.runSequencer = false;
        Store store(tcp, ss);
        QVERIFY(store.ping());
    }

    void tcpNeedsThePassword()
    {
        // Neither the environment nor ~/.pgpass may supply a password behind the test's back.
        qunsetenv("PGPASSWORD");
        qputenv("PGPASSFILE", "/nonexistent/eventium-test-pgpass");
        auto settings = EmbeddedPostgres::temporarySettings();
        settings.tcpPort = freePort();
        QVERIFY(settings.tcpPort > 0);
        EmbeddedPostgres pg(settings);
        auto started = pg.start();
        QVERIFY2(started, qPrintable(started ? QString() : started.error().toString()));

        const ConnectionOptions tcp = pg.tcpConnectionOptions();
        QCOMPARE(tcp.password.size(), 32);
        auto ok = Store::testConnection(tcp);
        QVERIFY2(ok, qPrintable(ok ? QString() : ok.error().toString()));
        QCOMPARE(ok->user, QStringLiteral("eventium"));

        // Without the password, or with a wrong one: refused, and the message says why.
        ConnectionOptions none = tcp;
        none.password.clear();
        auto refused = Store::testConnection(none);
        QVERIFY(!refused);
        QVERIFY2(refused.error().message().contains(QLatin1String("no password supplied")),
                 qPrintable(refused.error().message()));
        ConnectionOptions wrong = tcp;
        wrong.password = QStringLiteral("not-the-password");
        refused = Store::testConnection(wrong);
        QVERIFY(!refused);
        QVERIFY2(refused.error().message().contains(
                     QLatin1String("password authentication failed for user \"eventium\"")),
                 qPrintable(refused.error().message()));
        // Another role over TCP gets no further.
        ConnectionOptions other = tcp;
        other.user = QStringLiteral("postgres");
        QVERIFY(!Store::testConnection(other));

        // The socket needs no password.
        ConnectionOptions socket = pg.connectionOptions();
        QVERIFY(socket.password.isEmpty());
        QVERIFY(Store::testConnection(socket));

        // The password file: 0600, owned by the server's user, in the data directory.
        QCOMPARE(QFileInfo(pg.passwordFile()).absolutePath(), settings.dataDir);
        struct stat st
        {
        };
        QCOMPARE(::stat(QFile::encodeName(pg.passwordFile()).constData(), &st), 0);
        QCOMPARE(st.st_mode & 07777, mode_t(0600));
        if (::geteuid() == 0)
            QCOMPARE(st.st_uid, ::getpwnam("postgres")->pw_uid);
        else
            QCOMPARE(st.st_uid, ::geteuid());

        // pg_hba.conf: trust for the local socket only, scram-sha-256 for every host line.
        const QStringList rules = hbaRules(pg);
        QVERIFY(!rules.isEmpty());
        int hostRules = 0;
        for (const QString &rule : rules) {
            const QStringList fields = rule.split(QLatin1Char(' '));
            if (fields.first() == QLatin1String("local"))
                continue;
            ++hostRules;
            QVERIFY2(fields.first() == QLatin1String("host"), qPrintable(rule));
            QVERIFY2(!rule.contains(QLatin1String("trust")), qPrintable(rule));
            QCOMPARE(fields.last(), QStringLiteral("scram-sha-256"));
        }
        QVERIFY(hostRules > 0);

        // The password is never displayed.
        QVERIFY(!pg.status().contains(tcp.password));
        QVERIFY(!tcp.toDisplayString().contains(tcp.password));
        QVERIFY(tcp.toDisplayString().contains(QLatin1String("********")));

        // A restart keeps the password.
        QVERIFY(pg.stop());
        QVERIFY(pg.start());
        QCOMPARE(pg.tcpConnectionOptions().password, tcp.password);
        QVERIFY(Store::testConnection(tcp));
    }

    void upgradesADataDirectoryThatTrustedTcp()
    {
        qunsetenv("PGPASSWORD");
        qputenv("PGPASSFILE", "/nonexistent/eventium-test-pgpass");
        // A data directory as older versions left it: no password, TCP trusted.
        auto settings = EmbeddedPostgres::temporarySettings();
        settings.tcpPort = freePort();
        EmbeddedPostgres pg(settings);
        QVERIFY(pg.start());
        QString error;
        QVERIFY2(execAsOwner(pg, QStringLiteral("ALTER ROLE eventium PASSWORD NULL"), &error),
                 qPrintable(error));
        QVERIFY(pg.stop());
        QVERIFY(QFile::remove(pg.passwordFile()));
        {
            QFile hba(pg.hbaFile());
            QVERIFY(hba.open(QIODevice::WriteOnly | QIODevice::Truncate));
            hba.write("local all all trust\nhost all all 127.0.0.1/32 trust\n"
                      "host all all ::1/128 trust\n");
        }

        // The next start upgrades it: a new password, set on the role; TCP needs it.
        auto started = pg.start();
        QVERIFY2(started, qPrintable(started ? QString() : started.error().toString()));
        QVERIFY(QFileInfo::exists(pg.passwordFile()));
        for (const QString &rule : hbaRules(pg)) {
            if (rule.contains(QLatin1String("trust")))
                QVERIFY2(rule.startsWith(QLatin1String("local ")), qPrintable(rule));
        }
        const ConnectionOptions tcp = pg.tcpConnectionOptions();
        QVERIFY(!tcp.password.isEmpty());
        auto ok = Store::testConnection(tcp);
        QVERIFY2(ok, qPrintable(ok ? QString() : ok.error().toString()));
        ConnectionOptions none = tcp;
        none.password.clear();
        QVERIFY(!Store::testConnection(none));
    }

    void reusedServerStopsTrustingTcp()
    {
        qunsetenv("PGPASSWORD");
        qputenv("PGPASSFILE", "/nonexistent/eventium-test-pgpass");
        // A running server whose pg_hba.conf trusts TCP (as an older version wrote it) is
        // fixed by the next handle that reuses it, without a restart.
        auto settings = EmbeddedPostgres::temporarySettings();
        settings.tcpPort = freePort();
        EmbeddedPostgres pg(settings);
        QVERIFY(pg.start());
        {
            QFile hba(pg.hbaFile());
            QVERIFY(hba.open(QIODevice::WriteOnly | QIODevice::Truncate));
            hba.write("local all all trust\nhost all all 127.0.0.1/32 trust\n");
        }
        QString error;
        QVERIFY2(execAsOwner(pg, QStringLiteral("SELECT pg_reload_conf()"), &error),
                 qPrintable(error));
        ConnectionOptions none = pg.tcpConnectionOptions();
        none.password.clear();
        QTRY_VERIFY_WITH_TIMEOUT(bool(Store::testConnection(none)), 10000);

        EmbeddedPostgres::Settings again = settings;
        again.temporary = false;
        EmbeddedPostgres other(again);
        QVERIFY(other.start());
        QVERIFY(!other.startedByThisObject());
        QTRY_VERIFY_WITH_TIMEOUT(!Store::testConnection(none), 10000);
        QVERIFY(Store::testConnection(other.tcpConnectionOptions()));
    }

    void missingBinaries()
    {
        auto settings = EmbeddedPostgres::temporarySettings();
        settings.binDir = QStringLiteral("/nonexistent/postgresql/bin");
        EmbeddedPostgres pg(settings);
        auto r = pg.start();
        QVERIFY(!r);
        QCOMPARE(r.error().kind(), StoreError::Kind::Embedded);
        QVERIFY2(r.error().message().contains(QLatin1String("binaries not found")),
                 qPrintable(r.error().message()));
        QVERIFY(r.error().message().contains(QLatin1String("postgresql")));
    }

    void unusableDataDirectory()
    {
        EmbeddedPostgres::Settings settings;
        settings.dataDir = QStringLiteral("/proc/eventium-cannot-create-this");
        EmbeddedPostgres pg(settings);
        auto r = pg.start();
        QVERIFY(!r);
        QCOMPARE(r.error().kind(), StoreError::Kind::Embedded);
        QVERIFY2(r.error().message().contains(QLatin1String("/proc/eventium-cannot-create-this")),
                 qPrintable(r.error().message()));
    }

    void lockedDataDirectory()
    {
        // The data directory's postmaster.pid names a live process of the server's user that
        // does not answer as PostgreSQL: reported clearly, nothing clobbered.
        auto settings = EmbeddedPostgres::temporarySettings();
        EmbeddedPostgres pg(settings);
        QVERIFY(pg.start());
        QVERIFY(pg.stop());
        QProcess holder;
        if (::geteuid() == 0)
            holder.start(QStringLiteral("runuser"),
                         {QStringLiteral("-u"), QStringLiteral("postgres"), QStringLiteral("--"),
                          QStringLiteral("sleep"), QStringLiteral("60")});
        else
            holder.start(QStringLiteral("sleep"), {QStringLiteral("60")});
        QVERIFY(holder.waitForStarted());
        QTest::qWait(200);
        // runuser forks; its sleeping child is the process to name.
        QByteArray pid = QByteArray::number(holder.processId());
        QProcess pgrep;
        pgrep.start(QStringLiteral("pgrep"), {QStringLiteral("-P"), QString::fromLatin1(pid)});
        QVERIFY(pgrep.waitForFinished());
        if (const QByteArray child = pgrep.readAll().trimmed(); !child.isEmpty())
            pid = child;
        QFile pidFile(settings.dataDir + QStringLiteral("/postmaster.pid"));
        QVERIFY(pidFile.open(QIODevice::WriteOnly));
        pidFile.write(pid + "\n" + settings.dataDir.toUtf8() + "\n0\n5432\n"
                      + settings.dataDir.toUtf8() + "\n\n");
        pidFile.close();
        auto r = pg.start();
        QVERIFY(!r);
        QCOMPARE(r.error().kind(), StoreError::Kind::Embedded);
        QVERIFY2(r.error().message().contains(QLatin1String("locked by process ")
                                              + QString::fromLatin1(pid)),
                 qPrintable(r.error().message()));
        holder.kill();
        QProcess::execute(QStringLiteral("kill"), {QString::fromLatin1(pid)});
        holder.waitForFinished();
        QFile::remove(settings.dataDir + QStringLiteral("/postmaster.pid"));
    }

    void defaultDataDirectory()
    {
        qputenv("EVENTIUM_DATA_DIR", "/tmp/somewhere/eventium");
        QCOMPARE(EmbeddedPostgres::defaultDataDir(), QStringLiteral("/tmp/somewhere/eventium"));
        // An empty dataDir means the default, and settings() says which directory that is.
        QCOMPARE(EmbeddedPostgres(EmbeddedPostgres::Settings {}).settings().dataDir,
                 QStringLiteral("/tmp/somewhere/eventium"));
        qputenv("EVENTIUM_DATA_DIR", "relative/dir");
        QCOMPARE(EmbeddedPostgres(EmbeddedPostgres::Settings {}).settings().dataDir,
                 QDir::current().absoluteFilePath(QStringLiteral("relative/dir")));
        qunsetenv("EVENTIUM_DATA_DIR");
        const QString dir = EmbeddedPostgres::defaultDataDir();
        QVERIFY(dir.endsWith(QLatin1String("eventium/postgres")));
    }
};

QTEST_GUILESS_MAIN(TestEmbedded)
#include "tst_embedded.moc"
