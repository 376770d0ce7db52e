// The browser's connection handling against a real PostgreSQL: it reconnects by itself after
// the server restarts, connects as a role that may only read (and then offers no writes),
// and reads its statistics without holding up page reads.
#include "browsertest.h"
#include "support/testdatabase.h"

#include "appenddialog.h"
#include "liveeventsmodel.h"
#include "liveview.h"
#include "mainwindow.h"
#include "relatedpane.h"
#include "storeworker.h"
#include "streameventsmodel.h"
#include "streamlistmodel.h"
#include "streamspane.h"
#include "streamview.h"

#include <eventium/embeddedpostgres.h>
#include <eventium/store.h>

#include <QAction>
#include <QFrame>
#include <QLabel>
#include <QPushButton>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QTreeWidget>

#include <QUuid>
#include <thread>

using namespace eventium;
using namespace eventium::ui;
using eventium::test::TestDatabase;
using namespace eventium::test;

namespace {

constexpr int kTimeout = kBrowserTimeout;

} // namespace

class TestBrowserConnection : public QObject
{
    Q_OBJECT

    std::unique_ptr<Store> m_store;
    std::unique_ptr<MainWindow> m_window;
    QString m_role;

    void openWindow(const QString &user = QString())
    {
        m_window = std::make_unique<MainWindow>(browserOptions(*m_store, user));
        EVENTIUM_SHOW_BROWSER(*m_window);
    }

    // Appends through the test's own store; right after a server restart its pooled
    // connections are dead and are replaced on the next tries.
    void append(const QString &stream, int count, const QString &type = QStringLiteral("Thing"))
    {
        QString lastError;
        for (int attempt = 0; attempt < 100; ++attempt) {
            auto r = m_store->append(StreamName(stream), ExpectedVersion::any(),
                                     numberedEvents(type, count));
            if (r) {
                QVERIFY(r->succeeded());
                for (int i = 0; i < 100; ++i) {
                    if (m_store->sequenceNow())
                        return;
                    QTest::qWait(100);
                }
                QFAIL("could not number the appended events");
            }
            lastError = r.error().toString();
            QVERIFY2(r.error().kind() == StoreError::Kind::ConnectionLost, qPrintable(lastError));
            QTest::qWait(100);
        }
        QFAIL(qPrintable(QStringLiteral("append kept failing: ") + lastError));
    }

private slots:
    void initTestCase()
    {
        EVENTIUM_REQUIRE_DB();
        QVERIFY2(TestDatabase::isEmbedded(), "the restart test needs the tests' own server");
        QCoreApplication::setOrganizationName(QStringLiteral("EventiumTests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_browser_connection"));
    }

    void init()
    {
        QString error;
        m_store = TestDatabase::freshStore({}, &error);
        QVERIFY2(m_store, qPrintable(error));
    }

    void cleanup()
    {
        m_window.reset();
        m_store.reset();
        if (!m_role.isEmpty()) {
            QString error;
            QVERIFY2(
                TestDatabase::execAdmin(QStringLiteral("DROP OWNED BY %1").arg(m_role), &error),
                qPrintable(error));
            QVERIFY2(TestDatabase::execAdmin(QStringLiteral("DROP ROLE %1").arg(m_role), &error),
                     qPrintable(error));
            m_role.clear();
        }
    }

