// The embedded PostgreSQL: start, reuse, stop, and clear errors.
#include <eventium/embeddedpostgres.h>
#include <eventium/store.h>

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QTcpServer>
#include <QTest>

#include <unistd.h>

using namespace eventium;

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
        // Reachable over TCP on 127.0.0.1 too.
        ConnectionOptions tcp = pg.connectionOptions();
        tcp.host = QStringLiteral("127.0.0.1");
        StoreSettings ss;
        ss.runSequencer = false;
        Store store(tcp, ss);
        QVERIFY(store.ping());
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
