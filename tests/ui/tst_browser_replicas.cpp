// The browser on a primary and a hot standby: the connect dialog's read connection (tested
// like the main one, saying primary or standby), the status bar's role and lag of what the
// browser reads from, and the Live tab's banner when a failover lost commits it had shown.
#include "browsertest.h"
#include "support/replicaset.h"

#include "connectdialog.h"
#include "liveeventsmodel.h"
#include "liveview.h"
#include "mainwindow.h"
#include "storeworker.h"
#include "streamlistmodel.h"

#include <eventium/store.h>

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFrame>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QTest>
#include <QThread>

using namespace eventium;
using namespace eventium::ui;
using eventium::test::ReplicaSet;

namespace {

constexpr int kTimeout = 30000;
const QString kSchema = QStringLiteral("browser");

void enter(QComboBox *combo, const QString &text)
{
    combo->lineEdit()->clear();
    QTest::keyClicks(combo->lineEdit(), text);
}

// A store on `writer` with the test's schema, migrated.
std::unique_ptr<Store> migratedStore(const ConnectionOptions &writer)
{
    StoreSettings s;
    s.schema = kSchema;
    s.runSequencer = false;
    auto store = std::make_unique<Store>(writer, s);
    if (!store->migrate())
        return nullptr;
    return store;
}

bool appendAndNumber(Store &store, const QString &stream, int count)
{
    auto r = store.append(StreamName(stream), ExpectedVersion::any(),
                          eventium::test::numberedEvents(QStringLiteral("Thing"), count));
    return r && r->succeeded() && store.sequenceNow();
}

} // namespace

class TestBrowserReplicas : public QObject
{
    Q_OBJECT

    std::unique_ptr<ReplicaSet> m_set;

    // A window writing to the primary and reading from the standby.
    MainWindow::Options readingFromTheStandby() const
    {
        MainWindow::Options options;
        options.target.options = m_set->primaryOptions();
        options.target.readOptions = m_set->standbyOptions();
        options.target.schema = kSchema;
        options.restoreState = false;
        return options;
    }