    void reconnectsAfterTheServerRestarts()
    {
        append(QStringLiteral("before"), 2);
        openWindow();
        LiveEventsModel *live = m_window->liveView()->model();
        QTRY_COMPARE_WITH_TIMEOUT(live->rowCount(), 2, kTimeout);
        m_window->openStream(QStringLiteral("before"), 2);
        StreamView *view = m_window->streamView();
        QTRY_VERIFY_WITH_TIMEOUT(view->model()->eventAt(1).has_value(), kTimeout);
        const QString connectedText = m_window->connectionLabel()->text();
        QVERIFY(!connectedText.isEmpty());

        QSignalSpy states(m_window->worker(), &StoreWorker::connectionStateChanged);
        QString error;
        // Down for 3 s: the window's polls fail meanwhile ...
        QVERIFY2(TestDatabase::restartServer(&error, std::chrono::seconds(3)), qPrintable(error));

        // ... so it found out and said so in the status bar ...
        QTRY_VERIFY_WITH_TIMEOUT(!states.isEmpty(), kTimeout);
        QCOMPARE(states.first().at(0).toBool(), false);
        // ... and the live view does not claim to be following meanwhile ...
        QCOMPARE(m_window->liveView()->followStatus(), QStringLiteral("disconnected"));
        // ... every pane says the server is unreachable (what was loaded stays), a bar across
        // the top says why and offers a retry (a restart only for an embedded server) ...
        QVERIFY(m_window->outageBar()->isVisible());
        QVERIFY2(m_window->outageLabel()->text().startsWith(
                     QLatin1String("The server is not reachable (")),
                 qPrintable(m_window->outageLabel()->text()));
        QVERIFY(m_window->retryButton()->isVisible());
        QVERIFY(!m_window->restartButton()->isVisible());
        QVERIFY2(m_window->streamsPane()->countLabel()->text().endsWith(
                     QStringLiteral(" · server unreachable")),
                 qPrintable(m_window->streamsPane()->countLabel()->text()));
        QVERIFY(view->infoLabel()->text().contains(QLatin1String("server unreachable")));
        QVERIFY(view->model()->isOffline() && live->isOffline());
        QVERIFY(view->model()->eventAt(1).has_value()); // still on screen
        // The bar's text never widens the window, however long libpq's reason.
        QVERIFY(m_window->outageLabel()->sizePolicy().horizontalPolicy() == QSizePolicy::Ignored);
        // ... then reconnects by itself. (Each worker may notice the restart on its own, so
        // the state can go down and up more than once before it settles: wait for that.)
        QTRY_VERIFY_WITH_TIMEOUT(m_window->isConnected() && states.last().at(0).toBool()
                                     && m_window->connectionLabel()->text() == connectedText,
                                 kTimeout);
        // Back: the bar and the panes' warnings are gone.
        QVERIFY(!m_window->outageBar()->isVisible());
        QVERIFY(
            !m_window->streamsPane()->countLabel()->text().contains(QLatin1String("unreachable")));
        QVERIFY(!view->infoLabel()->text().contains(QLatin1String("unreachable")));
        QVERIFY(!view->model()->isOffline() && !live->isOffline());
        // "Reconnected" is said beside the server's description, never over it.
        QTRY_COMPARE_WITH_TIMEOUT(m_window->noticeLabel()->text(), QStringLiteral("Reconnected"),
                                  kTimeout);
        QVERIFY(m_window->connectionLabel()->isVisible());
        QVERIFY(m_window->noticeLabel()->isVisible());
        QVERIFY(!m_window->connectionLabel()->geometry().intersects(
            m_window->noticeLabel()->geometry()));

        // A quick restart may pass unnoticed (a dead pooled connection is found before
        // anything is sent on it, a read runs once more on a fresh one); either way the window
        // ends up connected.
        QVERIFY2(TestDatabase::restartServer(&error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(m_window->isConnected()
                                     && m_window->connectionLabel()->text() == connectedText,
                                 kTimeout);

        // New events show up in the live view (the follower resubscribed) and in the stream.
        append(QStringLiteral("before"), 1, QStringLiteral("AfterRestart"));
        QTRY_COMPARE_WITH_TIMEOUT(live->rowCount(), 3, kTimeout);
        QTRY_VERIFY_WITH_TIMEOUT(live->eventAt(2).has_value(), kTimeout);
        QCOMPARE(live->eventAt(2)->type, QStringLiteral("AfterRestart"));
        QCOMPARE(live->eventAt(2)->position.value, 3);
        QTRY_COMPARE_WITH_TIMEOUT(view->model()->rowCount(), 3, kTimeout);
        QTRY_VERIFY_WITH_TIMEOUT(view->model()->eventAt(2).has_value(), kTimeout);
        QCOMPARE(view->model()->eventAt(2)->type, QStringLiteral("AfterRestart"));
        // A stream created after the restart reaches the streams list too.
        append(QStringLiteral("after"), 1);
        QTRY_VERIFY_WITH_TIMEOUT(m_window->streamsModel()->rowOf(QStringLiteral("after")) >= 0,
                                 kTimeout);
        QVERIFY(m_window->isConnected());
        QCOMPARE(m_window->connectionLabel()->text(), connectedText);
    }

    // An embedded server that stops under the browser (a crash, another program) can be started
    // again from the bar that says it is down.
    // The Related Events pane says what it could not read while the server was away, and
    // reads it when the server is back.
    void relatedPaneReadsAgainAfterAnOutage()
    {
        QList<NewEvent> events;
        for (const QString &type : {QStringLiteral("Placed"), QStringLiteral("Paid")}) {
            NewEvent e;
            e.type = type;
            e.metadata = QByteArrayLiteral("{\"correlationId\": \"p-9\"}");
            events << e;
        }
        auto appended = m_store->append(StreamName(QStringLiteral("order-9")),
                                        ExpectedVersion::any(), events);
        QVERIFY2(appended && appended->succeeded(),
                 appended ? "conflict" : qPrintable(appended.error().toString()));
        QVERIFY(m_store->sequenceNow());
        openWindow();
        m_window->openStream(QStringLiteral("order-9"), 2);
        StreamView *view = m_window->streamView();
        QTRY_VERIFY_WITH_TIMEOUT(view->model()->eventAt(1).has_value(), kTimeout);
        clickRow(view->table(), 0);
        m_window->showRelated(*view->model()->eventAt(0));
        RelatedPane *pane = m_window->relatedPane();
        QTRY_VERIFY_WITH_TIMEOUT(
            !pane->isLoading() && pane->correlationList()->topLevelItemCount() == 2, kTimeout);

        // Down for 8 s, restarted on a thread of its own so that the window runs meanwhile.
        QString error;
        bool restarted = false;
        std::thread restart(
            [&] { restarted = TestDatabase::restartServer(&error, std::chrono::seconds(8)); });
        auto joinRestart = qScopeGuard([&] { restart.join(); });
        QTRY_VERIFY_WITH_TIMEOUT(!m_window->isConnected(), kTimeout);
        clickRow(view->table(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(pane->correlationLabel()->text().startsWith(
                                     QStringLiteral("Could not read the related events")),
                                 kTimeout);
        QCOMPARE(pane->correlationList()->topLevelItemCount(), 0);
        joinRestart.dismiss();
        restart.join();
        QVERIFY2(restarted, qPrintable(error));
        // Back: the selected event's relations, without touching anything.
        QTRY_VERIFY_WITH_TIMEOUT(m_window->isConnected(), kTimeout);
        QTRY_VERIFY_WITH_TIMEOUT(
            !pane->isLoading() && pane->correlationList()->topLevelItemCount() == 2, kTimeout);
        QCOMPARE(pane->correlationList()->topLevelItem(1)->text(0),
                 QStringLiteral("Paid  ◀ this event"));
    }

    void restartsAnEmbeddedServerThatStopped()
    {
        const EmbeddedPostgres::Settings temp = EmbeddedPostgres::temporarySettings();
        qputenv("EVENTIUM_DATA_DIR", temp.dataDir.toUtf8());
        auto cleanup = qScopeGuard([&] {
            m_window.reset();
            qunsetenv("EVENTIUM_DATA_DIR");
            EmbeddedPostgres remove(temp); // temporary: stops it if running, removes the files
        });
        MainWindow::Options options;
        options.target.embedded = true;
        options.restoreState = false;
        m_window = std::make_unique<MainWindow>(options);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        QTRY_VERIFY_WITH_TIMEOUT(m_window->isConnected(), 120000);
        QVERIFY(m_window->connectionInfo().embedded);

        // Stopped from outside.
        EmbeddedPostgres::Settings same = temp;
        same.temporary = false;
        EmbeddedPostgres outside(same);
        QVERIFY(outside.isRunning());
        auto stopped = outside.stop();
        QVERIFY2(stopped, stopped ? "" : qPrintable(stopped.error().toString()));
        QTRY_VERIFY_WITH_TIMEOUT(m_window->outageBar()->isVisible(), kTimeout);
        QVERIFY2(m_window->outageLabel()->text().startsWith(
                     QLatin1String("The embedded server is not reachable")),
                 qPrintable(m_window->outageLabel()->text()));
        QVERIFY(m_window->restartButton()->isVisible());
        QVERIFY(m_window->restartButton()->isEnabled());

        QTest::mouseClick(m_window->restartButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(m_window->isConnected() && !m_window->outageBar()->isVisible(),
                                 60000);
        QVERIFY(outside.isRunning());
        // It works again: an append through the window's worker lands.
        QSignalSpy appended(m_window->worker(), &StoreWorker::appended);
        m_window->worker()->append(QStringLiteral("after-restart"), ExpectedVersion::any(),
                                   numberedEvents(QStringLiteral("Thing"), 1));
        QTRY_COMPARE_WITH_TIMEOUT(appended.size(), 1, kTimeout);
        QTRY_VERIFY_WITH_TIMEOUT(
            m_window->streamsModel()->rowOf(QStringLiteral("after-restart")) >= 0, kTimeout);
    }

    void readOnlyRoleBrowsesButCannotAppend()
    {
        append(QStringLiteral("ro-1"), 3);
        append(QStringLiteral("ro-2"), 1);
        m_role
            = QStringLiteral("eventium_ro_") + QUuid::createUuid().toString(QUuid::Id128).left(12);
        const QString schema = QLatin1Char('"') + m_store->schema() + QLatin1Char('"');
        QString error;
        for (const QString &sql :
             {QStringLiteral("CREATE ROLE %1 LOGIN").arg(m_role),
              QStringLiteral("GRANT USAGE ON SCHEMA %1 TO %2").arg(schema, m_role),
              QStringLiteral("GRANT SELECT ON ALL TABLES IN SCHEMA %1 TO %2").arg(schema, m_role)})
            QVERIFY2(TestDatabase::execAdmin(sql, &error),
                     qPrintable(sql + QStringLiteral(": ") + error));

        openWindow(m_role);
        QVERIFY(m_window->connectionInfo().readOnly);
        QVERIFY2(m_window->connectionInfo().readOnlyReason.contains(m_role),
                 qPrintable(m_window->connectionInfo().readOnlyReason));
        QVERIFY(!m_window->appendAction()->isEnabled());
        auto *label = m_window->findChild<QLabel *>(QStringLiteral("readOnly"));
        QVERIFY(label);
        QVERIFY(label->isVisible());
        QCOMPARE(label->text(), QStringLiteral("read-only"));
        QVERIFY(m_window->appendAction()->toolTip().contains(QStringLiteral("Read-only")));
        // Neither the menu action nor its shortcut opens the dialog.
        QVERIFY(m_window->openAppendDialog() == nullptr);
        QTest::keyClick(m_window.get(), Qt::Key_N, Qt::ControlModifier);
        QTest::qWait(100);
        QVERIFY(m_window->findChild<AppendDialog *>() == nullptr);

        // Browsing works: the streams, one stream's events, the global sequence.
        StreamListModel *streams = m_window->streamsModel();
        QTRY_COMPARE_WITH_TIMEOUT(streams->rowCount(), 2, kTimeout);
        clickRow(m_window->streamsTable(), 0);
        StreamView *view = m_window->streamView();
        QTRY_COMPARE_WITH_TIMEOUT(view->stream(), QStringLiteral("ro-1"), kTimeout);
        QCOMPARE(view->model()->rowCount(), 3);
        QTRY_VERIFY_WITH_TIMEOUT(view->model()->eventAt(2).has_value(), kTimeout);
        QCOMPARE(view->model()->eventAt(2)->version.value, 3);
        m_window->tabs()->setCurrentWidget(m_window->liveView());
        LiveEventsModel *live = m_window->liveView()->model();
        QTRY_COMPARE_WITH_TIMEOUT(live->rowCount(), 4, kTimeout);
        QTRY_VERIFY_WITH_TIMEOUT(live->eventAt(3).has_value(), kTimeout);
        QCOMPARE(live->eventAt(3)->stream, QStringLiteral("ro-2"));

        // Events written by others still arrive while following.
        append(QStringLiteral("ro-1"), 2);
        QTRY_COMPARE_WITH_TIMEOUT(live->rowCount(), 6, kTimeout);
        QTRY_VERIFY_WITH_TIMEOUT(live->eventAt(5).has_value(), kTimeout);
        QCOMPARE(live->eventAt(5)->stream, QStringLiteral("ro-1"));
        QTRY_COMPARE_WITH_TIMEOUT(view->model()->rowCount(), 5, kTimeout);
        QVERIFY(!m_window->appendAction()->isEnabled());
    }

    // Statistics come from a thread and connection of their own: a request for them is
    // answered while a long queue of page reads is still being worked through.
    void statsDoNotWaitForPageReads()
    {
        append(QStringLiteral("bulk"), 1000);
        openWindow();
        StoreWorker *worker = m_window->worker();
        QSignalSpy reads(worker, &StoreWorker::globalRead);
        QSignalSpy stats(worker, &StoreWorker::statsReady);
        constexpr int kReads = 600;
        quint64 lastRead = 0;
        for (int i = 0; i < kReads; ++i)
            lastRead = worker->readAll(1 + (i % 4) * 250, 250);
        const quint64 statsToken = worker->fetchStats();
        auto statsArrived = [&] {
            for (const QList<QVariant> &args : std::as_const(stats)) {
                if (args.at(0).toULongLong() == statsToken)
                    return true;
            }
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(statsArrived(), kTimeout);
        const qsizetype readsBefore = reads.size();
        QTRY_VERIFY_WITH_TIMEOUT(!reads.isEmpty() && reads.last().at(0).toULongLong() == lastRead,
                                 60000);
        qInfo("stats answered after %lld of %d page reads", qint64(readsBefore), kReads);
        QVERIFY2(readsBefore < kReads / 2, qPrintable(QString::number(readsBefore)));
    }
};

QTEST_MAIN(TestBrowserConnection)
#include "tst_browser_connection.moc"
