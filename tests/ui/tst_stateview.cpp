// The Stream tab's "State" page: the state after the selected event by its stream's
// category's projection (the bank's account), what the event changed, the stepper, progress
// and cancellation of long folds, and streams without a projection.
#include "browsertest.h"
#include "support/testdatabase.h"

#include "eventdetailview.h"
#include "jsonpane.h"
#include "mainwindow.h"
#include "stateview.h"
#include "streameventsmodel.h"
#include "streamview.h"

#include <bank/bank.h>
#include <bank/sampledata.h>
#include <eventium/store.h>
#include <eventium/toolkit/jsondiff.h>

#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <QToolButton>
#include <QTreeWidget>

using namespace eventium;
using namespace eventium::ui;
using eventium::test::TestDatabase;
using namespace eventium::test;

namespace {

constexpr int kTimeout = kBrowserTimeout;

QJsonObject shownState(StateView *view)
{
    return QJsonDocument::fromJson(view->statePane()->textEdit()->toPlainText().toUtf8()).object();
}

QStringList changeRows(StateView *view)
{
    QStringList rows;
    for (int i = 0; i < view->changes()->topLevelItemCount(); ++i) {
        const QTreeWidgetItem *item = view->changes()->topLevelItem(i);
        QStringList cells;
        for (int c = 0; c < item->columnCount(); ++c)
            cells << item->text(c);
        rows << cells.join(QLatin1Char('|'));
    }
    return rows;
}

} // namespace

class TestStateView : public QObject
{
    Q_OBJECT

    std::unique_ptr<Store> m_store;
    std::unique_ptr<MainWindow> m_window;

    void openWindow()
    {
        m_window = std::make_unique<MainWindow>(browserOptions(*m_store));
        EVENTIUM_SHOW_BROWSER(*m_window);
    }

    // The State page of the Stream tab, shown.
    StateView *showStatePage()
    {
        StreamView *view = m_window->streamView();
        QTabWidget *pages = view->detail()->pages();
        pages->setCurrentWidget(view->stateView());
        return view->stateView();
    }

    // The account state after `version` by the typed projection of bank.h.
    QJsonObject expectedState(const QString &stream, qint64 version)
    {
        const auto projection = bank::accountHandler().projection;
        bank::Account account = projection.initial;
        const auto events = REQUIRE_OK(m_store->readStream(StreamName(stream), StreamVersion(1),
                                                           Direction::Forward, int(version)));
        for (const RecordedEvent &e : events)
            REQUIRE_OK(projection.applyTo(account, e));
        return bank::encodeAccount(account);
    }

private slots:
    void initTestCase()
    {
        EVENTIUM_REQUIRE_DB();
        QCoreApplication::setOrganizationName(QStringLiteral("EventiumTests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_stateview"));
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
    }

