// The event browser against a real PostgreSQL: streams, stream events, the append dialog,
// and follow mode with events from another process.
#include "browsertest.h"
#include "support/testconnection.h"
#include "support/testdatabase.h"

#include "activitychart.h"
#include "appenddialog.h"
#include "comparedialog.h"
#include "eventdetailview.h"
#include "eventrowmenu.h"
#include "eventtableview.h"
#include "jsonpane.h"
#include "jsontreemodel.h"
#include "liveeventsmodel.h"
#include "liveview.h"
#include "mainwindow.h"
#include "relatedpane.h"
#include "searchbox.h"
#include "streameventsmodel.h"
#include "streamlistmodel.h"
#include "streammetadatadialog.h"
#include "streamspane.h"
#include "streamview.h"
#include "transferdialog.h"

#include <eventium/store.h>

#include <QAbstractButton>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QContextMenuEvent>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFile>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QScopeGuard>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSqlQuery>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextCursor>
#include <QToolButton>
#include <QTreeView>
#include <QTreeWidget>
#include <QUuid>

using namespace eventium;
using namespace eventium::ui;
using eventium::test::TestDatabase;
using namespace eventium::test;

namespace {

constexpr int kTimeout = kBrowserTimeout;

} // namespace

class TestBrowser : public QObject
{
    Q_OBJECT

    std::unique_ptr<Store> m_store;
    std::unique_ptr<MainWindow> m_window;

    void openWindow()
    {
        m_window = std::make_unique<MainWindow>(browserOptions(*m_store));
        EVENTIUM_SHOW_BROWSER(*m_window);
    }

    void append(const QString &stream, int count, const QString &type = QStringLiteral("Thing"))
    {
        auto r = m_store->append(StreamName(stream), ExpectedVersion::any(),
                                 numberedEvents(type, count));
        QVERIFY2(r, r ? "" : qPrintable(r.error().toString()));
        QVERIFY(r->succeeded());
        QVERIFY(m_store->sequenceNow());
    }

    static void rightClick(QTableView *table, int row)
    {
        table->scrollTo(table->model()->index(row, 0));
        const QPoint at = table->visualRect(table->model()->index(row, 0)).center();
        QContextMenuEvent event(QContextMenuEvent::Mouse, at, table->viewport()->mapToGlobal(at));
        QApplication::sendEvent(table->viewport(), &event);
    }

    static void trigger(QMenu *menu, const QString &text)
    {
        QVERIFY2(menu, qPrintable(text));
        QStringList texts;
        for (QAction *action : menu->actions()) {
            texts << action->text();
            if (action->text() == text) {
                QVERIFY2(action->isEnabled(), qPrintable(text));
                menu->close();
                action->trigger();
                return;
            }
        }
        QFAIL(qPrintable(
            QStringLiteral("no \"%1\" in %2").arg(text, texts.join(QLatin1String(", ")))));
    }

    // Whether the menu has an entry whose text starts with `prefix`.
    static bool findAction(QMenu *menu, const QString &prefix)
    {
        for (QAction *action : menu->actions())
            if (action->text().startsWith(prefix))
                return true;
        return false;
    }