    void replay(ReplicaSet &set)
    {
        QString why;
        QVERIFY2(set.waitForReplay(&why), qPrintable(why));
    }

private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("EventiumTests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_browser_replicas"));
        QSettings().clear();
        m_set = std::make_unique<ReplicaSet>(false);
        QString why;
        QVERIFY2(m_set->start(&why), qPrintable(why));
    }

    void cleanupTestCase()
    {
        QSettings().clear();
        m_set.reset();
    }

    // The read field: empty, nothing to test; a standby, tested off the UI thread like the
    // main field and said to be one; what Connect gives.
    void connectDialogReadConnection()
    {
        ConnectionTarget current;
        current.schema = kSchema;
        ConnectDialog dialog(current);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        enter(dialog.connectionCombo(), m_set->primaryOptions().toConnInfo());
        QVERIFY(dialog.readConnectionCombo()->isEnabled());
        QVERIFY(!dialog.testReadButton()->isEnabled()); // empty: nothing to test

        QTest::mouseClick(dialog.testButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(dialog.testButton()->isEnabled(), kTimeout);
        QVERIFY2(dialog.statusLabel()->text().contains(QStringLiteral("(primary)")),
                 qPrintable(dialog.statusLabel()->text()));

        enter(dialog.readConnectionCombo(), m_set->standbyOptions().toConnInfo());
        QVERIFY(dialog.testReadButton()->isEnabled());
        QTest::mouseClick(dialog.testReadButton(), Qt::LeftButton);
        QVERIFY(dialog.readStatusLabel()->text().startsWith(QStringLiteral("Testing")));
        QTRY_VERIFY_WITH_TIMEOUT(dialog.testReadButton()->isEnabled(), kTimeout);
        const QString read = dialog.readStatusLabel()->text();
        QVERIFY2(read.startsWith(QStringLiteral("Read connection: Connected: PostgreSQL")),
                 qPrintable(read));
        QVERIFY2(read.contains(QStringLiteral("(hot standby, replay lag ")), qPrintable(read));
        // The main field's answer stays as it was.
        QVERIFY(dialog.statusLabel()->text().contains(QStringLiteral("(primary)")));

        // A read connection that does not parse keeps the dialog open and says so.
        enter(dialog.readConnectionCombo(), QStringLiteral("host=x port=notaport"));
        QTest::mouseClick(dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok),
                          Qt::LeftButton);
        QVERIFY(dialog.isVisible());
        QVERIFY2(dialog.readStatusLabel()->text().startsWith(QStringLiteral("Read connection:")),
                 qPrintable(dialog.readStatusLabel()->text()));

        enter(dialog.readConnectionCombo(), m_set->standbyOptions().toConnInfo());
        QTest::mouseClick(dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok),
                          Qt::LeftButton);
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QVERIFY(dialog.target().readOptions.has_value());
        QCOMPARE(dialog.target().readOptions->host, m_set->standbyOptions().host);
        QCOMPARE(dialog.target().options.host, m_set->primaryOptions().host);

        // Opened again on that target, both fields are filled in.
        ConnectDialog again(dialog.target());
        QVERIFY(again.readConnectionCombo()->currentText().contains(m_set->standbyOptions().host));
    }

    // Reading from the standby: the status bar says so, with the lag, and what the browser
    // appends (to the primary) reaches the Live tab through the standby.
    void statusBarShowsTheStandby()
    {
        auto store = migratedStore(m_set->primaryOptions());
        QVERIFY(store);
        QVERIFY(appendAndNumber(*store, QStringLiteral("account-1"), 3));
        replay(*m_set);

        MainWindow::Options options = readingFromTheStandby();
        MainWindow window(options);
        EVENTIUM_SHOW_BROWSER(window);
        QCOMPARE(window.connectionInfo().head, 3);
        QVERIFY2(window.connectionLabel()->text().contains(QStringLiteral("reads from")),
                 qPrintable(window.connectionLabel()->text()));
        QTRY_VERIFY_WITH_TIMEOUT(
            window.roleLabel()->text().startsWith(QStringLiteral("standby · lag ")), kTimeout);
        QVERIFY2(window.roleLabel()->text().endsWith(QStringLiteral(" ms")),
                 qPrintable(window.roleLabel()->text()));
        QVERIFY(window.roleLabel()->toolTip().contains(QStringLiteral("hot standby")));

        const int before = window.liveView()->model()->rowCount();
        QCOMPARE(before, 3);
        window.worker()->append(QStringLiteral("account-2"), ExpectedVersion::any(),
                                eventium::test::numberedEvents(QStringLiteral("Thing"), 2));
        QTRY_COMPARE_WITH_TIMEOUT(window.liveView()->model()->rowCount(), 5, kTimeout);

        // Without a read connection the browser reads from the primary, and says that.
        MainWindow::Options direct = options;
        direct.target.readOptions.reset();
        MainWindow primary(direct);
        EVENTIUM_SHOW_BROWSER(primary);
        QTRY_COMPARE_WITH_TIMEOUT(primary.roleLabel()->text(), QStringLiteral("primary"), kTimeout);
    }

    // The browser's models reading from the standby while a writer appends to the primary
    // (its own store and sequencer, as another process would): the Live tab gets every event
    // once and in order, and the stream list the new streams with their versions.
    void modelsFollowAStandbyUnderWrites()
    {
        auto store = migratedStore(m_set->primaryOptions());
        QVERIFY(store);
        QVERIFY(appendAndNumber(*store, QStringLiteral("load-seed"), 1));
        replay(*m_set);
        MainWindow::Options options = readingFromTheStandby();
        MainWindow window(options);
        EVENTIUM_SHOW_BROWSER(window);
        const qint64 head = window.connectionInfo().head;
        LiveEventsModel *live = window.liveView()->model();
        QTRY_COMPARE_WITH_TIMEOUT(qint64(live->rowCount()), head, kTimeout);

        constexpr int kStreams = 20;
        constexpr int kPerStream = 15;
        std::unique_ptr<QThread> writer(QThread::create([this] {
            StoreSettings s;
            s.schema = kSchema;
            Store w(m_set->primaryOptions(), s); // with its sequencer thread
            for (int round = 0; round < kPerStream; ++round) {
                for (int k = 0; k < kStreams; ++k) {
                    auto r = w.append(StreamName(QStringLiteral("load-%1").arg(k)),
                                      ExpectedVersion::any(),
                                      eventium::test::numberedEvents(QStringLiteral("Load"), 1));
                    if (!r || !r->succeeded())
                        qWarning() << "append failed";
                }
            }
            (void)w.sequenceNow();
        }));
        writer->start();
        QTRY_VERIFY_WITH_TIMEOUT(writer->isFinished(), kTimeout);
        const qint64 total = head + kStreams * kPerStream;
        QTRY_COMPARE_WITH_TIMEOUT(qint64(live->rowCount()), total, kTimeout);
        // Every row read (as the view would, by asking for its text) from the standby.
        for (qint64 p = 1; p <= total; ++p) {
            const int row = int(p - 1);
            QTRY_VERIFY_WITH_TIMEOUT(
                (live->data(live->index(row, 0)), live->eventAt(row).has_value()), kTimeout);
        }
        for (qint64 p = 1; p <= total; ++p)
            QCOMPARE(live->eventAt(int(p - 1))->position.value, p);
        StreamListModel *streams = window.streamsModel();
        for (int k = 0; k < kStreams; ++k) {
            const QString name = QStringLiteral("load-%1").arg(k);
            QTRY_VERIFY_WITH_TIMEOUT(streams->rowOf(name) >= 0, kTimeout);
            QTRY_COMPARE_WITH_TIMEOUT(streams->streamAt(streams->rowOf(name)).version.value,
                                      qint64(kPerStream), kTimeout);
        }
        QVERIFY(window.roleLabel()->text().startsWith(QStringLiteral("standby")));
    }

    // A failover that lost commits the Live tab had shown: the feed stops, the banner says
    // why, and "Follow Again from Head" reloads the sequence as the promoted server has it.
    void historyRewrittenBanner()
    {
        ReplicaSet set(false); // asynchronous: the standby may miss commits
        QString why;
        QVERIFY2(set.start(&why), qPrintable(why));
        {
            auto store = migratedStore(set.primaryOptions());
            QVERIFY(store);
            QVERIFY(appendAndNumber(*store, QStringLiteral("kept-1"), 3));
        }
        replay(set);

        // Both servers in one connection string that wants the one that takes writes.
        MainWindow::Options options;
        options.target.options = set.writerOptions();
        options.target.schema = kSchema;
        options.restoreState = false;
        MainWindow window(options);
        EVENTIUM_SHOW_BROWSER(window);
        LiveView *live = window.liveView();
        window.tabs()->setCurrentWidget(live);
        QCOMPARE(live->model()->rowCount(), 3);
        QVERIFY(live->historyBanner()->isHidden());

        // Commits the standby never receives, shown live.
        QVERIFY2(set.stopStandby(&why), qPrintable(why));
        {
            auto store = migratedStore(set.primaryOptions());
            QVERIFY(store);
            QVERIFY(appendAndNumber(*store, QStringLiteral("lost-1"), 2));
        }
        QTRY_COMPARE_WITH_TIMEOUT(live->model()->rowCount(), 5, kTimeout);

        // The primary crashes; the standby, behind, is promoted.
        QVERIFY2(set.stopPrimary(&why), qPrintable(why));
        QVERIFY2(set.startStandby(&why), qPrintable(why));
        QVERIFY2(set.promoteStandby(&why), qPrintable(why));

        QTRY_VERIFY_WITH_TIMEOUT(live->historyBanner()->isVisible(), 60000);
        QVERIFY2(live->historyLabel()->text().contains(QStringLiteral("history changed")),
                 qPrintable(live->historyLabel()->text()));
        QVERIFY(live->historyLabel()->toolTip().contains(QStringLiteral("commits were lost")));
        QVERIFY(live->followAgainButton()->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(live->followStatus(),
                                  QStringLiteral("stopped: the server's history changed"),
                                  kTimeout);

        // The browser reconnects to the promoted server; then following again starts over
        // from its head.
        QTRY_VERIFY_WITH_TIMEOUT(window.isConnected(), 60000);
        QTest::mouseClick(live->followAgainButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(live->historyBanner()->isHidden(), kTimeout);
        QTRY_COMPARE_WITH_TIMEOUT(live->model()->rowCount(), 3, kTimeout);
        QVERIFY(!live->isPaused());
        QVERIFY(live->followStatus().startsWith(QStringLiteral("following")));

        // And it follows: a new event on the promoted server arrives.
        {
            auto store = migratedStore(set.writerOptions());
            QVERIFY(store);
            QVERIFY(appendAndNumber(*store, QStringLiteral("after-1"), 1));
        }
        QTRY_COMPARE_WITH_TIMEOUT(live->model()->rowCount(), 4, kTimeout);
    }
};

QTEST_MAIN(TestBrowserReplicas)
#include "tst_browser_replicas.moc"