    // Selecting an event of a bank account shows the state after it and what it changed; the
    // stepper (buttons, Alt+Left/Alt+Right) moves the selection and the state with it.
    void accountStateAtEachVersion()
    {
        QCOMPARE(REQUIRE_OK(toolkit::generateSampleData(*m_store, 400, 11)), 400);
        REQUIRE_OK(m_store->sequenceNow());
        // An account with a few events.
        const StreamPage page = REQUIRE_OK(
            m_store->listStreams({}, 1000, StreamOrder::ByName, QStringLiteral("account-")));
        StreamInfo account;
        for (const StreamInfo &s : page.streams)
            if (s.version.value >= 5 && s.version.value > account.version.value)
                account = s;
        QVERIFY2(account.version.value >= 5, "no account with 5 events in the sample data");
        const QString stream = account.name;
        const qint64 last = account.version.value;

        openWindow();
        m_window->openStream(stream, last);
        StreamView *view = m_window->streamView();
        QTRY_VERIFY_WITH_TIMEOUT(view->model()->eventAt(2).has_value(), kTimeout);
        StateView *state = showStatePage();
        clickRow(view->table(), 2);
        QTRY_COMPARE_WITH_TIMEOUT(state->shownVersion(), 3, kTimeout);
        QCOMPARE(state->versionLabel()->text(), QStringLiteral("Version 3 of %1").arg(last));
        QVERIFY(state->messageLabel()->isHidden());
        QCOMPARE(shownState(state), expectedState(stream, 3));
        // What version 3 changed: the paths whose values differ between the states.
        const QJsonObject before = expectedState(stream, 2);
        const QJsonObject after = expectedState(stream, 3);
        QStringList expectedRows;
        for (const toolkit::JsonChange &c : toolkit::jsonDiff(before, after))
            expectedRows << QStringLiteral("%1|%2|%3|%4")
                                .arg(c.path, toolkit::kindName(c.kind),
                                     QString::fromUtf8(toolkit::compactJson(c.before)),
                                     QString::fromUtf8(toolkit::compactJson(c.after)));
        QVERIFY(!expectedRows.isEmpty());
        QCOMPARE(changeRows(state), expectedRows);
        QVERIFY2(state->changesLabel()->text().contains(
                     QStringLiteral("%1 #3").arg(view->model()->eventAt(2)->type)),
                 qPrintable(state->changesLabel()->text()));

        // Alt+Right from the table: the next version is selected and its state shown.
        view->table()->setFocus();
        QTest::keyClick(view->table(), Qt::Key_Right, Qt::AltModifier);
        QTRY_COMPARE_WITH_TIMEOUT(state->shownVersion(), 4, kTimeout);
        QCOMPARE(view->detail()->event()->version.value, 4);
        QCOMPARE(shownState(state), expectedState(stream, 4));
        QCOMPARE(state->versionLabel()->text(), QStringLiteral("Version 4 of %1").arg(last));

        // The Previous button, twice, and Alt+Left: back to version 1, where Previous stops.
        QTest::mouseClick(state->previousButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(state->shownVersion(), 3, kTimeout);
        QTest::mouseClick(state->previousButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(state->shownVersion(), 2, kTimeout);
        QCOMPARE(shownState(state), expectedState(stream, 2));
        QTest::keyClick(view->table(), Qt::Key_Left, Qt::AltModifier);
        QTRY_COMPARE_WITH_TIMEOUT(state->shownVersion(), 1, kTimeout);
        QCOMPARE(view->detail()->event()->version.value, 1);
        QCOMPARE(shownState(state).value(QStringLiteral("opened")).toBool(), true);
        QVERIFY(!state->previousButton()->isEnabled());
        QVERIFY(state->nextButton()->isEnabled());

        // The last version: Next stops there, and the state is the stream's final one.
        QTest::keyClick(view->table(), Qt::Key_End);
        QTRY_COMPARE_WITH_TIMEOUT(state->shownVersion(), last, kTimeout);
        QCOMPARE(shownState(state), expectedState(stream, last));
        QVERIFY(!state->nextButton()->isEnabled());

        // A transfer stream: no projection for its category.
        const StreamPage transfers = REQUIRE_OK(
            m_store->listStreams({}, 1, StreamOrder::ByName, QStringLiteral("transfer-")));
        QCOMPARE(transfers.streams.size(), 1);
        m_window->openStream(transfers.streams.first().name, 1);
        QTRY_COMPARE_WITH_TIMEOUT(state->stream(), transfers.streams.first().name, kTimeout);
        QTRY_COMPARE_WITH_TIMEOUT(state->messageLabel()->text(),
                                  QStringLiteral("No projection registered for category "
                                                 "\"transfer\"."),
                                  kTimeout);
        QVERIFY(state->messageLabel()->isVisible());
        QVERIFY(!state->changes()->isVisible());
        QCOMPARE(state->shownVersion(), 0);
    }

    // A long stream folds with progress; selecting another event cancels the fold, and so
    // does the Cancel button.
    void longFoldsShowProgressAndCancel()
    {
        const StreamName stream(QStringLiteral("account-long"));
        REQUIRE_OK(m_store->append(
            stream, ExpectedVersion::noStream(),
            {encodeEvent(bank::AccountOpened {QStringLiteral("long"), QStringLiteral("Lena"),
                                              QStringLiteral("EUR")})}));
        constexpr int kDeposits = 60000;
        for (int batch = 0; batch < kDeposits / 10000; ++batch) {
            QList<NewEvent> deposits;
            for (int i = 0; i < 10000; ++i)
                deposits << encodeEvent(bank::MoneyDeposited {1, QString()});
            REQUIRE_OK(m_store->append(stream, ExpectedVersion::any(), deposits));
        }
        REQUIRE_OK(m_store->sequenceNow());
        const qint64 last = kDeposits + 1;

        openWindow();
        QSignalSpy failed(m_window->worker(), &StoreWorker::failed);
        QSignalSpy ready(m_window->worker(), &StoreWorker::stateReady);
        m_window->openStream(stream.value(), last);
        StreamView *view = m_window->streamView();
        QTRY_VERIFY_WITH_TIMEOUT(view->model()->eventAt(0).has_value(), kTimeout);
        StateView *state = showStatePage();
        QTRY_COMPARE_WITH_TIMEOUT(state->shownVersion(), 1, kTimeout);

        // The last version: progress while it folds, then another selection cancels it.
        view->selectVersion(last);
        QTRY_VERIFY_WITH_TIMEOUT(state->isComputing(), kTimeout);
        QVERIFY(state->progressBar()->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(state->progressBar()->value() >= 1000, kTimeout);
        // The fold has a thread and connection of its own: other requests do not wait for it.
        QSignalSpy info(m_window->worker(), &StoreWorker::streamInfoReady);
        m_window->worker()->streamInfo(stream.value());
        QTRY_COMPARE_WITH_TIMEOUT(info.count(), 1, kTimeout);
        QVERIFY(state->isComputing());
        ready.clear();
        view->selectVersion(2);
        QTRY_COMPARE_WITH_TIMEOUT(state->shownVersion(), 2, kTimeout);
        QCOMPARE(shownState(state).value(QStringLiteral("balance")).toInteger(), 1);
        QVERIFY(!state->progressBar()->isVisible());
        bool cancelled = false;
        for (const QList<QVariant> &args : failed)
            cancelled
                = cancelled || args.at(1).value<StoreError>().kind() == StoreError::Kind::Cancelled;
        QVERIFY2(cancelled, "the fold of the last version was not cancelled");
        for (const QList<QVariant> &args : ready)
            QVERIFY(args.at(1).value<StateResult>().version != last);

        // The Cancel button stops a fold and says where it was.
        view->selectVersion(last);
        QTRY_VERIFY_WITH_TIMEOUT(state->isComputing() && state->progressBar()->value() >= 1000,
                                 kTimeout);
        QTest::mouseClick(state->cancelButton(), Qt::LeftButton);
        QVERIFY(!state->isComputing());
        QVERIFY2(state->messageLabel()->text().startsWith(QStringLiteral("Cancelled at version")),
                 qPrintable(state->messageLabel()->text()));
        QCOMPARE(state->shownVersion(), 2);

        // Left alone, it folds to the end: 60,000 deposits of one cent.
        view->selectVersion(last - 1);
        QTRY_COMPARE_WITH_TIMEOUT(state->shownVersion(), last - 1, kTimeout);
        QCOMPARE(shownState(state).value(QStringLiteral("balance")).toInteger(), kDeposits - 1);
        // The next version goes on from there: one event read.
        QTest::keyClick(view->table(), Qt::Key_Right, Qt::AltModifier);
        QTRY_COMPARE_WITH_TIMEOUT(state->shownVersion(), last, kTimeout);
        QCOMPARE(shownState(state).value(QStringLiteral("balance")).toInteger(), kDeposits);
        QCOMPARE(ready.last().at(1).value<StateResult>().read, 1);
        QCOMPARE(ready.last().at(1).value<StateResult>().startedAfter, last - 1);
        // Back one: from the nearest checkpoint (the state after a page of an earlier fold),
        // at most a page of events, not the whole stream.
        QTest::keyClick(view->table(), Qt::Key_Left, Qt::AltModifier);
        QTRY_COMPARE_WITH_TIMEOUT(state->shownVersion(), last - 1, kTimeout);
        QCOMPARE(shownState(state).value(QStringLiteral("balance")).toInteger(), kDeposits - 1);
        const StateResult back = ready.last().at(1).value<StateResult>();
        QVERIFY2(back.startedAfter >= last - 1 - 1000 && back.startedAfter < last - 1,
                 qPrintable(QString::number(back.startedAfter)));
        QCOMPARE(back.read, last - 1 - back.startedAfter);
        QVERIFY2(state->stateLabel()->text().contains(
                     QStringLiteral("from version %1").arg(QLocale().toString(back.startedAfter))),
                 qPrintable(state->stateLabel()->text()));
    }
};

QTEST_MAIN(TestStateView)
#include "tst_stateview.moc"