    // The Live table's row of the first event of `type`, or -1.
    static int rowOfType(LiveView *live, const QString &type)
    {
        for (int row = 0; row < live->model()->rowCount(); ++row)
            if (auto e = live->model()->eventAt(row); e && e->type == type)
                return row;
        return -1;
    }

private slots:
    void initTestCase()
    {
        EVENTIUM_REQUIRE_DB();
        QCoreApplication::setOrganizationName(QStringLiteral("EventiumTests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_browser"));
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

    void selectingAStreamShowsItsEvents()
    {
        append(QStringLiteral("order-1"), 1, QStringLiteral("OrderPlaced"));
        append(QStringLiteral("order-1"), 2, QStringLiteral("ItemAdded"));
        append(QStringLiteral("order-2"), 5);
        openWindow();
        StreamListModel *streams = m_window->streamsModel();
        QTRY_COMPARE_WITH_TIMEOUT(streams->rowCount(), 2, kTimeout);
        QCOMPARE(streams->streamAt(0).name, QStringLiteral("order-1"));
        QCOMPARE(streams->streamAt(0).version.value, 3);

        clickRow(m_window->streamsTable(), 0);
        StreamView *view = m_window->streamView();
        QTRY_COMPARE_WITH_TIMEOUT(view->stream(), QStringLiteral("order-1"), kTimeout);
        QCOMPARE(view->model()->rowCount(), 3);
        QTRY_VERIFY_WITH_TIMEOUT(view->model()->eventAt(2).has_value(), kTimeout);
        QCOMPARE(view->model()->eventAt(0)->type, QStringLiteral("OrderPlaced"));
        QCOMPARE(view->model()->eventAt(2)->version.value, 3);
        QVERIFY(view->model()->eventAt(2)->position.value > 0);

        // The first event is selected and its payload shown as pretty JSON.
        QTRY_VERIFY_WITH_TIMEOUT(view->detail()->event().has_value(), kTimeout);
        QCOMPARE(view->detail()->event()->type, QStringLiteral("OrderPlaced"));
        QCOMPARE(view->detail()->payloadEdit()->toPlainText(), QStringLiteral("{\n  \"n\": 1\n}"));

        // Ctrl+C copies the selected text where there is some, the whole event otherwise.
        QPlainTextEdit *payload = view->detail()->payloadEdit();
        payload->setFocus();
        QTextCursor cursor = payload->textCursor();
        cursor.setPosition(4);
        cursor.setPosition(7, QTextCursor::KeepAnchor);
        payload->setTextCursor(cursor);
        QTest::keyClick(payload, Qt::Key_C, Qt::ControlModifier);
        QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("\"n\""));
        cursor.clearSelection();
        payload->setTextCursor(cursor);
        QTest::keyClick(payload, Qt::Key_C, Qt::ControlModifier);
        QCOMPARE(QApplication::clipboard()->text(), view->detail()->eventJson());

        // Keyboard: Down selects the next event; newest-first reverses the rows.
        view->table()->setFocus();
        QTest::keyClick(view->table(), Qt::Key_Down);
        QTRY_COMPARE_WITH_TIMEOUT(view->detail()->event()->version.value, 2, kTimeout);
        view->setNewestFirst(true);
        QTRY_VERIFY_WITH_TIMEOUT(view->model()->eventAt(0).has_value(), kTimeout);
        QCOMPARE(view->model()->eventAt(0)->version.value, 3);

        // The other stream; "Copy as JSON" gives the whole event as one object.
        clickRow(m_window->streamsTable(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(view->stream(), QStringLiteral("order-2"), kTimeout);
        QCOMPARE(view->model()->rowCount(), 5);
        QTRY_VERIFY_WITH_TIMEOUT(view->detail()->event().has_value(), kTimeout);
        const QString json = view->detail()->eventJson();
        QVERIFY2(json.contains(QStringLiteral("\"stream\": \"order-2\"")), qPrintable(json));
        QVERIFY2(json.contains(QStringLiteral("\"data\": {")), qPrintable(json));
    }

    void streamFilterByPrefix()
    {
        append(QStringLiteral("alpha-1"), 1);
        append(QStringLiteral("alpha-2"), 1);
        append(QStringLiteral("beta-1"), 1);
        openWindow();
        QTRY_COMPARE_WITH_TIMEOUT(m_window->streamsModel()->rowCount(), 3, kTimeout);
        QTest::keyClick(m_window.get(), Qt::Key_F, Qt::ControlModifier);
        QTRY_VERIFY(m_window->streamFilter()->hasFocus());
        QTest::keyClicks(m_window->streamFilter(), QStringLiteral("alp"));
        QTRY_COMPARE_WITH_TIMEOUT(m_window->streamsModel()->rowCount(), 2, kTimeout);
        QCOMPARE(m_window->streamsModel()->streamAt(1).name, QStringLiteral("alpha-2"));
    }

    void streamsListShowsNewStreamsWithoutRefresh()
    {
        append(QStringLiteral("m-1"), 1);
        append(QStringLiteral("x-1"), 1);
        openWindow();
        StreamListModel *streams = m_window->streamsModel();
        QTRY_COMPARE_WITH_TIMEOUT(streams->rowCount(), 2, kTimeout);
        clickRow(m_window->streamsTable(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(m_window->streamView()->stream(), QStringLiteral("x-1"),
                                  kTimeout);

        // By name: a stream created elsewhere is inserted in its place; the selection stays.
        append(QStringLiteral("b-1"), 2);
        QTRY_COMPARE_WITH_TIMEOUT(streams->rowCount(), 3, kTimeout);
        QCOMPARE(streams->streamAt(0).name, QStringLiteral("b-1"));
        QCOMPARE(streams->streamAt(0).version.value, 2);
        QCOMPARE(streams->rowOf(QStringLiteral("x-1")), 2);
        QCOMPARE(m_window->streamsTable()->currentIndex().row(), 2);
        QCOMPARE(m_window->streamView()->stream(), QStringLiteral("x-1"));
        QVERIFY(streams->refreshCount() >= 1);

        // By recency: new streams come in at the top, active ones move up.
        auto *order = m_window->findChild<QComboBox *>(QStringLiteral("streamOrder"));
        QVERIFY(order);
        order->setCurrentIndex(1);
        QTRY_COMPARE_WITH_TIMEOUT(streams->rowCount(), 3, kTimeout);
        QTRY_COMPARE_WITH_TIMEOUT(streams->streamAt(0).name, QStringLiteral("b-1"), kTimeout);
        append(QStringLiteral("r-new"), 1);
        QTRY_COMPARE_WITH_TIMEOUT(streams->streamAt(0).name, QStringLiteral("r-new"), kTimeout);
        QCOMPARE(streams->rowCount(), 4);
        append(QStringLiteral("m-1"), 1);
        QTRY_COMPARE_WITH_TIMEOUT(streams->streamAt(0).name, QStringLiteral("m-1"), kTimeout);
        QCOMPARE(streams->streamAt(0).version.value, 2);
        QCOMPARE(streams->rowCount(), 4);
        QCOMPARE(m_window->streamView()->stream(), QStringLiteral("x-1"));
        QCOMPARE(streams->streamAt(m_window->streamsTable()->currentIndex().row()).name,
                 QStringLiteral("x-1"));

        // A burst of new streams: all arrive, with at most one re-read a second.
        const int refreshesBefore = streams->refreshCount();
        QElapsedTimer clock;
        clock.start();
        for (int i = 0; i < 30; ++i)
            append(QStringLiteral("burst-%1").arg(i, 2, 10, QLatin1Char('0')), 1);
        QTRY_COMPARE_WITH_TIMEOUT(streams->rowCount(), 34, kTimeout);
        QCOMPARE(streams->streamAt(0).name, QStringLiteral("burst-29"));
        QCOMPARE(streams->streamAt(29).name, QStringLiteral("burst-00"));
        const int refreshes = streams->refreshCount() - refreshesBefore;
        qInfo("30 new streams in %lld ms: %d re-reads", clock.elapsed(), refreshes);
        QVERIFY2(refreshes <= clock.elapsed() / StreamListModel::refreshIntervalMs + 1,
                 qPrintable(QString::number(refreshes)));

        // Filtered by prefix, only matching streams bring a re-read.
        QTest::keyClicks(m_window->streamFilter(), QStringLiteral("b-"));
        QTRY_COMPARE_WITH_TIMEOUT(streams->rowCount(), 1, kTimeout);
        QTRY_VERIFY_WITH_TIMEOUT(!streams->isLoading(), kTimeout);
        const int filteredBefore = streams->refreshCount();
        append(QStringLiteral("zzz-1"), 1);
        QTest::qWait(1500);
        QCOMPARE(streams->refreshCount(), filteredBefore);
        QCOMPARE(streams->rowCount(), 1);
        append(QStringLiteral("b-2"), 1);
        QTRY_COMPARE_WITH_TIMEOUT(streams->rowCount(), 2, kTimeout);
        QCOMPARE(streams->streamAt(0).name, QStringLiteral("b-2"));
    }

    void appendDialogRefusesInvalidJson()
    {
        openWindow();
        QTest::keyClick(m_window.get(), Qt::Key_N, Qt::ControlModifier);
        AppendDialog *dialog = m_window->findChild<AppendDialog *>();
        QVERIFY(dialog);
        QTRY_VERIFY(dialog->isVisible());
        QTest::keyClicks(dialog->streamCombo()->lineEdit(), QStringLiteral("json-check"));
        QVERIFY(dialog->appendButton()->isEnabled());

        dialog->payloadEdit()->clear();
        dialog->payloadEdit()->setFocus();
        QTest::keyClicks(dialog->payloadEdit(), QStringLiteral("{\"amount\": 12,"));
        QVERIFY(!dialog->appendButton()->isEnabled());
        QVERIFY(dialog->payloadError()->isVisible());
        QVERIFY2(dialog->payloadError()->text().contains(QStringLiteral("line 1")),
                 qPrintable(dialog->payloadError()->text()));

        QTest::keyClicks(dialog->payloadEdit(), QStringLiteral(" \"currency\": \"EUR\"}"));
        QVERIFY(dialog->appendButton()->isEnabled());
        QVERIFY(!dialog->payloadError()->isVisible());

        // Metadata is optional, but must be JSON when given.
        QTest::keyClicks(dialog->metadataEdit(), QStringLiteral("not json"));
        QVERIFY(!dialog->appendButton()->isEnabled());
        QVERIFY(dialog->metadataError()->isVisible());
        QVERIFY(dialog->metadataError()->text().startsWith(QStringLiteral("Metadata:")));

        // Clicking the disabled button does nothing: no event is written.
        QTest::mouseClick(dialog->appendButton(), Qt::LeftButton);
        QVERIFY(dialog->isVisible());
        QTest::qWait(300);
        auto info = m_store->streamInfo(StreamName(QStringLiteral("json-check")));
        QVERIFY(info);
        QVERIFY(!info->has_value());
    }

    void appendThroughDialogShowsInStreamAndLiveViews()
    {
        append(QStringLiteral("seed"), 2);
        openWindow();
        QTRY_COMPARE_WITH_TIMEOUT(m_window->liveView()->model()->rowCount(), 2, kTimeout);

        AppendDialog *dialog = m_window->openAppendDialog();
        QVERIFY(dialog);
        QPointer<AppendDialog> guard(dialog);
        QTest::keyClicks(dialog->streamCombo()->lineEdit(), QStringLiteral("cart-7"));
        dialog->typeEdit()->clear();
        QTest::keyClicks(dialog->typeEdit(), QStringLiteral("ItemAdded"));
        dialog->payloadEdit()->setPlainText(QStringLiteral("{\"sku\": \"X-1\", \"qty\": 2}"));
        dialog->metadataEdit()->setPlainText(QStringLiteral("{\"user\": \"test\"}"));
        // A new stream: expected "no stream".
        QTRY_VERIFY_WITH_TIMEOUT(dialog->isVersionKnown(), kTimeout);
        QCOMPARE(dialog->expected(), ExpectedVersion::noStream());
        QTest::mouseClick(dialog->appendButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(guard.isNull() || !guard->isVisible(), kTimeout);

        StreamView *view = m_window->streamView();
        QTRY_COMPARE_WITH_TIMEOUT(view->stream(), QStringLiteral("cart-7"), kTimeout);
        QCOMPARE(view->model()->rowCount(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(view->model()->eventAt(0).has_value(), kTimeout);
        QCOMPARE(view->model()->eventAt(0)->type, QStringLiteral("ItemAdded"));
        QTRY_VERIFY_WITH_TIMEOUT(view->detail()->event().has_value(), kTimeout);
        QVERIFY(view->detail()->metadataEdit()->toPlainText().contains(
            QStringLiteral("\"user\": \"test\"")));

        LiveEventsModel *live = m_window->liveView()->model();
        QTRY_COMPARE_WITH_TIMEOUT(live->rowCount(), 3, kTimeout);
        QTRY_VERIFY_WITH_TIMEOUT(live->eventAt(2).has_value(), kTimeout);
        QCOMPARE(live->eventAt(2)->stream, QStringLiteral("cart-7"));
        QCOMPARE(live->eventAt(2)->type, QStringLiteral("ItemAdded"));
        QCOMPARE(live->eventAt(2)->position.value, 3);
        // The streams list has the new stream too.
        QTRY_VERIFY_WITH_TIMEOUT(m_window->streamsModel()->rowOf(QStringLiteral("cart-7")) >= 0,
                                 kTimeout);
    }

    void appendDialogLabelsHaveWorkingMnemonics()
    {
        openWindow();
        AppendDialog *dialog = m_window->openAppendDialog();
        QVERIFY(dialog);
        QTRY_VERIFY(dialog->isActiveWindow());
        // Every label of the form shows its text without a literal '&', and its Alt key
        // focuses the field it names.
        const auto labels = dialog->findChildren<QLabel *>();
        int withBuddy = 0;
        for (QLabel *label : labels) {
            if (!label->buddy())
                continue;
            ++withBuddy;
            QVERIFY2(label->buddy()->focusPolicy() != Qt::NoFocus, qPrintable(label->text()));
        }
        QCOMPARE(withBuddy, 5); // stream, type, payload, metadata, expected version
        dialog->streamCombo()->setFocus();
        QTest::keyClick(dialog, Qt::Key_E, Qt::AltModifier);
        QTRY_COMPARE(QApplication::focusWidget(), static_cast<QWidget *>(dialog->expectedMode()));
        dialog->reject();
    }

    void conflictingExpectedVersionIsShownInTheDialog()
    {
        append(QStringLiteral("acct-1"), 2);
        openWindow();
        QTRY_COMPARE_WITH_TIMEOUT(m_window->streamsModel()->rowCount(), 1, kTimeout);
        clickRow(m_window->streamsTable(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(m_window->streamView()->stream(), QStringLiteral("acct-1"),
                                  kTimeout);

        AppendDialog *dialog = m_window->openAppendDialog();
        QVERIFY(dialog);
        QCOMPARE(dialog->streamCombo()->currentText(), QStringLiteral("acct-1"));
        // Prefilled with the current version.
        QTRY_VERIFY_WITH_TIMEOUT(dialog->isVersionKnown(), kTimeout);
        QCOMPARE(dialog->expected(), ExpectedVersion::exact(2));
        // Someone else appends meanwhile.
        append(QStringLiteral("acct-1"), 1);
        QTest::mouseClick(dialog->appendButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(
            dialog->statusLabel()->isVisible()
                && dialog->statusLabel()->text().contains(QStringLiteral("Conflict")),
            kTimeout);
        QVERIFY2(dialog->statusLabel()->text().contains(QStringLiteral("version 3")),
                 qPrintable(dialog->statusLabel()->text()));
        QVERIFY(dialog->isVisible());
        QVERIFY(dialog->appendButton()->isEnabled());
        // Nothing was written by the dialog.
        auto info = m_store->streamInfo(StreamName(QStringLiteral("acct-1")));
        QVERIFY(info && info->has_value());
        QCOMPARE((*info)->version.value, 3);
        // With the actual version it goes through.
        QCOMPARE(dialog->expectedVersion()->value(), 3);
        // The conflict was about acct-1: naming another stream clears it; back to acct-1
        // there is nothing to say until the next append.
        dialog->streamCombo()->setEditText(QStringLiteral("acct-2"));
        QVERIFY(!dialog->statusLabel()->isVisible());
        dialog->streamCombo()->setEditText(QStringLiteral("acct-1"));
        QTRY_VERIFY_WITH_TIMEOUT(dialog->isVersionKnown(), kTimeout);
        QCOMPARE(dialog->expectedVersion()->value(), 3);
        QVERIFY(!dialog->statusLabel()->isVisible());
        QPointer<AppendDialog> guard(dialog);
        QTest::mouseClick(dialog->appendButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(guard.isNull() || !guard->isVisible(), kTimeout);
        QTRY_COMPARE_WITH_TIMEOUT(m_window->streamView()->model()->rowCount(), 4, kTimeout);
    }

    void followModeShowsEventsFromAnotherProcess()
    {
        append(QStringLiteral("local"), 3);
        openWindow();
        LiveView *live = m_window->liveView();
        m_window->tabs()->setCurrentWidget(live);
        QTRY_COMPARE_WITH_TIMEOUT(live->model()->rowCount(), 3, kTimeout);
        QVERIFY(!live->isPaused());

        QProcess appender;
        appender.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        appender.start(QStringLiteral(EVENTIUM_UI_TEST_APPENDER),
                       {TestDatabase::options().toConnInfo(), m_store->schema(),
                        QStringLiteral("external"), QStringLiteral("20"), QStringLiteral("20")});
        QVERIFY(appender.waitForStarted(10000));
        // Events show up while the other process is still appending.
        QTRY_VERIFY_WITH_TIMEOUT(live->model()->rowCount() > 3, kTimeout);
        QVERIFY(appender.waitForFinished(60000));
        QCOMPARE(appender.exitCode(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(live->model()->rowCount(), 23, kTimeout);
        QTRY_VERIFY_WITH_TIMEOUT(live->model()->eventAt(22).has_value(), kTimeout);
        QCOMPARE(live->model()->eventAt(22)->stream, QStringLiteral("external"));
        QCOMPARE(live->model()->eventAt(22)->version.value, 20);
        // Following from the bottom keeps the newest row in view.
        QTRY_VERIFY_WITH_TIMEOUT(live->table()->isAtBottom(), kTimeout);

        // Paused (Space), new events are counted but not shown; resuming shows them.
        live->table()->setFocus();
        QTest::keyClick(live->table(), Qt::Key_Space);
        QVERIFY(live->isPaused());
        append(QStringLiteral("local"), 2);
        QTRY_COMPARE_WITH_TIMEOUT(live->model()->knownHead(), 25, kTimeout);
        QCOMPARE(live->model()->rowCount(), 23);
        QCOMPARE(live->behind(), 2);
        QTest::keyClick(live->table(), Qt::Key_Space);
        QVERIFY(!live->isPaused());
        QTRY_COMPARE_WITH_TIMEOUT(live->model()->rowCount(), 25, kTimeout);

        // Filter by type: only the other process's events.
        live->setTypeFilter(QStringLiteral("ExternalTick"));
        QTRY_COMPARE_WITH_TIMEOUT(live->model()->rowCount(), 20, kTimeout);
        QCOMPARE(live->model()->eventAt(0)->type, QStringLiteral("ExternalTick"));
    }

    // Search in the Live tab runs on the server: an expression, text, part of a stream name;
    // it says how far it has looked and how many it found, takes matching new events as they
    // come, refuses a bad expression at once and says what the server refused.
    // Add Sample Data asks first when the store is not empty, and writes nothing unless told.
    void sampleDataAsksFirstInAStoreThatIsNotEmpty()
    {
        append(QStringLiteral("real-1"), 3);
        openWindow();
        QTRY_COMPARE_WITH_TIMEOUT(m_window->liveView()->model()->rowCount(), 3, kTimeout);
        m_window->askToFillSampleData();
        auto *box = m_window->findChild<QMessageBox *>(QStringLiteral("confirmSample"));
        QVERIFY(box);
        QVERIFY(box->text().contains(QLatin1String("3 events")));
        box->button(QMessageBox::Cancel)->click();
        QTest::qWait(500);
        QVERIFY(m_store->sequenceNow());
        QCOMPARE(m_store->headPosition()->value, 3);

        m_window->askToFillSampleData();
        box = m_window->findChild<QMessageBox *>(QStringLiteral("confirmSample"));
        QVERIFY(box);
        QAbstractButton *add = nullptr;
        for (QAbstractButton *b : box->buttons()) {
            if (box->buttonRole(b) == QMessageBox::AcceptRole)
                add = b;
        }
        QVERIFY(add);
        add->click();
        QTRY_VERIFY_WITH_TIMEOUT(m_store->sequenceNow() && m_store->headPosition()->value > 3,
                                 kTimeout);
    }

    // On the Stream tab, Ctrl+G's answer is a version of that stream; Home and End go to the
    // first and the last row (not sideways).
    void jumpToAVersionAndHomeEnd()
    {
        append(QStringLiteral("jump-1"), 30);
        openWindow();
        m_window->openStream(QStringLiteral("jump-1"), 30);
        StreamView *view = m_window->streamView();
        QTRY_VERIFY_WITH_TIMEOUT(view->detail()->event().has_value(), kTimeout);
        QVERIFY(m_window->jumpTo(QStringLiteral("17")));
        QTRY_COMPARE_WITH_TIMEOUT(view->detail()->event()->version.value, 17, kTimeout);
        QVERIFY(!m_window->jumpTo(QStringLiteral("31")));
        QVERIFY(!m_window->jumpTo(QStringLiteral("seven")));
        QCOMPARE(view->detail()->event()->version.value, 17);

        view->table()->setFocus();
        QTest::keyClick(view->table(), Qt::Key_End);
        QTRY_COMPARE_WITH_TIMEOUT(view->detail()->event()->version.value, 30, kTimeout);
        QTest::keyClick(view->table(), Qt::Key_Home);
        QTRY_COMPARE_WITH_TIMEOUT(view->detail()->event()->version.value, 1, kTimeout);
        QTest::keyClick(view->table(), Qt::Key_End, Qt::ControlModifier);
        QTRY_COMPARE_WITH_TIMEOUT(view->detail()->event()->version.value, 30, kTimeout);

        // On the Live tab it is a global position.
        m_window->tabs()->setCurrentWidget(m_window->liveView());
        QVERIFY(m_window->jumpTo(QStringLiteral("5")));
        QTRY_VERIFY_WITH_TIMEOUT(m_window->liveView()->currentEvent().has_value()
                                     && m_window->liveView()->currentEvent()->position.value == 5,
                                 kTimeout);
    }

    // At 1,440 × 900 every column of the three tables is on screen and wide enough for what
    // it shows: seven-digit positions, another day's time, the streams' dates.
    void everyColumnFitsAt1440()
    {
        append(QStringLiteral("fit-1"), 3);
        openWindow();
        m_window->resize(1440, 900);
        QTest::qWait(50);
        const QFontMetrics metrics(m_window->liveView()->table()->font());
        auto fits = [&metrics](QTableView *table, const QString &what) {
            QTRY_VERIFY_WITH_TIMEOUT(table->model()->rowCount() > 0, kTimeout);
            QVERIFY2(table->horizontalScrollBar()->maximum() == 0, qPrintable(what));
            const QHeaderView *header = table->horizontalHeader();
            const int last = header->count() - 1;
            QVERIFY2(header->sectionViewportPosition(last) + header->sectionSize(last)
                         <= table->viewport()->width(),
                     qPrintable(what));
            // Each cell's text fits its column (with the cell's margins).
            for (int column = 0; column <= last; ++column) {
                const QString text = table->model()->index(0, column).data().toString();
                QVERIFY2(
                    metrics.horizontalAdvance(text) + 8 <= header->sectionSize(column),
                    qPrintable(QStringLiteral("%1 column %2: %3").arg(what).arg(column).arg(text)));
            }
        };
        m_window->tabs()->setCurrentWidget(m_window->liveView());
        fits(m_window->liveView()->table(), QStringLiteral("live"));
        const QHeaderView *live = m_window->liveView()->table()->horizontalHeader();
        QVERIFY(live->sectionSize(LiveEventsModel::TimeColumn)
                >= metrics.horizontalAdvance(QStringLiteral("2026-11-30 14:03:07")) + 8);
        QVERIFY(live->sectionSize(LiveEventsModel::PositionColumn)
                >= metrics.horizontalAdvance(QStringLiteral("9999999")) + 8);
        m_window->openStream(QStringLiteral("fit-1"), 3);
        fits(m_window->streamView()->table(), QStringLiteral("stream"));
        const QHeaderView *stream = m_window->streamView()->table()->horizontalHeader();
        QVERIFY(stream->sectionSize(StreamEventsModel::PositionColumn)
                >= metrics.horizontalAdvance(QStringLiteral("9999999")) + 8);
        QVERIFY(stream->sectionSize(StreamEventsModel::TimeColumn)
                >= metrics.horizontalAdvance(QStringLiteral("2026-11-30 14:03:07")) + 8);
        fits(m_window->streamsTable(), QStringLiteral("streams"));
        QVERIFY(m_window->streamsTable()->horizontalHeader()->sectionSize(
                    StreamListModel::UpdatedColumn)
                >= metrics.horizontalAdvance(QStringLiteral("2026-11-30")) + 8);
    }

    // The follow status says what is on screen: at head, scrolled back, paused.
    void followStatusSaysWhatIsOnScreen()
    {
        append(QStringLiteral("many-1"), 200);
        openWindow();
        LiveView *live = m_window->liveView();
        m_window->tabs()->setCurrentWidget(live);
        QTRY_COMPARE_WITH_TIMEOUT(live->model()->rowCount(), 200, kTimeout);
        live->table()->scrollToBottom();
        QTRY_COMPARE_WITH_TIMEOUT(live->followStatus(), QStringLiteral("following, at head"),
                                  kTimeout);
        QVERIFY(!live->latestButton()->isVisible());
        live->table()->scrollToTop();
        QTRY_VERIFY_WITH_TIMEOUT(live->followStatus().startsWith(QLatin1String("scrolled back, ")),
                                 kTimeout);
        const int lastVisible = live->table()->rowAt(live->table()->viewport()->height() - 1);
        QCOMPARE(live->followStatus(),
                 QStringLiteral("scrolled back, %1 behind")
                     .arg(QLocale().toString(200 - (lastVisible + 1))));
        // Scrolled back, a button over the table says how many newer events there are ...
        QVERIFY(live->latestButton()->isVisible());
        QCOMPARE(
            live->latestButton()->text(),
            QStringLiteral("%1 new events ↓").arg(QLocale().toString(200 - (lastVisible + 1))));
        QVERIFY(live->table()->rect().contains(live->latestButton()->geometry()));
        // ... and takes you to the newest one, following again.
        QTest::mouseClick(live->latestButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(live->followStatus(), QStringLiteral("following, at head"),
                                  kTimeout);
        QVERIFY(!live->latestButton()->isVisible());
        QTRY_COMPARE_WITH_TIMEOUT(live->currentEvent() ? live->currentEvent()->position.value : -1,
                                  qint64(200), kTimeout);
        live->table()->scrollToTop();
        QTRY_VERIFY_WITH_TIMEOUT(live->followStatus().startsWith(QLatin1String("scrolled back, ")),
                                 kTimeout);
        live->setPaused(true);
        QCOMPARE(live->followStatus(), QStringLiteral("paused at 200 · 0 new"));
        live->setPaused(false);
        live->table()->scrollToBottom();
        QTRY_COMPARE_WITH_TIMEOUT(live->followStatus(), QStringLiteral("following, at head"),
                                  kTimeout);
        // Paused at the bottom, new events make the button appear; it resumes following.
        live->setPaused(true);
        append(QStringLiteral("many-1"), 1);
        QTRY_COMPARE_WITH_TIMEOUT(live->followStatus(), QStringLiteral("paused at 200 · 1 new"),
                                  kTimeout);
        QTRY_VERIFY_WITH_TIMEOUT(live->latestButton()->isVisible(), kTimeout);
        QCOMPARE(live->latestButton()->text(), QStringLiteral("1 new event ↓"));
        QTest::mouseClick(live->latestButton(), Qt::LeftButton);
        QVERIFY(!live->isPaused());
        QTRY_COMPARE_WITH_TIMEOUT(live->model()->rowCount(), 201, kTimeout);
        QTRY_COMPARE_WITH_TIMEOUT(live->followStatus(), QStringLiteral("following, at head"),
                                  kTimeout);
        QTRY_VERIFY_WITH_TIMEOUT(!live->latestButton()->isVisible(), kTimeout);
    }

    // Every row has a menu (right click, the menu key, Shift+F10), and each entry does what it
    // says on that row; Enter in the stream filter opens the first stream it lists.
    void rowMenusActOnTheirRow()
    {
        append(QStringLiteral("menu-1"), 3);
        append(QStringLiteral("menu-2"), 1, QStringLiteral("Other"));
        openWindow();
        QTableView *streams = m_window->streamsTable();
        StreamsPane *pane = m_window->streamsPane();
        QTRY_COMPARE_WITH_TIMEOUT(m_window->streamsModel()->rowCount(), 2, kTimeout);

        // A right click on the second stream: its menu, about it.
        rightClick(streams, 1);
        QVERIFY(pane->rowMenu() && pane->rowMenu()->isVisible());
        QTRY_COMPARE_WITH_TIMEOUT(m_window->streamView()->stream(), QStringLiteral("menu-2"),
                                  kTimeout);
        trigger(pane->rowMenu(), QStringLiteral("Copy Stream &Name"));
        QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("menu-2"));
        QCOMPARE(m_window->noticeLabel()->text(), QStringLiteral("Copied the stream name menu-2"));
        // The keyboard's menu key and Shift+F10 open it on the current row.
        streams->setFocus();
        QContextMenuEvent key(QContextMenuEvent::Keyboard, QPoint(1, 1), QPoint(1, 1));
        QApplication::sendEvent(streams, &key);
        QVERIFY(pane->rowMenu() && pane->rowMenu()->isVisible());
        pane->rowMenu()->close();
        QTest::keyClick(streams, Qt::Key_F10, Qt::ShiftModifier);
        QTRY_VERIFY(pane->rowMenu() && pane->rowMenu()->isVisible());
        trigger(pane->rowMenu(), QStringLiteral("Search &Live for This Stream"));
        LiveView *live = m_window->liveView();
        QCOMPARE(m_window->tabs()->currentWidget(), live);
        QCOMPARE(live->searchEdit()->text(), QStringLiteral("menu-2"));
        QCOMPARE(live->searchMode()->currentData().toInt(), int(LiveView::SearchStream));
        QTRY_COMPARE_WITH_TIMEOUT(live->model()->rowCount(), 1, kTimeout);
        live->searchEdit()->clear();
        QTRY_COMPARE_WITH_TIMEOUT(live->model()->rowCount(), 4, kTimeout);
        QTRY_VERIFY_WITH_TIMEOUT(live->model()->eventAt(0).has_value(), kTimeout);

        // An event row of the Live tab.
        const RecordedEvent first = *live->model()->eventAt(0);
        rightClick(live->table(), 0);
        EventRowMenu *liveMenu = live->rowMenu();
        QVERIFY(liveMenu->menu() && liveMenu->menu()->isVisible());
        trigger(liveMenu->menu(), QStringLiteral("Copy Event &ID"));
        QCOMPARE(QApplication::clipboard()->text(), first.id.toString(QUuid::WithoutBraces));
        rightClick(live->table(), 0);
        trigger(liveMenu->menu(), QStringLiteral("Copy &Payload"));
        QCOMPARE(QApplication::clipboard()->text().toUtf8(), first.data);
        rightClick(live->table(), 0);
        trigger(liveMenu->menu(), QStringLiteral("Copy P&osition"));
        QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("1"));
        rightClick(live->table(), 0);
        trigger(liveMenu->menu(), QStringLiteral("Open S&tream at This Event"));
        StreamView *view = m_window->streamView();
        QTRY_COMPARE_WITH_TIMEOUT(view->stream(), QStringLiteral("menu-1"), kTimeout);
        QTRY_VERIFY_WITH_TIMEOUT(view->currentEvent().has_value()
                                     && view->currentEvent()->stream == QStringLiteral("menu-1"),
                                 kTimeout);
        QCOMPARE(view->currentEvent()->version.value, 1);

        // An event row of a stream: show it in Live, filter Live by its type.
        QTRY_VERIFY_WITH_TIMEOUT(view->model()->eventAt(2).has_value(), kTimeout);
        const qint64 thirdPosition = view->model()->eventAt(2)->position.value;
        rightClick(view->table(), 2);
        trigger(view->rowMenu()->menu(), QStringLiteral("Show in &Live"));
        QCOMPARE(m_window->tabs()->currentWidget(), live);
        // (Row 0 was current before: wait for the event asked for, not for any event.)
        QTRY_VERIFY_WITH_TIMEOUT(live->currentEvent().has_value()
                                     && live->currentEvent()->position.value == thirdPosition,
                                 kTimeout);
        m_window->tabs()->setCurrentWidget(view);
        rightClick(view->table(), 0);
        trigger(view->rowMenu()->menu(), QStringLiteral("&Filter Live by Type “Thing”"));
        QCOMPARE(m_window->tabs()->currentWidget(), live);
        QCOMPARE(live->filterEdit()->text(), QStringLiteral("Thing"));
        QTRY_COMPARE_WITH_TIMEOUT(live->model()->rowCount(), 3, kTimeout);
        live->setTypeFilter(QString());

        // From the payload's tree: search Live for a value where it is.
        m_window->tabs()->setCurrentWidget(view);
        JsonPane *payload = view->detail()->payloadPane();
        payload->tabs()->setCurrentWidget(payload->treeView());
        QTRY_VERIFY_WITH_TIMEOUT(payload->treeModel()->rowCount() > 0, kTimeout);
        const QModelIndex root = payload->treeModel()->index(0, 0);
        payload->treeView()->expand(root);
        QTRY_VERIFY_WITH_TIMEOUT(payload->treeModel()->rowCount(root) == 1, kTimeout);
        payload->treeView()->setCurrentIndex(payload->treeModel()->index(0, 0, root));
        payload->treeView()->setFocus();
        QContextMenuEvent treeKey(QContextMenuEvent::Keyboard, QPoint(1, 1), QPoint(1, 1));
        QApplication::sendEvent(payload->treeView(), &treeKey);
        QVERIFY(payload->treeMenu() && payload->treeMenu()->isVisible());
        trigger(payload->treeMenu(), QStringLiteral("&Search Live for This Value"));
        QCOMPARE(m_window->tabs()->currentWidget(), live);
        QCOMPARE(live->searchMode()->currentData().toInt(), int(LiveView::SearchWhere));
        QCOMPARE(live->searchEdit()->text(), QStringLiteral("n = 1"));
        QTRY_COMPARE_WITH_TIMEOUT(live->model()->rowCount(), 2, kTimeout); // menu-1 #1, menu-2 #1
        live->searchEdit()->clear();

        // Enter in the stream filter opens the first stream it lists.
        QLineEdit *filter = m_window->streamFilter();
        filter->setFocus();
        QTest::keyClicks(filter, QStringLiteral("menu-2"));
        QTest::keyClick(filter, Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(m_window->streamView()->stream(), QStringLiteral("menu-2"),
                                  kTimeout);
        QTRY_COMPARE_WITH_TIMEOUT(m_window->streamsModel()->rowCount(), 1, kTimeout);
    }

    // Erasing an event's data from its row menu: a confirmation naming it, then both tabs show
    // it erased in its place; an erased event offers it no more.
    void eraseFromTheRowMenu()
    {
        append(QStringLiteral("p-1"), 3);
        openWindow();
        m_window->openStream(QStringLiteral("p-1"), 3);
        StreamView *view = m_window->streamView();
        QTRY_VERIFY_WITH_TIMEOUT(view->model()->eventAt(1).has_value(), kTimeout);
        const RecordedEvent second = *view->model()->eventAt(1);
        rightClick(view->table(), 1);
        trigger(view->rowMenu()->menu(), QStringLiteral("&Erase Event Data…"));
        QMessageBox *box = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT(
            (box = m_window->findChild<QMessageBox *>(QStringLiteral("confirmErase"))) != nullptr,
            kTimeout);
        QVERIFY2(box->text().contains(QStringLiteral("p-1 #2"))
                     && box->text().contains(second.id.toString(QUuid::WithoutBraces)),
                 qPrintable(box->text()));
        QAbstractButton *erase = nullptr;
        for (QAbstractButton *b : box->buttons()) {
            if (b->text() == QStringLiteral("&Erase Data"))
                erase = b;
        }
        QVERIFY(erase);
        erase->click();
        QTRY_VERIFY_WITH_TIMEOUT(view->model()->eventAt(1)->isErased(), kTimeout);
        QCOMPARE(view->model()->index(1, StreamEventsModel::TypeColumn).data().toString(),
                 QStringLiteral("Thing (erased)"));
        QCOMPARE(view->model()->eventAt(1)->data, QByteArray("{}"));
        QVERIFY(!view->model()->eventAt(0)->isErased());
        QVERIFY(view->detail()->event()->isErased());
        QTRY_VERIFY_WITH_TIMEOUT(
            m_window->noticeLabel()->text().startsWith(QStringLiteral("Erased the data of p-1 #2")),
            kTimeout);
        // The store says the same; the Live tab shows it erased in its place.
        auto stored = m_store->readStream(StreamName(QStringLiteral("p-1")), StreamVersion(2),
                                          Direction::Forward, 1);
        QVERIFY(stored && stored->first().isErased());
        LiveView *live = m_window->liveView();
        m_window->tabs()->setCurrentWidget(live);
        const int row = live->model()->rowForPosition(second.position.value);
        QVERIFY(row >= 0);
        QTRY_VERIFY_WITH_TIMEOUT(live->model()->eventAt(row).has_value()
                                     && live->model()->eventAt(row)->isErased(),
                                 kTimeout);
        // Erased already: the entry is there but disabled.
        m_window->tabs()->setCurrentWidget(view);
        rightClick(view->table(), 1);
        bool found = false;
        for (QAction *action : view->rowMenu()->menu()->actions()) {
            if (action->text() == QStringLiteral("&Erase Event Data…")) {
                found = true;
                QVERIFY(!action->isEnabled());
            }
        }
        QVERIFY(found);
        view->rowMenu()->menu()->close();
    }

    // Duplicate into the append dialog: the event's type, payload and metadata, ready to edit,
    // the stream's version as the expectation; appending stores a new event with a new id.
    // A payload too big to indent on the UI thread goes in through the slicer.
    void duplicateFromTheRowMenu()
    {
        QByteArray big = "{\"items\":[";
        for (int i = 0; i < 4000; ++i)
            big += (i ? "," : "") + QByteArray("{\"n\":") + QByteArray::number(i) + "}";
        big += "]}";
        QVERIFY(big.size() > AppendDialog::kSyncJsonChars);
        REQUIRE_OK(m_store->append(StreamName(QStringLiteral("dup-1")), ExpectedVersion::any(),
                                   {NewEvent {QStringLiteral("Priced"),
                                              "{\"amount\": 42, \"sku\": \"A-1\"}",
                                              "{\"correlationId\": \"c-1\"}",
                                              {}},
                                    NewEvent {QStringLiteral("Bulk"), big, {}, {}}}));
        QVERIFY(m_store->sequenceNow());
        openWindow();
        m_window->openStream(QStringLiteral("dup-1"), 1);
        StreamView *view = m_window->streamView();
        QTRY_VERIFY_WITH_TIMEOUT(view->model()->eventAt(1).has_value(), kTimeout);
        const RecordedEvent first = *view->model()->eventAt(0);

        for (int row : {0, 1}) {
            rightClick(view->table(), row);
            trigger(view->rowMenu()->menu(), QStringLiteral("&Duplicate into Append Dialog…"));
            AppendDialog *dialog = nullptr;
            QTRY_VERIFY_WITH_TIMEOUT((dialog = m_window->findChild<AppendDialog *>()) != nullptr,
                                     kTimeout);
            QCOMPARE(dialog->streamCombo()->currentText(), QStringLiteral("dup-1"));
            QTRY_VERIFY_WITH_TIMEOUT(dialog->isVersionKnown() && !dialog->isCheckingJson(),
                                     kTimeout);
            QCOMPARE(dialog->expectedMode()->currentData().toInt(), int(AppendDialog::ExpectExact));
            QCOMPARE(dialog->expectedVersion()->value(), 2 + row);
            const RecordedEvent source = *view->model()->eventAt(row);
            QCOMPARE(dialog->typeEdit()->text(), source.type);
            QCOMPARE(QJsonDocument::fromJson(dialog->payloadEdit()->toPlainText().toUtf8()),
                     QJsonDocument::fromJson(source.data));
            if (row == 0) {
                QCOMPARE(QJsonDocument::fromJson(dialog->metadataEdit()->toPlainText().toUtf8()),
                         QJsonDocument::fromJson(first.metadata));
                QVERIFY(dialog->payloadEdit()->toPlainText().contains(QLatin1Char('\n')));
            } else {
                QVERIFY(dialog->metadataEdit()->toPlainText().isEmpty());
            }
            QVERIFY(dialog->appendButton()->isEnabled());
            dialog->accept();
            QTRY_VERIFY_WITH_TIMEOUT(m_window->findChild<AppendDialog *>() == nullptr, kTimeout);
        }
        auto stored = REQUIRE_OK(m_store->readStream(StreamName(QStringLiteral("dup-1")),
                                                     StreamVersion(1), Direction::Forward, 10));
        QCOMPARE(stored.size(), 4);
        QCOMPARE(stored[2].type, QStringLiteral("Priced"));
        QCOMPARE(QJsonDocument::fromJson(stored[2].data), QJsonDocument::fromJson(stored[0].data));
        QCOMPARE(QJsonDocument::fromJson(stored[2].metadata),
                 QJsonDocument::fromJson(stored[0].metadata));
        QVERIFY(stored[2].id != stored[0].id);
        QCOMPARE(stored[3].type, QStringLiteral("Bulk"));
        QCOMPARE(QJsonDocument::fromJson(stored[3].data), QJsonDocument::fromJson(big));
    }

    // Compare with Previous: the event against the earlier one of its type in its stream, as
    // a structural diff of payload and metadata; the first of its type says there is none.
    void compareWithPreviousFromTheRowMenu()
    {
        REQUIRE_OK(m_store->append(StreamName(QStringLiteral("cmp-a")), ExpectedVersion::any(),
                                   {NewEvent {QStringLiteral("Priced"),
                                              "{\"amount\": 10, \"sku\": \"A\"}",
                                              "{\"by\": \"x\"}",
                                              {}},
                                    NewEvent {QStringLiteral("Viewed"), "{}", {}, {}},
                                    NewEvent {QStringLiteral("Priced"),
                                              "{\"amount\": 12, \"currency\": \"EUR\"}",
                                              "{\"by\": \"x\"}",
                                              {}}}));
        QVERIFY(m_store->sequenceNow());
        openWindow();
        m_window->openStream(QStringLiteral("cmp-a"), 3);
        StreamView *view = m_window->streamView();
        QTRY_VERIFY_WITH_TIMEOUT(view->model()->eventAt(2).has_value(), kTimeout);
        rightClick(view->table(), 2);
        trigger(view->rowMenu()->menu(), QStringLiteral("&Compare with Previous “Priced”"));
        CompareDialog *dialog = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT(
            (dialog = m_window->findChild<CompareDialog *>(QStringLiteral("compareEvents")))
                != nullptr,
            kTimeout);
        QTRY_VERIFY_WITH_TIMEOUT(
            !dialog->isComparing() && dialog->changes()->topLevelItemCount() > 0, kTimeout);
        QStringList rows;
        for (int i = 0; i < dialog->changes()->topLevelItemCount(); ++i) {
            const QTreeWidgetItem *item = dialog->changes()->topLevelItem(i);
            QStringList cells;
            for (int c = 0; c < item->columnCount(); ++c)
                cells << item->text(c);
            rows << cells.join(QLatin1Char('|'));
        }
        QCOMPARE(rows,
                 QStringList({QStringLiteral("payload|$.amount|changed|10|12"),
                              QStringLiteral("payload|$.currency|added||\"EUR\""),
                              QStringLiteral("payload|$.sku|removed|\"A\"|")}));
        QCOMPARE(dialog->summary()->text(),
                 QStringLiteral("3 changes in the payload, 0 in the metadata"));
        dialog->reject();

        // The first "Priced" has nothing before it.
        rightClick(view->table(), 0);
        trigger(view->rowMenu()->menu(), QStringLiteral("&Compare with Previous “Priced”"));
        QTRY_VERIFY_WITH_TIMEOUT(m_window->noticeLabel()->text().contains(
                                     QStringLiteral("first “Priced” event of its stream")),
                                 kTimeout);
    }

    // Any two events, in any streams and either tab: mark one, then "Compare with Marked" on
    // the other; the earlier of the two is "before".
    void compareAnyTwoMarkedEvents()
    {
        REQUIRE_OK(m_store->append(
            StreamName(QStringLiteral("cart-a")), ExpectedVersion::any(),
            {NewEvent {QStringLiteral("Priced"), "{\"amount\": 10, \"sku\": \"A\"}", {}, {}}}));
        REQUIRE_OK(m_store->append(
            StreamName(QStringLiteral("cart-b")), ExpectedVersion::any(),
            {NewEvent {QStringLiteral("Discounted"), "{\"amount\": 8, \"sku\": \"A\"}", {}, {}}}));
        QVERIFY(m_store->sequenceNow());
        openWindow();
        // The later event first: mark it on the Stream tab.
        m_window->openStream(QStringLiteral("cart-b"), 1);
        StreamView *view = m_window->streamView();
        QTRY_VERIFY_WITH_TIMEOUT(view->model()->eventAt(0).has_value(), kTimeout);
        rightClick(view->table(), 0);
        QVERIFY(!findAction(view->rowMenu()->menu(), QStringLiteral("Compare with &Marked")));
        trigger(view->rowMenu()->menu(), QStringLiteral("Mar&k for Comparison"));
        QTRY_VERIFY_WITH_TIMEOUT(
            m_window->noticeLabel()->text().startsWith(QStringLiteral("Marked cart-b #1")),
            kTimeout);
        // The same event offers no comparison with itself.
        rightClick(view->table(), 0);
        QVERIFY(!findAction(view->rowMenu()->menu(), QStringLiteral("Compare with &Marked")));
        view->rowMenu()->menu()->close();
        // The other on the Live tab.
        m_window->tabs()->setCurrentWidget(m_window->liveView());
        LiveView *live = m_window->liveView();
        QTRY_VERIFY_WITH_TIMEOUT(live->model()->rowCount() == 2, kTimeout);
        int row = -1;
        QTRY_VERIFY_WITH_TIMEOUT((row = rowOfType(live, QStringLiteral("Priced"))) >= 0, kTimeout);
        rightClick(live->table(), row);
        trigger(live->rowMenu()->menu(),
                QStringLiteral("Compare with &Marked “Discounted” (cart-b #1)"));
        CompareDialog *dialog = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT(
            (dialog = m_window->findChild<CompareDialog *>(QStringLiteral("compareEvents")))
                != nullptr,
            kTimeout);
        QTRY_VERIFY_WITH_TIMEOUT(
            !dialog->isComparing() && dialog->changes()->topLevelItemCount() > 0, kTimeout);
        QCOMPARE(dialog->changes()->topLevelItemCount(), 1);
        const QTreeWidgetItem *item = dialog->changes()->topLevelItem(0);
        QCOMPARE(item->text(CompareDialog::PathColumn), QStringLiteral("$.amount"));
        QCOMPARE(item->text(CompareDialog::BeforeColumn), QStringLiteral("10"));
        QCOMPARE(item->text(CompareDialog::AfterColumn), QStringLiteral("8"));
        dialog->reject();
    }

    // File > Export Events… writes the open stream as JSON lines off the UI thread, with a
    // progress bar; Import Events… reads them back into another stream with new ids; a bad
    // line imports nothing and says which; Cancel stops a running export and writes no file.
    void exportAndImportFromTheWindow()
    {
        append(QStringLiteral("src-1"), 25);
        openWindow();
        m_window->openStream(QStringLiteral("src-1"), 25);
        QTRY_VERIFY_WITH_TIMEOUT(m_window->streamView()->model()->eventAt(0).has_value(), kTimeout);
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("src.jsonl"));

        TransferDialog *ex = m_window->openTransferDialog(false);
        QVERIFY(ex);
        QVERIFY(ex->streamSource()->isChecked());
        QVERIFY(!ex->filterSource()->isEnabled()); // no Live filter set
        QVERIFY(!ex->startButton()->isEnabled()); // no file yet
        ex->fileEdit()->setText(file);
        QVERIFY(ex->startButton()->isEnabled());
        QTest::mouseClick(ex->startButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!ex->isRunning(), kTimeout);
        QVERIFY2(ex->succeeded(), qPrintable(ex->statusLabel()->text()));
        QCOMPARE(ex->progressBar()->value(), ex->progressBar()->maximum());
        QVERIFY2(ex->statusLabel()->text().startsWith(QStringLiteral("Exported 25 events")),
                 qPrintable(ex->statusLabel()->text()));
        QTRY_VERIFY(m_window->noticeLabel()->text().startsWith(QStringLiteral("Exported 25")));
        ex->reject();
        QFile written(file);
        QVERIFY(written.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = written.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 25);
        QCOMPARE(QJsonDocument::fromJson(lines.at(2)).object().value(QStringLiteral("data")),
                 QJsonValue(QJsonObject {{QStringLiteral("n"), 3}}));

        // The selected event alone.
        clickRow(m_window->streamView()->table(), 4);
        QTRY_VERIFY_WITH_TIMEOUT(m_window->streamView()->currentEvent().has_value(), kTimeout);
        TransferDialog *one = m_window->openTransferDialog(false);
        QVERIFY(one->selectedSource()->isEnabled());
        one->selectedSource()->setChecked(true);
        const QString oneFile = dir.filePath(QStringLiteral("one.jsonl"));
        one->fileEdit()->setText(oneFile);
        QVERIFY(one->start());
        QTRY_VERIFY_WITH_TIMEOUT(!one->isRunning(), kTimeout);
        QVERIFY2(one->succeeded(), qPrintable(one->statusLabel()->text()));
        one->reject();
        QFile oneWritten(oneFile);
        QVERIFY(oneWritten.open(QIODevice::ReadOnly));
        const QList<QByteArray> oneLines = oneWritten.readAll().trimmed().split('\n');
        QCOMPARE(oneLines.size(), 1);
        QCOMPARE(QJsonDocument::fromJson(oneLines.at(0)).object().value(QStringLiteral("version")),
                 QJsonValue(m_window->streamView()->currentEvent()->version.value));

        TransferDialog *im = m_window->openTransferDialog(true);
        QVERIFY(im);
        im->fileEdit()->setText(file);
        im->idMode()->setCurrentIndex(im->idMode()->findData(int(IdMode::New)));
        im->targetStream()->setText(QStringLiteral("copy-1"));
        QVERIFY(im->start());
        QTRY_VERIFY_WITH_TIMEOUT(!im->isRunning(), kTimeout);
        QVERIFY2(im->succeeded(), qPrintable(im->statusLabel()->text()));
        QCOMPARE(im->statusLabel()->text(), QStringLiteral("Imported 25 events into copy-1"));
        auto copied = REQUIRE_OK(m_store->readStream(StreamName(QStringLiteral("copy-1")),
                                                     StreamVersion(1), Direction::Forward, 100));
        QCOMPARE(copied.size(), 25);
        QCOMPARE(copied.at(24).data, QByteArray("{\"n\": 25}"));

        // A bad line: nothing imported, the line named.
        const QString bad = dir.filePath(QStringLiteral("bad.jsonl"));
        QFile badFile(bad);
        QVERIFY(badFile.open(QIODevice::WriteOnly));
        badFile.write("{\"type\": \"A\", \"data\": {}}\n{\"type\": \"B\"}\n");
        badFile.close();
        im->fileEdit()->setText(bad);
        QVERIFY(im->start());
        QTRY_VERIFY_WITH_TIMEOUT(!im->isRunning(), kTimeout);
        QVERIFY(!im->succeeded());
        QVERIFY2(
            im->statusLabel()->text().startsWith(QStringLiteral("Nothing was imported: line 2")),
            qPrintable(im->statusLabel()->text()));
        QCOMPARE(
            REQUIRE_OK(m_store->streamInfo(StreamName(QStringLiteral("copy-1"))))->version.value,
            25);
        im->reject();

        // Cancel while it runs: no file.
        append(QStringLiteral("bulk-1"), 20000);
        TransferDialog *big = m_window->openTransferDialog(false);
        big->rangeSource()->setChecked(true);
        const QString bigFile = dir.filePath(QStringLiteral("big.jsonl"));
        big->fileEdit()->setText(bigFile);
        QVERIFY(big->start());
        QVERIFY(big->isRunning());
        big->reject(); // Cancel while running: cancels, stays open
        QVERIFY(big->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(!big->isRunning(), kTimeout);
        QVERIFY(!big->succeeded());
        QVERIFY2(big->statusLabel()->text().startsWith(QStringLiteral("Export cancelled")),
                 qPrintable(big->statusLabel()->text()));
        QVERIFY(!QFile::exists(bigFile));
        big->reject();
    }

    // Related Events: from a row's menu (and then following the selection), the events of
    // the process in global order and the causation tree with the event marked; a row opens
    // its stream at that event; an event without the keys says so.
    void relatedEventsFollowTheSelection()
    {
        const QUuid placed = QUuid::createUuid();
        const QUuid paid = QUuid::createUuid();
        auto event = [](const QString &type, const QUuid &id, const QString &metadata) {
            NewEvent e;
            e.type = type;
            e.id = id;
            e.metadata = metadata.toUtf8();
            return e;
        };
        REQUIRE_OK(
            m_store->append(StreamName(QStringLiteral("order-1")), ExpectedVersion::any(),
                            {event(QStringLiteral("Placed"), placed,
                                   QStringLiteral("{\"correlationId\": \"p-1\"}")),
                             event(QStringLiteral("Noted"), QUuid::createUuid(), QString())}));
        REQUIRE_OK(m_store->append(
            StreamName(QStringLiteral("payment-1")), ExpectedVersion::any(),
            {event(QStringLiteral("Paid"), paid,
                   QStringLiteral("{\"correlationId\": \"p-1\", \"causationId\": \"%1\"}")
                       .arg(placed.toString(QUuid::WithoutBraces))),
             event(QStringLiteral("Receipted"), QUuid::createUuid(),
                   QStringLiteral("{\"$correlationId\": \"p-1\", \"$causationId\": \"%1\"}")
                       .arg(paid.toString()))}));
        QVERIFY(m_store->sequenceNow());
        openWindow();
        QVERIFY(!m_window->relatedDock()->isVisible());
        m_window->openStream(QStringLiteral("order-1"), 2);
        StreamView *view = m_window->streamView();
        QTRY_VERIFY_WITH_TIMEOUT(view->model()->eventAt(1).has_value(), kTimeout);
        rightClick(view->table(), 0);
        trigger(view->rowMenu()->menu(), QStringLiteral("Show &Related Events"));
        RelatedPane *pane = m_window->relatedPane();
        QTRY_VERIFY_WITH_TIMEOUT(m_window->relatedDock()->isVisible(), kTimeout);
        QTRY_VERIFY_WITH_TIMEOUT(
            !pane->isLoading() && pane->correlationList()->topLevelItemCount() == 3, kTimeout);
        QStringList listed;
        for (int i = 0; i < 3; ++i)
            listed << pane->correlationList()->topLevelItem(i)->text(0);
        QCOMPARE(listed, QStringList({"Placed  ◀ this event", "Paid", "Receipted"}));
        QVERIFY(pane->correlationLabel()->text().contains(QStringLiteral("3 events")));
        QTreeWidget *tree = pane->causationTree();
        QCOMPARE(tree->topLevelItemCount(), 1);
        QTreeWidgetItem *root = tree->topLevelItem(0);
        QCOMPARE(root->text(0), QStringLiteral("Placed  ◀ this event"));
        QCOMPARE(root->childCount(), 1);
        QCOMPARE(root->child(0)->text(0), QStringLiteral("Paid"));
        QCOMPARE(root->child(0)->child(0)->text(0), QStringLiteral("Receipted"));
        QCOMPARE(root->child(0)->child(0)->text(1), QStringLiteral("payment-1"));
        QVERIFY(pane->causationLabel()->text().contains(QStringLiteral("3 events, 2 levels")));

        // It follows the selection: the event without metadata has no relations.
        clickRow(view->table(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(
            !pane->isLoading()
                && pane->correlationLabel()->text().startsWith(QStringLiteral("No correlation id")),
            kTimeout);
        QCOMPARE(pane->correlationList()->topLevelItemCount(), 0);
        QCOMPARE(tree->topLevelItemCount(), 1);
        QCOMPARE(tree->topLevelItem(0)->text(0), QStringLiteral("Noted  ◀ this event"));

        // Back to the first, then Enter on the tree's deepest row opens its stream there.
        clickRow(view->table(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(!pane->isLoading() && tree->topLevelItemCount() == 1
                                     && tree->topLevelItem(0)->childCount() == 1,
                                 kTimeout);
        QTreeWidgetItem *receipted = tree->topLevelItem(0)->child(0)->child(0);
        tree->setFocus();
        tree->setCurrentItem(receipted);
        QTest::keyClick(tree, Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(view->stream(), QStringLiteral("payment-1"), kTimeout);
        QTRY_VERIFY_WITH_TIMEOUT(view->currentEvent().has_value()
                                     && view->currentEvent()->type == QStringLiteral("Receipted"),
                                 kTimeout);
        QTRY_VERIFY_WITH_TIMEOUT(!pane->isLoading() && pane->event()
                                     && pane->event()->type == QStringLiteral("Receipted"),
                                 kTimeout);
        QTRY_COMPARE_WITH_TIMEOUT(tree->currentItem()->text(0),
                                  QStringLiteral("Receipted  ◀ this event"), kTimeout);

        // Ctrl+R hides it again.
        QVERIFY(m_window->relatedDock()->toggleViewAction()->isChecked());
        QSignalSpy toggled(m_window->relatedDock()->toggleViewAction(), &QAction::triggered);
        // (The row menu's popup left no window active.)
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        QTest::keyClick(m_window.get(), Qt::Key_R, Qt::ControlModifier);
        QCOMPARE(toggled.size(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(!m_window->relatedDock()->isVisible(), kTimeout);
    }

    // Truncating and deleting from a stream's menu: a dialog naming the stream, then both tabs
    // show the hidden events as such in their places, and a deleted stream leaves the list.
    void truncateAndDeleteFromTheStreamMenu()
    {
        append(QStringLiteral("life-a"), 5);
        append(QStringLiteral("life-b"), 2);
        openWindow();
        StreamListModel *streams = m_window->streamsModel();
        QTRY_COMPARE_WITH_TIMEOUT(streams->rowCount(), 2, kTimeout);
        auto rowOf = [streams](const QString &name) {
            for (int row = 0; row < streams->rowCount(); ++row) {
                if (streams->streamAt(row).name == name)
                    return row;
            }
            return -1;
        };
        QVERIFY(rowOf(QStringLiteral("life-a")) >= 0);
        rightClick(m_window->streamsTable(), rowOf(QStringLiteral("life-a")));
        trigger(m_window->streamsPane()->rowMenu(), QStringLiteral("&Truncate Stream…"));
        QInputDialog *ask = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT(
            (ask = m_window->findChild<QInputDialog *>(QStringLiteral("truncateStream")))
                != nullptr,
            kTimeout);
        QVERIFY2(ask->labelText().contains(QStringLiteral("life-a")), qPrintable(ask->labelText()));
        ask->setIntValue(4);
        ask->accept();
        QTRY_VERIFY_WITH_TIMEOUT(m_window->noticeLabel()->text().startsWith(
                                     QStringLiteral("life-a now starts at version 4")),
                                 kTimeout);
        auto stored = m_store->readStream(StreamName(QStringLiteral("life-a")), StreamVersion(1));
        QVERIFY(stored && stored->size() == 2);
        // The list shows the stream's version, and its tip says what readers no longer see.
        QTRY_VERIFY_WITH_TIMEOUT(
            streams->index(rowOf(QStringLiteral("life-a")), StreamListModel::VersionColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("versions before 4 hidden")),
            kTimeout);
        QCOMPARE(streams->index(rowOf(QStringLiteral("life-a")), StreamListModel::VersionColumn)
                     .data()
                     .toString(),
                 QStringLiteral("5"));
        QCOMPARE(
            streams->headerData(StreamListModel::VersionColumn, Qt::Horizontal, Qt::DisplayRole)
                .toString(),
            QStringLiteral("Version"));

        // The Stream tab: versions 1 to 3 hidden in their places, 4 and 5 as they were.
        StreamView *view = m_window->streamView();
        QTRY_COMPARE_WITH_TIMEOUT(view->stream(), QStringLiteral("life-a"), kTimeout);
        StreamEventsModel *model = view->model();
        QTRY_VERIFY_WITH_TIMEOUT(model->eventAt(3).has_value(), kTimeout);
        QCOMPARE(model->eventAt(3)->version.value, 4);
        QTRY_COMPARE_WITH_TIMEOUT(model->index(0, StreamEventsModel::TypeColumn).data().toString(),
                                  QStringLiteral("(deleted or truncated)"), kTimeout);
        QVERIFY(!model->eventAt(0).has_value());
        // The Live tab: positions 1 to 3 the same.
        LiveView *live = m_window->liveView();
        m_window->tabs()->setCurrentWidget(live);
        QTRY_COMPARE_WITH_TIMEOUT(live->model()->rowCount(), 7, kTimeout);
        QTRY_COMPARE_WITH_TIMEOUT(
            live->model()->index(0, LiveEventsModel::TypeColumn).data().toString(),
            QStringLiteral("(deleted or truncated)"), kTimeout);
        QVERIFY(!live->model()->eventAt(2).has_value());
        QTRY_VERIFY_WITH_TIMEOUT(live->model()->eventAt(3).has_value(), kTimeout);
        QCOMPARE(live->model()->eventAt(3)->version.value, 4);

        // Delete, after a confirmation naming the stream and its events.
        rightClick(m_window->streamsTable(), rowOf(QStringLiteral("life-a")));
        trigger(m_window->streamsPane()->rowMenu(), QStringLiteral("&Delete Stream…"));
        QMessageBox *box = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT(
            (box = m_window->findChild<QMessageBox *>(QStringLiteral("confirmDeleteStream")))
                != nullptr,
            kTimeout);
        QVERIFY2(box->text().contains(QStringLiteral("life-a"))
                     && box->text().contains(QStringLiteral("up to version 5")),
                 qPrintable(box->text()));
        QVERIFY(box->checkBox() && !box->checkBox()->isChecked());
        QAbstractButton *remove = nullptr;
        for (QAbstractButton *b : box->buttons()) {
            if (b->text() == QStringLiteral("&Delete Stream"))
                remove = b;
        }
        QVERIFY(remove);
        remove->click();
        QTRY_COMPARE_WITH_TIMEOUT(m_window->noticeLabel()->text(), QStringLiteral("Deleted life-a"),
                                  kTimeout);
        QTRY_COMPARE_WITH_TIMEOUT(streams->rowCount(), 1, kTimeout);
        QCOMPARE(streams->streamAt(0).name, QStringLiteral("life-b"));
        auto info = m_store->streamInfo(StreamName(QStringLiteral("life-a")));
        QVERIFY(info && info->has_value() && (*info)->isDeleted() && !(*info)->tombstoned);
        QTRY_COMPARE_WITH_TIMEOUT(
            live->model()->index(4, LiveEventsModel::TypeColumn).data().toString(),
            QStringLiteral("(deleted or truncated)"), kTimeout);
        QTRY_VERIFY_WITH_TIMEOUT(live->model()->eventAt(5).has_value(), kTimeout);
        QCOMPARE(live->model()->eventAt(5)->stream, QStringLiteral("life-b"));
    }

    // Stream Metadata… shows a stream's limits and sets them; what they would hide is said
    // before, and the Stream tab shows it hidden after.
    void streamMetadataFromTheStreamMenu()
    {
        append(QStringLiteral("meta-a"), 6);
        openWindow();
        StreamListModel *streams = m_window->streamsModel();
        QTRY_COMPARE_WITH_TIMEOUT(streams->rowCount(), 1, kTimeout);
        rightClick(m_window->streamsTable(), 0);
        trigger(m_window->streamsPane()->rowMenu(), QStringLiteral("Stream &Metadata…"));
        StreamMetadataDialog *dialog = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT(
            (dialog = m_window->findChild<StreamMetadataDialog *>(QStringLiteral("streamMetadata")))
                != nullptr,
            kTimeout);
        QCOMPARE(dialog->stream(), QStringLiteral("meta-a"));
        QVERIFY(!dialog->countLimited()->isChecked());
        QVERIFY(!dialog->maxCount()->isEnabled());
        dialog->countLimited()->setChecked(true);
        dialog->maxCount()->setValue(2);
        QVERIFY2(dialog->summary()->text().startsWith(QStringLiteral("4 of the events")),
                 qPrintable(dialog->summary()->text()));
        dialog->ageLimited()->setChecked(true);
        dialog->maxAge()->setValue(30);
        dialog->ageUnit()->setCurrentIndex(3); // days
        dialog->accept();
        QTRY_COMPARE_WITH_TIMEOUT(m_window->noticeLabel()->text(),
                                  QStringLiteral("meta-a keeps the newest 2, younger than 30 days"),
                                  kTimeout);
        auto info = m_store->streamInfo(StreamName(QStringLiteral("meta-a")));
        QVERIFY(info && info->has_value());
        QCOMPARE((*info)->metadata.maxCount, std::optional<qint64>(2));
        QCOMPARE((*info)->metadata.maxAge,
                 std::optional<std::chrono::seconds>(std::chrono::seconds(30 * 86400)));
        StreamEventsModel *model = m_window->streamView()->model();
        QTRY_VERIFY_WITH_TIMEOUT(model->eventAt(5).has_value(), kTimeout);
        QTRY_COMPARE_WITH_TIMEOUT(model->index(0, StreamEventsModel::TypeColumn).data().toString(),
                                  QStringLiteral("(deleted or truncated)"), kTimeout);
        QVERIFY(model->eventAt(4).has_value());

        // Opened again, it shows what is set; clearing both shows every event again.
        QTRY_VERIFY_WITH_TIMEOUT(streams->rowCount() == 1
                                     && streams->streamAt(0).metadata.maxCount.has_value(),
                                 kTimeout);
        const QString tip
            = streams->index(0, StreamListModel::VersionColumn).data(Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains(QStringLiteral("keeps the last 2 events"))
                     && tip.contains(QStringLiteral("hides events older than 30 days")),
                 qPrintable(tip));
        QCOMPARE(m_window->streamView()->infoLabel()->text(), QStringLiteral("version 6"));
        rightClick(m_window->streamsTable(), 0);
        trigger(m_window->streamsPane()->rowMenu(), QStringLiteral("Stream &Metadata…"));
        QTRY_VERIFY_WITH_TIMEOUT(
            (dialog = m_window->findChild<StreamMetadataDialog *>(QStringLiteral("streamMetadata")))
                != nullptr,
            kTimeout);
        QVERIFY(dialog->countLimited()->isChecked());
        QCOMPARE(dialog->maxCount()->value(), 2);
        QCOMPARE(dialog->maxAge()->value(), 30);
        QCOMPARE(dialog->ageUnit()->currentIndex(), 3);
        dialog->countLimited()->setChecked(false);
        dialog->ageLimited()->setChecked(false);
        dialog->accept();
        QTRY_COMPARE_WITH_TIMEOUT(m_window->noticeLabel()->text(),
                                  QStringLiteral("meta-a has no limits now"), kTimeout);
        QTRY_VERIFY_WITH_TIMEOUT(model->eventAt(0).has_value(), kTimeout);
    }

    // --help and --version work without a display (no platform plugin is loaded for them).
    void helpAndVersionNeedNoDisplay()
    {
        for (const QString &flag : {QStringLiteral("--help"), QStringLiteral("--version")}) {
            QProcess browser;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.remove(QStringLiteral("DISPLAY"));
            env.remove(QStringLiteral("WAYLAND_DISPLAY"));
            env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("xcb"));
            browser.setProcessEnvironment(env);
            browser.start(QStringLiteral(EVENTIUM_BROWSER_PATH), {flag});
            QVERIFY(browser.waitForFinished(30000));
            QCOMPARE(browser.exitStatus(), QProcess::NormalExit);
            QCOMPARE(browser.exitCode(), 0);
            const QByteArray out = browser.readAllStandardOutput();
            QVERIFY2(out.contains(flag == QLatin1String("--help") ? "--db" : "0."),
                     out.constData());
        }
    }

    // Stop cancels the search's statement on the server (it does not just stop waiting for
    // it): with the events table locked the statement waits, and Stop ends it at once.
    void stoppingASearchCancelsItsStatement()
    {
        append(QStringLiteral("c-1"), 5);
        openWindow();
        LiveView *live = m_window->liveView();
        m_window->tabs()->setCurrentWidget(live);
        LiveEventsModel *model = live->model();
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 5, kTimeout);
        // Everything the window reads on its own first (the rows' page, the types), or the
        // lock below holds that read and the search waits behind it, never sent.
        QTRY_VERIFY_WITH_TIMEOUT(model->eventAt(4).has_value(), kTimeout);
        QTRY_VERIFY_WITH_TIMEOUT(!live->knownTypes().isEmpty(), kTimeout);
        QTest::qWait(200);

        TestConnection admin;
        QVERIFY(admin.isOpen());
        QSqlQuery q(admin.db());
        const QString waiting
            = QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = "
                             "'Lock' AND query LIKE '%strpos(lower(e.data::text)%' AND pid <> "
                             "pg_backend_pid()");
        // The admin connection asks inside its transaction (the one holding the lock), where
        // pg_stat_activity is read once and kept: drop that snapshot before each look.
        auto searchesRunning = [&] {
            QSqlQuery count(admin.db());
            if (!count.exec(QStringLiteral("SELECT pg_stat_clear_snapshot()")))
                return -1;
            return count.exec(waiting) && count.next() ? count.value(0).toInt() : -1;
        };
        QVERIFY(q.exec(QStringLiteral("BEGIN")));
        QVERIFY(q.exec(QStringLiteral("LOCK TABLE %1.events IN ACCESS EXCLUSIVE MODE")
                           .arg(m_store->schema())));
        auto unlock = qScopeGuard([&] { QSqlQuery(admin.db()).exec(QStringLiteral("ROLLBACK")); });

        live->setSearch(LiveView::SearchText, QStringLiteral("\"n\": 3"));
        if (!QTest::qWaitFor([&] { return searchesRunning() == 1; }, kTimeout)) {
            // What the server is doing instead, for whoever reads the failure.
            QSqlQuery dump(admin.db());
            dump.exec(QStringLiteral("SELECT pg_stat_clear_snapshot()"));
            dump.exec(QStringLiteral("SELECT pid, state, wait_event_type, left(query, 200) "
                                     "FROM pg_stat_activity WHERE datname = current_database() "
                                     "AND pid <> pg_backend_pid()"));
            while (dump.next())
                qWarning().noquote()
                    << "backend" << dump.value(0).toInt() << dump.value(1).toString()
                    << dump.value(2).toString() << dump.value(3).toString();
            QFAIL("the search's statement never waited for the lock");
        }
        QVERIFY(model->isSearching());
        QTest::mouseClick(live->stopButton(), Qt::LeftButton);
        QVERIFY(model->isStopped());
        // Gone from the server while the lock is still held.
        QTRY_COMPARE_WITH_TIMEOUT(searchesRunning(), 0, kTimeout);
        // A stop is not an error: nothing is reported.
        QTRY_VERIFY_WITH_TIMEOUT(
            live->searchStatus()->text().startsWith(QLatin1String("Stopped at position")),
            kTimeout);
        QVERIFY(model->searchError().isEmpty());
        QVERIFY(!m_window->noticeLabel()->text().contains(QLatin1String("cancel")));
        QCOMPARE(live->followStatus(), QStringLiteral("search stopped"));

        unlock.dismiss();
        QVERIFY(q.exec(QStringLiteral("ROLLBACK")));
        // Enter reads on from where it stopped, and finds the event.
        live->searchEdit()->setFocus();
        QTest::keyClick(live->searchEdit(), Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(!model->isSearching() && model->rowCount() == 1, kTimeout);
        QCOMPARE(model->eventAt(0)->version.value, 3);
    }

    // Ctrl+G with a time: the first event at or after it, in the global sequence (Live) or in
    // the stream shown (Stream).
    void jumpToATime()
    {
        append(QStringLiteral("t-1"), 3);
        QTest::qWait(60);
        append(QStringLiteral("t-1"), 3, QStringLiteral("Later"));
        auto fourth = m_store->readStream(StreamName(QStringLiteral("t-1")), StreamVersion(4));
        QVERIFY(fourth && !fourth->isEmpty());
        const QDateTime at = fourth->first().created;
        const QString text = at.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
        openWindow();
        LiveView *live = m_window->liveView();
        m_window->tabs()->setCurrentWidget(live);
        QTRY_COMPARE_WITH_TIMEOUT(live->model()->rowCount(), 6, kTimeout);
        QVERIFY(m_window->jumpTo(text));
        QTRY_VERIFY_WITH_TIMEOUT(live->currentEvent().has_value()
                                     && live->currentEvent()->position.value == 4,
                                 kTimeout);

        m_window->openStream(QStringLiteral("t-1"), 6);
        StreamView *view = m_window->streamView();
        QTRY_COMPARE_WITH_TIMEOUT(view->currentEvent() ? view->currentEvent()->version.value : -1,
                                  qint64(1), kTimeout);
        QVERIFY(m_window->jumpTo(text));
        QTRY_VERIFY_WITH_TIMEOUT(
            view->currentEvent().has_value() && view->currentEvent()->version.value == 4, kTimeout);
        // After the last event there is nothing: it says so and stays.
        QVERIFY(m_window->jumpTo(QDateTime::currentDateTime().addSecs(3600).toString(
            QStringLiteral("yyyy-MM-dd HH:mm:ss"))));
        QTRY_VERIFY_WITH_TIMEOUT(m_window->noticeLabel()->text().startsWith(
                                     QLatin1String("No event of t-1 at or after")),
                                 kTimeout);
        QCOMPARE(view->currentEvent()->version.value, 4);
        QVERIFY(!m_window->jumpTo(QStringLiteral("soon")));
    }

    // The activity chart: nothing for an empty store, a bar for one event, bars stacked by
    // type; a click on a bar goes to its first event (Live), or the stream's (Stream tab).
    void activityChartShowsBarsAndJumps()
    {
        openWindow();
        ActivityChart *chart = m_window->activityChart();
        QVERIFY(chart->isVisible());
        QCOMPARE(chart->stream(), QString());
        m_window->tabs()->setCurrentWidget(m_window->liveView());
        QTRY_VERIFY_WITH_TIMEOUT(!chart->isLoading(), kTimeout);
        QVERIFY(chart->activity().buckets.isEmpty());
        QVERIFY(chart->barRect(0).isEmpty());

        append(QStringLiteral("a-1"), 1, QStringLiteral("Early"));
        chart->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(!chart->isLoading() && chart->activity().total() == 1, kTimeout);
        QCOMPARE(chart->activity().buckets.size(), 1);
        QVERIFY(!chart->barRect(0).isEmpty());
        QVERIFY(chart->toolTipFor(0).contains(QLatin1String("1 event")));

        append(QStringLiteral("a-1"), 2, QStringLiteral("Early"));
        QTest::qWait(1100);
        append(QStringLiteral("b-1"), 3, QStringLiteral("Later"));
        chart->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(!chart->isLoading() && chart->activity().total() == 6, kTimeout);
        const Activity &a = chart->activity();
        QCOMPARE(a.bucketSeconds, 1); // about a second of events: a bar per second
        QVERIFY(a.types.contains(QLatin1String("Early"))
                && a.types.contains(QLatin1String("Later")));
        const int last = int(a.buckets.size()) - 1;
        QCOMPARE(a.buckets.at(last).total, 3);
        QCOMPARE(a.buckets.at(last).counts.at(a.types.indexOf(QLatin1String("Later"))), 3);
        QVERIFY(chart->summary()->text().contains(QLatin1String("6 events")));
        // The newest bar: its tooltip, then a click moves the Live view to its first event.
        const QString tip = chart->toolTipFor(last);
        QVERIFY2(tip.contains(QLatin1String("3 events")) && tip.contains(QLatin1String("Later: 3")),
                 qPrintable(tip));
        QVERIFY(!tip.contains(QLatin1String("estimated")));
        QCOMPARE(chart->bucketAt(chart->barRect(last).center()), last);
        // The bar is drawn: its pixels at the bottom of the plot are Later's colour.
        const QImage image = chart->grab().toImage();
        const QRect bar = chart->barRect(last);
        const QColor later = ActivityChart::typeColor(int(a.types.indexOf(QLatin1String("Later"))));
        QCOMPARE(image.pixelColor(bar.left() + 1, bar.bottom() - 1), later);
        LiveView *live = m_window->liveView();
        QTRY_COMPARE_WITH_TIMEOUT(live->model()->rowCount(), 6, kTimeout);
        QTest::mouseClick(chart, Qt::LeftButton, {}, bar.center());
        QTRY_VERIFY_WITH_TIMEOUT(live->currentEvent().has_value()
                                     && live->currentEvent()->position.value == 4,
                                 kTimeout);

        // The width selector: per minute, one bar.
        chart->setBucketSeconds(60);
        QTRY_VERIFY_WITH_TIMEOUT(!chart->isLoading() && chart->activity().bucketSeconds == 60,
                                 kTimeout);
        QVERIFY(chart->activity().buckets.size() <= 2); // two only across a minute's end
        QCOMPARE(chart->activity().total(), 6);
        chart->setBucketSeconds(0);

        // A stream: its own activity; a click selects the bar's first version.
        m_window->openStream(QStringLiteral("b-1"), 3);
        QCOMPARE(chart->stream(), QStringLiteral("b-1"));
        QTRY_VERIFY_WITH_TIMEOUT(!chart->isLoading() && chart->activity().stream == "b-1"
                                     && chart->activity().total() == 3,
                                 kTimeout);
        StreamView *view = m_window->streamView();
        QTRY_VERIFY_WITH_TIMEOUT(view->currentEvent().has_value(), kTimeout);
        view->selectVersion(3);
        QTRY_COMPARE_WITH_TIMEOUT(view->currentEvent()->version.value, qint64(3), kTimeout);
        QTest::mouseClick(chart, Qt::LeftButton, {},
                          chart->barRect(int(chart->activity().buckets.size()) - 1).center());
        QTRY_COMPARE_WITH_TIMEOUT(view->currentEvent()->version.value, qint64(1), kTimeout);

        // Folded away: only its header.
        const int open = chart->height();
        chart->setExpanded(false);
        QTRY_VERIFY_WITH_TIMEOUT(chart->height() < open / 2, kTimeout);
        QVERIFY(chart->barRect(0).isEmpty());
        chart->setExpanded(true);
        QTRY_COMPARE_WITH_TIMEOUT(chart->height(), open, kTimeout);
    }

    // The Stream tab searches its stream on the server: only that stream, in version order,
    // newest first if asked, new events included; empty text shows all again.
    void streamTabSearchesItsStream()
    {
        append(QStringLiteral("s-1"), 5);
        append(QStringLiteral("s-10"), 5); // same payloads, another stream
        openWindow();
        m_window->openStream(QStringLiteral("s-1"), 5);
        StreamView *view = m_window->streamView();
        StreamEventsModel *model = view->model();
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 5, kTimeout);
        auto versions = [model] {
            QList<qint64> out;
            for (int row = 0; row < model->rowCount(); ++row)
                out << model->versionAt(row);
            return out;
        };

        view->setSearch(SearchBox::SearchWhere, QStringLiteral("n > 2"));
        QTRY_VERIFY_WITH_TIMEOUT(!model->isSearching() && model->rowCount() == 3, kTimeout);
        QCOMPARE(versions(), QList<qint64>({3, 4, 5}));
        for (int row = 0; row < 3; ++row)
            QCOMPARE(model->eventAt(row)->stream, QStringLiteral("s-1"));
        QCOMPARE(view->searchStatus()->text(), QStringLiteral("3 matches up to version 5"));
        clickRow(view->table(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(view->detail()->event()->version.value, 4, kTimeout);

        view->setNewestFirst(true);
        QCOMPARE(versions(), QList<qint64>({5, 4, 3}));
        view->setNewestFirst(false);

        // A new event of the stream that matches shows up; one that does not, does not.
        append(QStringLiteral("s-1"), 6); // n = 1 … 6: versions 6 … 11, n > 2 from version 8
        QTRY_VERIFY_WITH_TIMEOUT(!model->isSearching() && model->rowCount() == 7, kTimeout);
        QCOMPARE(versions(), QList<qint64>({3, 4, 5, 8, 9, 10, 11}));

        // Text anywhere in the payload.
        view->setSearch(SearchBox::SearchText, QStringLiteral("\"n\": 1}"));
        QTRY_VERIFY_WITH_TIMEOUT(!model->isSearching() && model->rowCount() == 2, kTimeout);
        QCOMPARE(versions(), QList<qint64>({1, 6}));

        // A bad expression is said at once; nothing changes.
        view->setSearch(SearchBox::SearchWhere, QStringLiteral("n >"));
        QVERIFY(view->searchStatus()->text().startsWith(QLatin1String("Search: ")));
        QCOMPARE(model->rowCount(), 2);

        // Cleared: every event again; another stream opens without the search.
        view->searchBox()->edit()->clear();
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 11, kTimeout);
        QVERIFY(!model->isSearchFiltered());
        QVERIFY(!view->searchStatus()->isVisible());
        view->setSearch(SearchBox::SearchWhere, QStringLiteral("n = 2"));
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 2, kTimeout);
        m_window->openStream(QStringLiteral("s-10"), 5);
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 5, kTimeout);
        QVERIFY(!model->isSearchFiltered());
        QVERIFY(view->searchBox()->edit()->text().isEmpty());
    }

    void liveSearchFindsEventsByContent()
    {
        auto one = [this](const QString &stream, const QString &type, const QByteArray &data) {
            NewEvent e;
            e.type = type;
            e.data = data;
            auto r = m_store->append(StreamName(stream), ExpectedVersion::any(), {e});
            QVERIFY2(r && r->succeeded(), r ? "conflict" : qPrintable(r.error().toString()));
        };
        one(QStringLiteral("order-1"), QStringLiteral("OrderPlaced"), R"({"customerId": 42})");
        one(QStringLiteral("order-2"), QStringLiteral("OrderPlaced"), R"({"customerId": 7})");
        one(QStringLiteral("account-20954837"), QStringLiteral("Opened"),
            R"({"customerId": 42, "note": "Fragile GLASS"})");
        QVERIFY(m_store->sequenceNow());
        openWindow();
        LiveView *live = m_window->liveView();
        m_window->tabs()->setCurrentWidget(live);
        LiveEventsModel *model = live->model();
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 3, kTimeout);

        // The type filter offers the types that exist.
        QTRY_COMPARE_WITH_TIMEOUT(
            live->knownTypes(),
            QStringList({QStringLiteral("Opened"), QStringLiteral("OrderPlaced")}), kTimeout);

        live->setSearch(LiveView::SearchWhere, QStringLiteral("customerId = 42"));
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 2, kTimeout);
        QTRY_VERIFY_WITH_TIMEOUT(!model->isSearching(), kTimeout);
        QCOMPARE(model->eventAt(0)->stream, QStringLiteral("order-1"));
        QCOMPARE(model->eventAt(1)->stream, QStringLiteral("account-20954837"));
        QTRY_VERIFY_WITH_TIMEOUT(
            live->searchStatus()->text().startsWith(QLatin1String("2 matches")), kTimeout);
        QVERIFY(live->searchStatus()->isVisible());

        // A new event that matches arrives while following; one that does not, does not.
        one(QStringLiteral("order-3"), QStringLiteral("OrderPlaced"), R"({"customerId": 42})");
        one(QStringLiteral("order-4"), QStringLiteral("OrderPlaced"), R"({"customerId": 8})");
        QVERIFY(m_store->sequenceNow());
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 3, kTimeout);
        QCOMPARE(model->eventAt(2)->stream, QStringLiteral("order-3"));
        QTest::qWait(300);
        QCOMPARE(model->rowCount(), 3);

        // Stopped (Esc or Stop) it says where it stopped; Enter again reads on.
        live->setSearch(LiveView::SearchWhere, QStringLiteral("customerId = 8"));
        model->stopSearching();
        QVERIFY(model->isStopped());
        QTRY_VERIFY_WITH_TIMEOUT(
            live->searchStatus()->text().startsWith(QLatin1String("Stopped at position")),
            kTimeout);
        live->setSearch(LiveView::SearchWhere, QStringLiteral("customerId = 8"));
        QVERIFY(!model->isStopped());
        QTRY_VERIFY_WITH_TIMEOUT(!model->isSearching() && model->rowCount() == 1, kTimeout);
        QCOMPARE(model->eventAt(0)->stream, QStringLiteral("order-4"));

        live->setSearch(LiveView::SearchText, QStringLiteral("glass"));
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 1, kTimeout);
        QTRY_VERIFY_WITH_TIMEOUT(!model->isSearching(), kTimeout);
        QCOMPARE(model->eventAt(0)->stream, QStringLiteral("account-20954837"));
        live->setSearch(LiveView::SearchStream, QStringLiteral("20954837"));
        QTRY_VERIFY_WITH_TIMEOUT(!model->isSearching() && model->rowCount() == 1, kTimeout);
        QCOMPARE(model->eventAt(0)->type, QStringLiteral("Opened"));

        // With the type filter too: every condition holds.
        live->setSearch(LiveView::SearchWhere, QStringLiteral("customerId = 42"));
        live->setTypeFilter(QStringLiteral("Opened"));
        QTRY_VERIFY_WITH_TIMEOUT(!model->isSearching() && model->rowCount() == 1, kTimeout);
        QCOMPARE(model->eventAt(0)->stream, QStringLiteral("account-20954837"));
        live->setTypeFilter(QString());

        // A bad expression is refused at once; the search shown stays as it was.
        live->setSearch(LiveView::SearchWhere, QStringLiteral("customerId"));
        QVERIFY(live->searchStatus()->text().startsWith(QLatin1String("Search: ")));
        QCOMPARE(model->filter().where, QStringLiteral("customerId = 42"));
        // A JSON path the server cannot read: it says so.
        live->setSearch(LiveView::SearchWhere, QStringLiteral("$.a ==== 1"));
        QTRY_VERIFY_WITH_TIMEOUT(!model->searchError().isEmpty(), kTimeout);
        QVERIFY2(live->searchStatus()->text().contains(QLatin1String("JSON path")),
                 qPrintable(live->searchStatus()->text()));
        QVERIFY(!live->stopButton()->isVisible());

        // Clearing the search shows the whole sequence again.
        live->searchEdit()->clear();
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 5, kTimeout);
        QVERIFY(!model->isFiltered());
        QVERIFY(!live->searchStatus()->isVisible());

        // Double-clicking a row opens its stream at that event.
        QTRY_VERIFY_WITH_TIMEOUT(model->eventAt(2).has_value(), kTimeout);
        const RecordedEvent third = *model->eventAt(2);
        live->table()->scrollTo(model->index(2, 0));
        const QRect rect = live->table()->visualRect(model->index(2, 1));
        // (A click first: Qt Test's double click alone does not press the item.)
        QTest::mouseClick(live->table()->viewport(), Qt::LeftButton, {}, rect.center());
        QTest::mouseDClick(live->table()->viewport(), Qt::LeftButton, {}, rect.center());
        StreamView *view = m_window->streamView();
        QTRY_COMPARE_WITH_TIMEOUT(view->stream(), third.stream, kTimeout);
        QCOMPARE(m_window->tabs()->currentWidget(), view);
        QTRY_VERIFY_WITH_TIMEOUT(view->detail()->event().has_value(), kTimeout);
        QCOMPARE(view->detail()->event()->version, third.version);
        QCOMPARE(view->detail()->event()->id, third.id);
    }
};

QTEST_MAIN(TestBrowser)
#include "tst_browser.moc"
